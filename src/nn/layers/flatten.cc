// Flatten: each sample becomes one vector (the data does not move: row-major order is kept).
#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

class FlattenLayer : public Layer {
 public:
  explicit FlattenLayer(const std::string& name) : Layer(structural::layer_name(name, "flatten")) {}
  std::string type() const override { return "Flatten"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    return {shape_size(inputs[0])};  // a per-sample scalar becomes (1,), as in Keras
  }
  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    return x.reshaped(structural::with_batch(x.dim(0), output_shape({x.sample_shape()})));
  }
  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    return one_gradient(dy.reshaped(structural::only_input(*this, call).shape()));
  }
  nlohmann::json config() const override { return structural::base_config(*this); }
};

const LayerRegistrar kRegister("Flatten", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<FlattenLayer>(c.value("name", ""));
});

}  // namespace

LayerRef Flatten(std::string name) {
  return LayerRef(std::make_shared<FlattenLayer>(name));
}

}  // namespace tinyforge::nn
