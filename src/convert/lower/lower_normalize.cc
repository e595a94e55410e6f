// Per-channel affine layers at inference:
//   BatchNormalization  y = (x - mean) * gamma / sqrt(var + eps) + beta: folded into the weights
//                       and bias of the FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D before it
//                       (as Google's converter folds FusedBatchNorm), else MUL + ADD.
//   Normalization       (x - mean) / max(sqrt(var), 1e-7): SUB + MUL as TensorFlow's graph has it,
//   Rescaling           x * scale + offset: MUL + ADD;
//                       both folded into the Dense or 'valid' convolution after them when that is
//                       their only reader (exact: W((x - m) s) + b = (W s) x + (b - W m s), and no
//                       padded zero is ever shifted).
// Statistics are computed in double, as the folded weights are, and rounded once to float.
#include <cmath>

#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

namespace {

const nn::Param* find_param(const nn::Layer& layer, const char* name) {
  for (const nn::Param& p : layer.params()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Checks that the layer normalizes the last axis (the only one per-channel TFLite constants
// broadcast over without a transpose).
void require_last_axis(const nn::Layer& layer, int axis, size_t sample_rank, size_t stats) {
  const int last = static_cast<int>(sample_rank);  // per-sample axes count from 1 in Keras' config
  if (stats <= 1 || axis == -1 || axis == last) return;
  throw Error(Context::describe(layer) + ": axis " + std::to_string(axis) +
              " is not the last (channel) axis; only per-channel statistics on the last axis can be lowered");
}

// Whether a deferred affine may be folded into node j's weights (see the file comment).
bool folds_into(Context& ctx, int64_t j, size_t channels) {
  if (j < 0) return false;
  const nn::Layer& consumer = *ctx.node(static_cast<size_t>(j)).layer;
  const std::string type = consumer.type();
  if (type != "Dense" && type != "Conv2D" && type != "Conv1D") return false;
  if (type != "Dense" && consumer.config().value("padding", std::string("valid")) != "valid") return false;
  // The consumer's input channels are the last axis of its input: stats must match or be scalar.
  const auto& in_shape = ctx.node(static_cast<size_t>(j)).inputs.at(0).shape();
  return channels <= 1 || (!in_shape.empty() && static_cast<size_t>(in_shape.back()) == channels);
}

void finish(Context& ctx, size_t i, const Affine& a) {
  const nn::Layer& layer = *ctx.node(i).layer;
  Value v = ctx.input(i, 0);
  v.has_affine = true;
  v.affine = a;
  if (ctx.options.fold_preprocessing && !ctx.is_model_output(i) &&
      folds_into(ctx, ctx.single_consumer(i), a.channels())) {
    v.producer_op = -1;
    ctx.value(i) = v;  // the consumer folds it
    return;
  }
  ctx.value(i) = ctx.materialize(v, layer.name());
}

}  // namespace

void lower_batch_norm(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const nlohmann::json c = layer.config();
  const nn::Param* mean = find_param(layer, "moving_mean");
  const nn::Param* var = find_param(layer, "moving_variance");
  if (mean == nullptr || var == nullptr)
    throw Error(Context::describe(layer) + " has no moving statistics (not built)");
  require_last_axis(layer, c.value("axis", -1), ctx.node(i).shape.size(), static_cast<size_t>(mean->value.size()));
  const nn::Param* gamma = find_param(layer, "gamma");
  const nn::Param* beta = find_param(layer, "beta");
  const double eps = c.value("epsilon", 1e-3);
  const size_t n = static_cast<size_t>(mean->value.size());
  Affine a;
  a.scale.resize(n);
  a.shift.resize(n);
  for (size_t k = 0; k < n; ++k) {
    const auto kk = static_cast<int64_t>(k);
    const double s = (gamma ? double(gamma->value[kk]) : 1.0) / std::sqrt(double(var->value[kk]) + eps);
    a.scale[k] = static_cast<float>(s);
    a.shift[k] = static_cast<float>((beta ? double(beta->value[kk]) : 0.0) - double(mean->value[kk]) * s);
  }
  const size_t src = ctx.input_node(i, 0);
  ctx.input(i, 0);
  if (ctx.options.fold_batch_norm) {
    // Folded as (x - mean) * scale + beta so the bias is computed once in double.
    Affine exact;
    exact.scale.resize(n);
    exact.center.resize(n);
    exact.shift.resize(n);
    for (size_t k = 0; k < n; ++k) {
      const auto kk = static_cast<int64_t>(k);
      exact.scale[k] = a.scale[k];
      exact.center[k] = mean->value[kk];
      exact.shift[k] = beta ? beta->value[kk] : 0.0f;
    }
    if (try_fold_affine_into_producer(ctx, src, exact, layer.name())) {
      ctx.value(i) = ctx.value(src);
      return;
    }
  }
  Value v = ctx.value(src);
  v.has_affine = true;
  v.affine = a;
  ctx.value(i) = ctx.materialize(v, layer.name());
}

void lower_normalization(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const nlohmann::json c = layer.config();
  Affine a;
  if (layer.type() == "Rescaling") {
    a.scale = {c.value("scale", 1.0f)};
    a.shift = {c.value("offset", 0.0f)};
    finish(ctx, i, a);
    return;
  }
  const nn::Param* mean = find_param(layer, "mean");
  const nn::Param* var = find_param(layer, "variance");
  if (mean == nullptr || var == nullptr) {
    throw Error(Context::describe(layer) + " has no statistics: call adapt() or give mean and variance");
  }
  require_last_axis(layer, c.value("axis", -1), ctx.node(i).shape.size(), static_cast<size_t>(mean->value.size()));
  const size_t n = static_cast<size_t>(mean->value.size());
  a.center = mean->value.to_vector();
  a.scale.resize(n);
  for (size_t k = 0; k < n; ++k) {
    a.scale[k] = static_cast<float>(1.0 / std::max(std::sqrt(double(var->value[static_cast<int64_t>(k)])), 1e-7));
  }
  finish(ctx, i, a);
}

}  // namespace tinyforge::convert::lower
