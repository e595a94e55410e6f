// Conv2D: y = activation(conv(x, kernel) + bias), NHWC, kernel [KH, KW, Cin, Cout].
#include "nn/layers/core_util.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

using namespace core_util;

class Conv2DLayer : public Layer {
 public:
  Conv2DLayer(int64_t filters, Size2 kernel, Conv2DOptions o)
      : Layer(layer_name(o.name, "conv2d")),
        filters_(filters),
        kernel_(kernel),
        act_(ActivationFn::parse(o.activation)),
        o_(std::move(o)) {
    check_positive(*this, "filters", filters_);
    check_positive(*this, "kernel_size", std::min(kernel_.h, kernel_.w));
    check_padding(*this, o_.padding);
    check_strides_dilation(*this, o_.strides, o_.dilation_rate);
  }

  std::string type() const override { return "Conv2D"; }

  ConvGeometry geometry(int64_t batch, const Shape& in) const {
    if (in.size() != 3) {
      throw Error("Conv2D '" + name() + "' expects inputs [height, width, channels] per sample, got " + shape_str(in));
    }
    if (built() && in[2] != in_c_) {
      throw Error("Conv2D '" + name() + "' was built for " + std::to_string(in_c_) + " input channels, got input " +
                  shape_str(in));
    }
    try {
      return make_conv_geometry(batch, in[0], in[1], in[2], filters_, kernel_.h, kernel_.w, o_.strides.h, o_.strides.w,
                                o_.dilation_rate.h, o_.dilation_rate.w, o_.padding == "same");
    } catch (const Error& e) {
      throw Error("Conv2D '" + name() + "' on input " + shape_str(in) + ": " + e.what());
    }
  }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    check_input_count(*this, inputs.size());
    const ConvGeometry g = geometry(1, inputs[0]);
    return {g.out_h, g.out_w, g.out_c};
  }

  void build(const std::vector<Shape>& inputs, Rng& rng) override {
    output_shape(inputs);
    in_c_ = inputs[0][2];
    add_param("kernel", initialize(o_.kernel_initializer, {kernel_.h, kernel_.w, in_c_, filters_}, rng)).regularizer =
        o_.kernel_regularizer;
    if (o_.use_bias) {
      add_param("bias", initialize(o_.bias_initializer, {filters_}, rng)).regularizer = o_.bias_regularizer;
    }
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    check_input_count(*this, call.inputs.size());
    const Tensor& x = *call.inputs[0];
    if (x.rank() != 4) throw Error("Conv2D '" + name() + "' expects a batch [N, H, W, C], got " + shape_str(x.shape()));
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor y = Tensor::for_overwrite({g.batch, g.out_h, g.out_w, g.out_c});  // the backend writes it whole
    conv2d_with_activation(act_, call, g, x.data(), params()[0].value.data(),
                           o_.use_bias ? params()[1].value.data() : nullptr, y);
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override {
    return backward_consuming(call, Tensor(d_output));
  }

  std::vector<Tensor> backward_consuming(LayerCall& call, Tensor&& d_output) override {
    const Tensor& x = *call.inputs[0];
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor dz = std::move(d_output);
    fused_activation_backward_inplace(*this, act_, call, dz, 0);
    Param& k = params()[0];
    const bool grad_k = wants_grad(*this, k);
    const bool grad_b = o_.use_bias && wants_grad(*this, params()[1]);
    if (grad_k || grad_b) {
      // The backend computes both in one pass; route an unwanted one into scratch.
      Tensor scratch_k, scratch_b;
      float* dk = grad_k ? k.grad.data() : (scratch_k = Tensor(k.value.shape())).data();
      float* db = nullptr;
      if (o_.use_bias) db = grad_b ? params()[1].grad.data() : (scratch_b = Tensor({filters_})).data();
      backend().conv2d_backward_filter(g, x.data(), dz.data(), dk, db);
    }
    if (!call.need_input_grad) return {Tensor()};
    Tensor dx = Tensor::for_overwrite(x.shape());
    backend().conv2d_backward_input(g, dz.data(), k.value.data(), dx.data());
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    const ConvGeometry g = geometry(1, inputs.at(0));
    return g.out_h * g.out_w * g.out_c * g.k_h * g.k_w * g.in_c;
  }

  nlohmann::json config() const override {
    nlohmann::json c = conv_config(*this, o_, act_);
    c["filters"] = filters_;
    c["kernel_size"] = size2_json(kernel_);
    c["strides"] = size2_json(o_.strides);
    c["dilation_rate"] = size2_json(o_.dilation_rate);
    put_weight_config(c, "kernel", o_.kernel_initializer, o_.kernel_regularizer);
    return c;
  }

  void set_activation(ActivationFn a) { act_ = a; }

 private:
  int64_t filters_;
  Size2 kernel_;
  int64_t in_c_ = 0;
  ActivationFn act_;
  Conv2DOptions o_;
};

LayerPtr conv2d_from_config(const nlohmann::json& c) {
  Conv2DOptions o;
  read_conv_config(c, o);
  if (c.contains("strides")) o.strides = size2_from(c["strides"]);
  if (c.contains("dilation_rate")) o.dilation_rate = size2_from(c["dilation_rate"]);
  read_weight_config(c, "kernel", o.kernel_initializer, o.kernel_regularizer);
  auto layer = std::make_shared<Conv2DLayer>(c.at("filters").get<int64_t>(), size2_from(c.at("kernel_size")), o);
  layer->set_activation(get_activation(c));
  return layer;
}

const LayerRegistrar kRegisterConv2D("Conv2D", conv2d_from_config);

}  // namespace

LayerRef Conv2D(int64_t filters, Size2 kernel_size, Conv2DOptions o) {
  return LayerRef(std::make_shared<Conv2DLayer>(filters, kernel_size, std::move(o)));
}

}  // namespace tinyforge::nn
