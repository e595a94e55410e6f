// Rescaling: x * scale + offset (e.g. pixels 0..255 to 0..1 with scale 1/255).
#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

class RescalingLayer : public Layer {
 public:
  RescalingLayer(float scale, const RescalingOptions& o)
      : Layer(structural::layer_name(o.name, "rescaling")), scale_(scale), offset_(o.offset) {}
  std::string type() const override { return "Rescaling"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    return inputs[0];
  }
  Tensor forward(LayerCall& call) override {
    Tensor y = structural::only_input(*this, call);
    for (int64_t i = 0; i < y.size(); ++i) y[i] = y[i] * scale_ + offset_;
    return y;
  }
  std::vector<Tensor> backward(LayerCall&, const Tensor& dy) override {
    Tensor dx = dy;
    for (int64_t i = 0; i < dx.size(); ++i) dx[i] *= scale_;
    return one_gradient(std::move(dx));
  }
  int64_t macs(const std::vector<Shape>& inputs) const override { return inputs.empty() ? 0 : shape_size(inputs[0]); }
  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c.update({{"scale", scale_}, {"offset", offset_}});
    return c;
  }

 private:
  float scale_, offset_;
};

LayerPtr from_config(const nlohmann::json& c) {
  RescalingOptions o;
  o.name = c.value("name", "");
  o.offset = c.value("offset", 0.0f);
  return std::make_shared<RescalingLayer>(c.at("scale").get<float>(), o);
}

const LayerRegistrar kRegister("Rescaling", from_config);

}  // namespace

LayerRef Rescaling(float scale, const RescalingOptions& options) {
  return LayerRef(std::make_shared<RescalingLayer>(scale, options));
}

}  // namespace tinyforge::nn
