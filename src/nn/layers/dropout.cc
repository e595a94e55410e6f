// Dropout: inverted dropout while training (zero with probability `rate`, scale the kept values
// by 1 / (1 - rate) so the expected activation is unchanged); identity at inference.
#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

class DropoutLayer : public Layer {
 public:
  DropoutLayer(float rate, const DropoutOptions& o)
      : Layer(structural::layer_name(o.name, "dropout")), rate_(rate), o_(o), fallback_rng_(o.seed) {
    if (!(rate >= 0.0f && rate < 1.0f)) {
      throw Error(describe(*this) + ": rate must be in [0, 1), got " + std::to_string(rate));
    }
  }
  std::string type() const override { return "Dropout"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    return inputs[0];
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    call.saved.clear();
    if (!call.training || rate_ == 0.0f) return x;
    // The model's Rng keeps a whole run repeatable for its seed; outside a model, our own.
    Rng& rng = call.rng ? *call.rng : fallback_rng_;
    const float keep_scale = 1.0f / (1.0f - rate_);
    Tensor mask(x.shape());
    Tensor y(x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      mask[i] = rng.uniform() < rate_ ? 0.0f : keep_scale;
      y[i] = x[i] * mask[i];
    }
    call.saved.push_back(std::move(mask));
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    if (call.saved.empty()) return {dy};
    const Tensor& mask = call.saved[0];
    Tensor dx(dy.shape());
    for (int64_t i = 0; i < dy.size(); ++i) dx[i] = dy[i] * mask[i];
    return one_gradient(std::move(dx));
  }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c.update({{"rate", rate_}, {"seed", o_.seed}});
    return c;
  }

 private:
  float rate_;
  DropoutOptions o_;
  Rng fallback_rng_;
};

LayerPtr from_config(const nlohmann::json& c) {
  DropoutOptions o;
  o.name = c.value("name", "");
  o.seed = c.value("seed", uint64_t{0});
  return std::make_shared<DropoutLayer>(c.at("rate").get<float>(), o);
}

const LayerRegistrar kRegister("Dropout", from_config);

}  // namespace

LayerRef Dropout(float rate, const DropoutOptions& options) {
  return LayerRef(std::make_shared<DropoutLayer>(rate, options));
}

}  // namespace tinyforge::nn
