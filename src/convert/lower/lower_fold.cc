// Folding later layers into the op that precedes them, as Google's converter does: a RELU or
// RELU6 into the op's fused activation, a per-channel affine (inference BatchNormalization) into
// its weights and bias. Only when the op's output is read by nothing else.
#include <cmath>

#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

namespace {

bool takes_fused_activation(int32_t builtin) {
  namespace op = micro::op;
  return builtin == op::kFullyConnected || builtin == op::kConv2D || builtin == op::kDepthwiseConv2D ||
         builtin == op::kAdd || builtin == op::kMul || builtin == op::kSub;
}

// The output channel of flat element e of a weight tensor: rows for FULLY_CONNECTED [O, I] and
// CONV_2D [O, H, W, I]; the last axis for DEPTHWISE_CONV_2D [1, H, W, O].
size_t output_channel(int32_t builtin, size_t e, size_t total, size_t channels) {
  if (builtin == micro::op::kDepthwiseConv2D) return e % channels;
  return e / (total / channels);
}

}  // namespace

bool try_fuse_activation(Context& ctx, size_t src, const nn::ActivationFn& act, const std::string& name) {
  micro::Activation fused;
  if (act.kind() == nn::ActivationKind::kRelu) {
    fused = micro::Activation::kRelu;
  } else if (act.kind() == nn::ActivationKind::kRelu6) {
    fused = micro::Activation::kRelu6;
  } else {
    return false;
  }
  const Value& v = ctx.value(src);
  if (!ctx.private_to_consumer(src) || v.producer_op < 0 || v.has_affine) return false;
  GraphOp& op = ctx.graph.ops[static_cast<size_t>(v.producer_op)];
  if (!takes_fused_activation(op.builtin) || op.options.activation != micro::Activation::kNone) return false;
  op.options.activation = fused;
  append_fused_name(ctx, v.tensor, name);
  return true;
}

bool try_fold_affine_into_producer(Context& ctx, size_t src, const Affine& bn, const std::string& name) {
  const Value& v = ctx.value(src);
  if (!ctx.private_to_consumer(src) || v.producer_op < 0 || v.has_affine) return false;
  GraphOp& op = ctx.graph.ops[static_cast<size_t>(v.producer_op)];
  const bool weighted = op.builtin == micro::op::kFullyConnected || op.builtin == micro::op::kConv2D ||
                        op.builtin == micro::op::kDepthwiseConv2D;
  if (!weighted || op.options.activation != micro::Activation::kNone || op.inputs.size() < 2) return false;
  GraphTensor& filter = ctx.graph.tensors[static_cast<size_t>(op.inputs[1])];
  const size_t channels = static_cast<size_t>(ctx.graph.tensors[static_cast<size_t>(v.tensor)].shape.back());
  if (!filter.is_constant() || filter.shape.empty()) return false;
  if (bn.channels() > 1 && bn.channels() != channels) return false;

  std::vector<float> w = read_f32(filter);
  for (size_t e = 0; e < w.size(); ++e) {
    w[e] = static_cast<float>(double(w[e]) * bn.scale_at(output_channel(op.builtin, e, w.size(), channels)));
  }
  write_f32(filter, w);

  if (op.inputs.size() < 3) op.inputs.resize(3, -1);
  if (op.inputs[2] < 0) {
    const std::string filter_name = filter.name;
    op.inputs[2] = ctx.add_const_f32(filter_name.substr(0, filter_name.rfind('/')) + "/bias",
                                     {static_cast<int32_t>(channels)}, std::vector<float>(channels, 0.0f));
  }
  GraphTensor& bias = ctx.graph.tensors[static_cast<size_t>(op.inputs[2])];
  std::vector<float> b = read_f32(bias);
  for (size_t c = 0; c < b.size(); ++c) {
    b[c] = static_cast<float>(double(b[c]) * bn.scale_at(c) + bn.shift_at(c));
  }
  write_f32(bias, b);
  append_fused_name(ctx, v.tensor, name);
  return true;
}

void append_fused_name(Context& ctx, int32_t tensor, const std::string& layer_name) {
  std::string& n = ctx.graph.tensors[static_cast<size_t>(tensor)].name;
  n += ";" + layer_name;
}

int64_t config_int(const nn::Layer& layer, const char* key, size_t index) {
  const nlohmann::json c = layer.config();
  if (!c.contains(key)) throw Error(Context::describe(layer) + ": its config has no '" + key + "'");
  const nlohmann::json& j = c.at(key);
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_array() && index < j.size() && j[index].is_number_integer()) return j[index].get<int64_t>();
  throw Error(Context::describe(layer) + ": config '" + key + "' is not an integer (or list of them): " + j.dump());
}

}  // namespace tinyforge::convert::lower
