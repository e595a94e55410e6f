// BatchNormalization: normalize per feature with batch statistics while training (and track
// their moving averages), with the moving averages at inference.
#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/layers/batch_norm_passes.h"
#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

batch_norm::Fused fused_kind(const ActivationFn* act) {
  if (act == nullptr) return batch_norm::Fused::kNone;
  switch (act->kind()) {
    case ActivationKind::kRelu:
      return batch_norm::Fused::kRelu;
    case ActivationKind::kRelu6:
      return batch_norm::Fused::kRelu6;
    case ActivationKind::kLinear:
      return batch_norm::Fused::kNone;
    default:
      throw Error("BatchNormalization cannot fuse activation '" + act->name() + "'");
  }
}

class BatchNormalizationLayer : public Layer {
 public:
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& o)
      : Layer(structural::layer_name(o.name, "batch_normalization")), o_(o) {
    if (!(o.epsilon > 0.0f)) throw Error(describe(*this) + ": epsilon must be > 0");
  }
  std::string type() const override { return "BatchNormalization"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    structural::sample_axis(*this, o_.axis, inputs[0].size());
    return inputs[0];
  }

  void build(const std::vector<Shape>& inputs, Rng&) override {
    output_shape(inputs);
    const size_t a = structural::sample_axis(*this, o_.axis, inputs[0].size());
    const Shape c{inputs[0][a]};
    // Keras' order and initializers: gamma ones, beta zeros, moving mean zeros, moving variance ones.
    if (o_.scale) add_param("gamma", Tensor(c, 1.0f));
    if (o_.center) add_param("beta", Tensor(c, 0.0f));
    add_param("moving_mean", Tensor(c, 0.0f), false);
    add_param("moving_variance", Tensor(c, 1.0f), false);
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    const size_t a = structural::sample_axis(*this, o_.axis, x.sample_shape().size()) + 1;
    const auto sp = structural::split_at(x.shape(), a);
    const Param& mm = *param("moving_mean");
    if (sp.size != mm.value.size()) {
      throw Error(describe(*this) + " was built for " + std::to_string(mm.value.size()) + " features on axis " +
                  std::to_string(o_.axis) + ", got input " + shape_str(x.shape()));
    }
    // A frozen BatchNormalization runs in inference mode, as in Keras (fine-tuning keeps its statistics).
    const bool batch_stats = call.training && trainable();
    const int64_t C = sp.size, M = sp.outer * sp.inner;
    Tensor mean({C}), inv_std({C});
    if (batch_stats) {
      if (M < 1) throw Error(describe(*this) + ": an empty batch has no statistics");
      Tensor var({C});
      std::vector<double> mean_d(static_cast<size_t>(C)), var_d(static_cast<size_t>(C));
      batch_norm::statistics(x.data(), sp, mean_d.data(), var_d.data());
      for (int64_t c = 0; c < C; ++c) {
        mean[c] = static_cast<float>(mean_d[static_cast<size_t>(c)]);
        var[c] = static_cast<float>(var_d[static_cast<size_t>(c)]);  // biased, as Keras normalizes with
        inv_std[c] = static_cast<float>(1.0 / std::sqrt(var[c] + static_cast<double>(o_.epsilon)));
      }
      Param& mv = *param("moving_variance");
      Param& mmw = *param("moving_mean");
      const float m = o_.momentum;
      for (int64_t c = 0; c < C; ++c) {
        mmw.value[c] = mmw.value[c] * m + mean[c] * (1.0f - m);
        mv.value[c] = mv.value[c] * m + var[c] * (1.0f - m);
      }
    } else {
      const Param& mv = *param("moving_variance");
      for (int64_t c = 0; c < C; ++c) {
        mean[c] = mm.value[c];
        inv_std[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(mv.value[c]) + o_.epsilon));
      }
    }
    const Param* gamma = param("gamma");
    const Param* beta = param("beta");
    Tensor y = Tensor::for_overwrite(x.shape()), scale({C}), shift({C});
    for (int64_t c = 0; c < C; ++c) {
      scale[c] = gamma ? gamma->value[c] : 1.0f;
      shift[c] = beta ? beta->value[c] : 0.0f;
    }
    const batch_norm::Fused act = fused_kind(call.fused_activation);
    batch_norm::normalize(x.data(), sp, {mean.data(), inv_std.data(), scale.data(), shift.data()}, act, y.data());
    // Backward recomputes xhat (and the fused activation's mask) from the input, alive during
    // backward: that saves a tensor per layer and step.
    call.saved.clear();  // moved in (a braced list would copy)
    call.saved.push_back(std::move(mean));
    call.saved.push_back(std::move(inv_std));
    call.saved.push_back(std::move(scale));
    call.saved.push_back(std::move(shift));
    call.saved_indices = {batch_stats ? 1 : 0, static_cast<int64_t>(act)};
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    return backward_consuming(call, Tensor(dy));
  }

  // dy becomes dx in place: the per-channel sums are taken before it is overwritten.
  std::vector<Tensor> backward_consuming(LayerCall& call, Tensor&& dy) override {
    if (call.saved.size() != 4 || call.saved_indices.size() != 2) {
      throw Error(describe(*this) + ": backward called without a forward");
    }
    const batch_norm::Affine affine{call.saved[0].data(), call.saved[1].data(), call.saved[2].data(),
                                    call.saved[3].data()};
    const bool batch_stats = call.saved_indices[0] == 1;
    const auto act = static_cast<batch_norm::Fused>(call.saved_indices[1]);
    const Tensor& x = structural::only_input(*this, call);
    if (dy.shape() != x.shape())
      throw Error(describe(*this) + ": gradient shape " + shape_str(dy.shape()) + " differs from the output's " +
                  shape_str(x.shape()));
    const size_t a = structural::sample_axis(*this, o_.axis, x.sample_shape().size()) + 1;
    const auto sp = structural::split_at(x.shape(), a);
    const int64_t C = sp.size, M = sp.outer * sp.inner;
    // Per feature, with g = dL/d(normalized) (dy through the fused activation's mask): sum(g) and
    // sum(g * xhat) give beta's and gamma's gradients, and the batch statistics' share of dx.
    std::vector<double> sum_dy(static_cast<size_t>(C)), sum_dy_xhat(static_cast<size_t>(C));
    batch_norm::gradient_sums(dy.data(), x.data(), sp, affine, act, sum_dy.data(), sum_dy_xhat.data());
    Param* gamma = param("gamma");
    Param* beta = param("beta");
    if (gamma && structural::wants_grad(*this, *gamma)) {
      Tensor& g = structural::grad_buffer(*gamma);
      for (int64_t c = 0; c < C; ++c) g[c] += static_cast<float>(sum_dy_xhat[c]);
    }
    if (beta && structural::wants_grad(*this, *beta)) {
      Tensor& g = structural::grad_buffer(*beta);
      for (int64_t c = 0; c < C; ++c) g[c] += static_cast<float>(sum_dy[c]);
    }
    Tensor dx = std::move(dy);
    // dx = k * (g - a - xhat * b) per channel, with k = gamma * inv_std; with batch statistics
    // a = mean(g), b = mean(g * xhat) (d/dx of gamma * (x - mean(x)) / sqrt(var(x) + eps)),
    // else a = b = 0.
    std::vector<float> k(static_cast<size_t>(C)), mdy(static_cast<size_t>(C), 0.0f), mdyx(static_cast<size_t>(C), 0.0f);
    for (int64_t c = 0; c < C; ++c) {
      k[c] = affine.scale[c] * affine.inv_std[c];
      if (batch_stats) {
        mdy[c] = static_cast<float>(sum_dy[c] / static_cast<double>(M));
        mdyx[c] = static_cast<float>(sum_dy_xhat[c] / static_cast<double>(M));
      }
    }
    batch_norm::input_gradient(dx.data(), x.data(), sp, affine, act, k.data(), mdy.data(), mdyx.data(), dx.data());
    return one_gradient(std::move(dx));
  }

  bool can_fuse_activation(const ActivationFn& act) const override {
    return act.kind() == ActivationKind::kRelu || act.kind() == ActivationKind::kRelu6;
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    return inputs.empty() ? 0 : shape_size(inputs[0]);  // one multiply-add per element at inference
  }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c.update({{"axis", o_.axis},
              {"momentum", o_.momentum},
              {"epsilon", o_.epsilon},
              {"center", o_.center},
              {"scale", o_.scale}});
    return c;
  }

 private:
  BatchNormalizationOptions o_;
};

LayerPtr from_config(const nlohmann::json& c) {
  BatchNormalizationOptions o;
  o.name = c.value("name", "");
  o.axis = c.value("axis", -1);
  o.momentum = c.value("momentum", 0.99f);
  o.epsilon = c.value("epsilon", 1e-3f);
  o.center = c.value("center", true);
  o.scale = c.value("scale", true);
  return std::make_shared<BatchNormalizationLayer>(o);
}

const LayerRegistrar kRegister("BatchNormalization", from_config);

}  // namespace

LayerRef BatchNormalization(const BatchNormalizationOptions& options) {
  return LayerRef(std::make_shared<BatchNormalizationLayer>(options));
}

}  // namespace tinyforge::nn
