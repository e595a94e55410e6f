// Activation: an activation function as a layer (Keras' layers.Activation).
#include "nn/layers/core_util.h"

namespace tinyforge::nn {
namespace {

using namespace core_util;

class ActivationLayer : public Layer {
 public:
  ActivationLayer(ActivationFn act, const std::string& name) : Layer(layer_name(name, "activation")), act_(act) {}

  std::string type() const override { return "Activation"; }
  const ActivationFn* as_activation() const override { return &act_; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    check_input_count(*this, inputs.size());
    return inputs[0];
  }

  void build(const std::vector<Shape>& inputs, Rng& rng) override {
    (void)rng;
    output_shape(inputs);
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    check_input_count(*this, call.inputs.size());
    const Tensor& x = *call.inputs[0];
    if (x.rank() < 1) throw Error("Activation '" + name() + "' needs a batch, got a scalar");
    return act_.forward(x);
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override {
    // The input is alive during backward (LayerCall::inputs), so nothing is saved in forward.
    const Tensor& x = *call.inputs[0];
    if (act_.is_linear()) return {d_output};
    Tensor y_local;
    const Tensor* y = call.output;
    if (y == nullptr) {
      y_local = act_.forward(x);
      y = &y_local;
    }
    return one_gradient(act_.backward(&x, *y, d_output));
  }

  std::vector<Tensor> backward_consuming(LayerCall& call, Tensor&& d_output) override {
    const Tensor* y = call.output;
    if (y == nullptr || y->shape() != d_output.shape()) return backward(call, d_output);  // the checked path
    const Tensor& x = *call.inputs[0];
    act_.backward(x.data(), y->data(), d_output.data(), d_output.data(), d_output.size(),
                  d_output.rank() > 0 ? d_output.dim(-1) : 1);
    return one_gradient(std::move(d_output));
  }

  nlohmann::json config() const override {
    nlohmann::json c = {{"name", name()}, {"trainable", trainable()}, {"activation", act_.name()}};
    if (!act_.has_default_alpha()) c["alpha"] = act_.alpha();
    return c;
  }

 private:
  ActivationFn act_;
};

LayerPtr activation_from_config(const nlohmann::json& c) {
  return std::make_shared<ActivationLayer>(
      ActivationFn::parse(c.value("activation", std::string("linear")), c.value("alpha", -1.0f)),
      c.value("name", std::string()));
}

const LayerRegistrar kRegisterActivation("Activation", activation_from_config);

}  // namespace

LayerRef Activation(const std::string& activation, ActivationOptions o) {
  return LayerRef(std::make_shared<ActivationLayer>(ActivationFn::parse(activation, o.alpha), o.name));
}

}  // namespace tinyforge::nn
