// Activations: RELU and RELU6 fused into the preceding op when TFLite allows it, else their own
// op (LOGISTIC, TANH, SOFTMAX, HARD_SWISH, LEAKY_RELU, RELU, RELU6). ELU has a TFLite builtin but
// no kernel in the micro runtime, so it is rejected rather than written as a model we cannot run.
#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

namespace {

Value emit_activation(Context& ctx, const Value& v, const nn::ActivationFn& act, const nn::Layer& layer,
                      const std::string& out_name) {
  namespace op = micro::op;
  OpOptions o;
  int32_t builtin = -1;
  switch (act.kind()) {
    case nn::ActivationKind::kLinear: return v;
    case nn::ActivationKind::kRelu: builtin = op::kRelu; break;
    case nn::ActivationKind::kRelu6: builtin = op::kRelu6; break;
    case nn::ActivationKind::kSigmoid: builtin = op::kLogistic; break;
    case nn::ActivationKind::kTanh: builtin = op::kTanh; break;
    case nn::ActivationKind::kHardSwish: builtin = op::kHardSwish; break;
    case nn::ActivationKind::kSoftmax:
      builtin = op::kSoftmax;
      o.beta = 1.0f;
      break;
    case nn::ActivationKind::kLeakyRelu:
      builtin = op::kLeakyRelu;
      o.alpha = act.alpha();
      break;
    case nn::ActivationKind::kElu:
      throw Error(Context::describe(layer) +
                  ": activation 'elu' cannot be lowered: TFLite's ELU has no kernel in the TinyForge micro runtime "
                  "(use relu, relu6, leaky_relu, sigmoid, tanh, hard_swish or softmax)");
  }
  Value out;
  out.shape = v.shape;
  out.tensor = ctx.add_activation(out_name, v.shape);
  out.producer_op = ctx.emit(builtin, {v.tensor}, {out.tensor}, o);
  return out;
}

}  // namespace

nn::ActivationFn config_activation(const nn::Layer& layer) {
  const nlohmann::json c = layer.config();
  return nn::ActivationFn::parse(c.value("activation", std::string("linear")), c.value("activation_alpha", -1.0f));
}

Value apply_activation(Context& ctx, Value v, const nn::ActivationFn& act, const nn::Layer& layer) {
  if (act.is_linear()) return v;
  if (v.producer_op >= 0 && (act.kind() == nn::ActivationKind::kRelu || act.kind() == nn::ActivationKind::kRelu6)) {
    GraphOp& op = ctx.graph.ops[static_cast<size_t>(v.producer_op)];
    if (op.options.activation == micro::Activation::kNone) {
      op.options.activation =
          act.kind() == nn::ActivationKind::kRelu ? micro::Activation::kRelu : micro::Activation::kRelu6;
      return v;
    }
  }
  // The pre-activation tensor keeps the layer's name; the activation's output says what it is.
  return emit_activation(ctx, v, act, layer, layer.name() + "/" + act.name());
}

void lower_activation_layer(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const nlohmann::json c = layer.config();
  const nn::ActivationFn act =
      nn::ActivationFn::parse(c.value("activation", std::string("linear")), c.value("alpha", -1.0f));
  const size_t src = ctx.input_node(i, 0);
  ctx.input(i, 0);  // a deferred affine becomes ops first
  if (try_fuse_activation(ctx, src, act, layer.name())) {
    ctx.value(i) = ctx.value(src);
    return;
  }
  const Value v = ctx.value(src);
  ctx.value(i) = emit_activation(ctx, v, act, layer, layer.name());
}

}  // namespace tinyforge::convert::lower
