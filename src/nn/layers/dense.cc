// Dense: y = activation(x W + b) on the last axis of inputs of any rank.
#include "nn/layers/core_util.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

using namespace core_util;

class DenseLayer : public Layer {
 public:
  DenseLayer(int64_t units, DenseOptions o)
      : Layer(layer_name(o.name, "dense")), units_(units), act_(ActivationFn::parse(o.activation)), o_(std::move(o)) {
    check_positive(*this, "units", units_);
  }

  std::string type() const override { return "Dense"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    check_input_count(*this, inputs.size());
    const Shape& in = inputs[0];
    if (in.empty()) throw Error("Dense '" + name() + "' needs an input of rank >= 1 per sample, got a scalar");
    if (built() && in.back() != in_) {
      throw Error("Dense '" + name() + "' was built for " + std::to_string(in_) + " input features, got input " +
                  shape_str(in));
    }
    Shape out = in;
    out.back() = units_;
    return out;
  }

  void build(const std::vector<Shape>& inputs, Rng& rng) override {
    output_shape(inputs);
    in_ = inputs[0].back();
    add_param("kernel", initialize(o_.kernel_initializer, {in_, units_}, rng)).regularizer = o_.kernel_regularizer;
    if (o_.use_bias)
      add_param("bias", initialize(o_.bias_initializer, {units_}, rng)).regularizer = o_.bias_regularizer;
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    check_input_count(*this, call.inputs.size());
    const Tensor& x = *call.inputs[0];
    if (x.rank() < 2 || x.dim(-1) != in_) {
      throw Error("Dense '" + name() + "' expects [batch, ..., " + std::to_string(in_) + "], got " +
                  shape_str(x.shape()));
    }
    const int64_t rows = x.size() / in_;
    Shape out_shape = x.shape();
    out_shape.back() = units_;
    Tensor y = Tensor::for_overwrite(out_shape);  // the bias rows or the gemm (beta 0) write it whole
    const Param& w = params()[0];
    if (o_.use_bias) {
      // Start from the bias rows so the gemm accumulates onto them (beta = 1).
      fill_rows(y.data(), rows, units_, params()[1].value.data());
    }
    backend().gemm(false, false, rows, units_, in_, 1.0f, x.data(), in_, w.value.data(), units_,
                   o_.use_bias ? 1.0f : 0.0f, y.data(), units_);
    fused_activation_forward(act_, call, y, 0);
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override {
    return backward_consuming(call, Tensor(d_output));
  }

  std::vector<Tensor> backward_consuming(LayerCall& call, Tensor&& d_output) override {
    const Tensor& x = *call.inputs[0];
    Tensor dz = std::move(d_output);
    fused_activation_backward_inplace(*this, act_, call, dz, 0);
    const int64_t rows = x.size() / in_;
    Param& w = params()[0];
    if (wants_grad(*this, w)) {
      backend().gemm(true, false, in_, units_, rows, 1.0f, x.data(), in_, dz.data(), units_, 1.0f, w.grad.data(),
                     units_);
    }
    if (o_.use_bias && wants_grad(*this, params()[1]))
      add_column_sums(dz.data(), rows, units_, params()[1].grad.data());
    if (!call.need_input_grad) return {Tensor()};
    Tensor dx = Tensor::for_overwrite(x.shape());
    backend().gemm(false, true, rows, in_, units_, 1.0f, dz.data(), units_, w.value.data(), units_, 0.0f, dx.data(),
                   in_);
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    const Shape& in = inputs.at(0);
    return shape_size(in) * units_;
  }

  nlohmann::json config() const override {
    nlohmann::json c = {{"name", name()},
                        {"trainable", trainable()},
                        {"units", units_},
                        {"use_bias", o_.use_bias},
                        {"kernel_initializer", o_.kernel_initializer.to_json()},
                        {"bias_initializer", o_.bias_initializer.to_json()},
                        {"kernel_regularizer", regularizer_to_json(o_.kernel_regularizer.get())},
                        {"bias_regularizer", regularizer_to_json(o_.bias_regularizer.get())}};
    put_activation(c, act_);
    return c;
  }

  void set_activation(ActivationFn a) { act_ = a; }

 private:
  int64_t units_;
  int64_t in_ = 0;
  ActivationFn act_;
  DenseOptions o_;
};

LayerPtr dense_from_config(const nlohmann::json& c) {
  DenseOptions o;
  o.name = c.value("name", std::string());
  o.use_bias = c.value("use_bias", true);
  if (c.contains("kernel_initializer")) o.kernel_initializer = Initializer::from_json(c["kernel_initializer"]);
  if (c.contains("bias_initializer")) o.bias_initializer = Initializer::from_json(c["bias_initializer"]);
  o.kernel_regularizer = regularizer_from_json(c.value("kernel_regularizer", nlohmann::json()));
  o.bias_regularizer = regularizer_from_json(c.value("bias_regularizer", nlohmann::json()));
  auto layer = std::make_shared<DenseLayer>(c.at("units").get<int64_t>(), o);
  layer->set_activation(get_activation(c));
  return layer;
}

const LayerRegistrar kRegisterDense("Dense", dense_from_config);

}  // namespace

LayerRef Dense(int64_t units, DenseOptions o) {
  return LayerRef(std::make_shared<DenseLayer>(units, std::move(o)));
}

}  // namespace tinyforge::nn
