// Normalization (Keras' preprocessing layer): (x - mean) / max(sqrt(variance), 1e-7) per index of
// one axis, with the statistics given or learned from data by adapt(). They are stored as
// non-trainable params so save/load and clone keep them.
#include <algorithm>
#include <cmath>

#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

constexpr double kMinStd = 1e-7;  // Keras' backend.epsilon(), guards constant features

class NormalizationLayer : public Layer {
 public:
  explicit NormalizationLayer(const NormalizationOptions& o)
      : Layer(structural::layer_name(o.name, "normalization")), o_(o) {
    if (o.mean.empty() != o.variance.empty()) {
      throw Error(describe(*this) + ": give both mean and variance, or neither (and call adapt())");
    }
    for (float v : o.variance) {
      if (v < 0.0f) throw Error(describe(*this) + ": variance must be >= 0");
    }
  }
  std::string type() const override { return "Normalization"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    structural::sample_axis(*this, o_.axis, inputs[0].size());
    return inputs[0];
  }

  void build(const std::vector<Shape>& inputs, Rng&) override {
    output_shape(inputs);
    const int64_t c = inputs[0][structural::sample_axis(*this, o_.axis, inputs[0].size())];
    add_param("mean", Tensor({c}, broadcast(o_.mean, 0.0f, c, "mean")), false);
    add_param("variance", Tensor({c}, broadcast(o_.variance, 1.0f, c, "variance")), false);
    mark_built();
  }

  void adapt(const Tensor& data) {
    if (data.rank() < 1 || data.dim(0) < 1) throw Error(describe(*this) + ": adapt() needs at least one sample");
    if (!built()) {
      Rng unused(0);
      build({data.sample_shape()}, unused);
    }
    const size_t a = structural::sample_axis(*this, o_.axis, data.sample_shape().size()) + 1;
    const auto sp = split(data.shape(), a);
    const int64_t m = sp.outer * sp.inner;
    Param& mean = *param("mean");
    Param& var = *param("variance");
    for (int64_t c = 0; c < sp.size; ++c) {
      double s = 0, s2 = 0;
      for (int64_t o = 0; o < sp.outer; ++o) {
        const float* p = data.data() + (o * sp.size + c) * sp.inner;
        for (int64_t i = 0; i < sp.inner; ++i) s += p[i];
      }
      const double mu = s / static_cast<double>(m);
      for (int64_t o = 0; o < sp.outer; ++o) {
        const float* p = data.data() + (o * sp.size + c) * sp.inner;
        for (int64_t i = 0; i < sp.inner; ++i) s2 += (p[i] - mu) * (p[i] - mu);
      }
      mean.value[c] = static_cast<float>(mu);
      var.value[c] = static_cast<float>(s2 / static_cast<double>(m));  // population variance, as Keras
    }
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    const auto sp = split(x.shape(), structural::sample_axis(*this, o_.axis, x.sample_shape().size()) + 1);
    const Tensor& mean = param("mean")->value;
    const std::vector<float> inv = inverse_std();
    Tensor y(x.shape());
    for (int64_t o = 0; o < sp.outer; ++o) {
      for (int64_t c = 0; c < sp.size; ++c) {
        const int64_t base = (o * sp.size + c) * sp.inner;
        for (int64_t i = 0; i < sp.inner; ++i) y[base + i] = (x[base + i] - mean[c]) * inv[c];
      }
    }
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    const auto sp = split(dy.shape(), structural::sample_axis(*this, o_.axis, dy.sample_shape().size()) + 1);
    (void)call;
    const std::vector<float> inv = inverse_std();
    Tensor dx(dy.shape());
    for (int64_t o = 0; o < sp.outer; ++o) {
      for (int64_t c = 0; c < sp.size; ++c) {
        const int64_t base = (o * sp.size + c) * sp.inner;
        for (int64_t i = 0; i < sp.inner; ++i) dx[base + i] = dy[base + i] * inv[c];
      }
    }
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override { return inputs.empty() ? 0 : shape_size(inputs[0]); }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c["axis"] = o_.axis;
    if (!o_.mean.empty()) {
      c["mean"] = o_.mean;
      c["variance"] = o_.variance;
    }
    return c;
  }

 private:
  structural::AxisSplit split(const Shape& batched, size_t a) const {
    const auto sp = structural::split_at(batched, a);
    const int64_t built_for = param_size("mean");
    if (built_for < 0) throw Error(describe(*this) + " is used before it was built or adapted");
    if (sp.size != built_for) {
      throw Error(describe(*this) + " was built for " + std::to_string(built_for) + " features on axis " +
                  std::to_string(o_.axis) + ", got shape " + shape_str(batched));
    }
    return sp;
  }
  int64_t param_size(const std::string& n) const {
    for (const Param& p : params()) {
      if (p.name == n) return p.value.size();
    }
    return -1;
  }
  std::vector<float> inverse_std() {
    const Tensor& var = param("variance")->value;
    std::vector<float> inv(static_cast<size_t>(var.size()));
    for (int64_t c = 0; c < var.size(); ++c) {
      inv[static_cast<size_t>(c)] = static_cast<float>(1.0 / std::max(std::sqrt(static_cast<double>(var[c])), kMinStd));
    }
    return inv;
  }
  std::vector<float> broadcast(const std::vector<float>& v, float fallback, int64_t c, const char* what) const {
    if (v.empty()) return std::vector<float>(static_cast<size_t>(c), fallback);
    if (v.size() == 1) return std::vector<float>(static_cast<size_t>(c), v[0]);
    if (static_cast<int64_t>(v.size()) != c) {
      throw Error(describe(*this) + ": " + what + " has " + std::to_string(v.size()) + " values, the axis has " +
                  std::to_string(c));
    }
    return v;
  }

  NormalizationOptions o_;
};

LayerPtr from_config(const nlohmann::json& c) {
  NormalizationOptions o;
  o.name = c.value("name", "");
  o.axis = c.value("axis", -1);
  if (c.contains("mean") && !c["mean"].is_null()) o.mean = c["mean"].get<std::vector<float>>();
  if (c.contains("variance") && !c["variance"].is_null()) o.variance = c["variance"].get<std::vector<float>>();
  return std::make_shared<NormalizationLayer>(o);
}

const LayerRegistrar kRegister("Normalization", from_config);

}  // namespace

void NormalizationRef::adapt(const Tensor& data) const {
  auto* layer = dynamic_cast<NormalizationLayer*>(ptr().get());
  if (layer == nullptr) throw Error("adapt() called on a layer that is not a Normalization layer");
  layer->adapt(data);
}

NormalizationRef Normalization(const NormalizationOptions& options) {
  return NormalizationRef(std::make_shared<NormalizationLayer>(options));
}

}  // namespace tinyforge::nn
