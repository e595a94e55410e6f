// DepthwiseConv2D: each input channel c convolved with its own M filters; output channel c*M + m.
// Kernel "kernel" [KH, KW, C, M] (Keras 3's weight name), bias [C*M].
#include "nn/layers/core_util.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

using namespace core_util;

class DepthwiseConv2DLayer : public Layer {
 public:
  DepthwiseConv2DLayer(Size2 kernel, DepthwiseConv2DOptions o)
      : Layer(layer_name(o.name, "depthwise_conv2d")),
        kernel_(kernel),
        act_(ActivationFn::parse(o.activation)),
        o_(std::move(o)) {
    check_positive(*this, "kernel_size", std::min(kernel_.h, kernel_.w));
    check_positive(*this, "depth_multiplier", o_.depth_multiplier);
    check_padding(*this, o_.padding);
    check_strides_dilation(*this, o_.strides, o_.dilation_rate);
  }

  std::string type() const override { return "DepthwiseConv2D"; }

  ConvGeometry geometry(int64_t batch, const Shape& in) const {
    if (in.size() != 3) {
      throw Error("DepthwiseConv2D '" + name() + "' expects inputs [height, width, channels] per sample, got " +
                  shape_str(in));
    }
    if (built() && in[2] != in_c_) {
      throw Error("DepthwiseConv2D '" + name() + "' was built for " + std::to_string(in_c_) +
                  " input channels, got input " + shape_str(in));
    }
    const int64_t m = o_.depth_multiplier;
    try {
      return make_conv_geometry(batch, in[0], in[1], in[2], in[2] * m, kernel_.h, kernel_.w, o_.strides.h, o_.strides.w,
                                o_.dilation_rate.h, o_.dilation_rate.w, o_.padding == "same", m);
    } catch (const Error& e) {
      throw Error("DepthwiseConv2D '" + name() + "' on input " + shape_str(in) + ": " + e.what());
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
    const int64_t m = o_.depth_multiplier;
    add_param("kernel", initialize(o_.depthwise_initializer, {kernel_.h, kernel_.w, in_c_, m}, rng)).regularizer =
        o_.depthwise_regularizer;
    if (o_.use_bias) {
      add_param("bias", initialize(o_.bias_initializer, {in_c_ * m}, rng)).regularizer = o_.bias_regularizer;
    }
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    check_input_count(*this, call.inputs.size());
    const Tensor& x = *call.inputs[0];
    if (x.rank() != 4) {
      throw Error("DepthwiseConv2D '" + name() + "' expects a batch [N, H, W, C], got " + shape_str(x.shape()));
    }
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor y = Tensor::for_overwrite({g.batch, g.out_h, g.out_w, g.out_c});  // the backend writes it whole
    backend().depthwise_conv2d(g, x.data(), params()[0].value.data(), o_.use_bias ? params()[1].value.data() : nullptr,
                               y.data());
    fused_activation_forward(act_, call, y, 0);
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override {
    const Tensor& x = *call.inputs[0];
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor dz_storage;
    const Tensor& dz = fused_activation_backward(*this, act_, call, d_output, 0, dz_storage);
    Param& k = params()[0];
    const bool grad_k = wants_grad(*this, k);
    const bool grad_b = o_.use_bias && wants_grad(*this, params()[1]);
    if (grad_k || grad_b) {
      Tensor scratch_k, scratch_b;
      float* dk = grad_k ? k.grad.data() : (scratch_k = Tensor(k.value.shape())).data();
      float* db = nullptr;
      if (o_.use_bias) db = grad_b ? params()[1].grad.data() : (scratch_b = Tensor({g.out_c})).data();
      backend().depthwise_conv2d_backward_filter(g, x.data(), dz.data(), dk, db);
    }
    if (!call.need_input_grad) return {Tensor()};
    Tensor dx = Tensor::for_overwrite(x.shape());
    backend().depthwise_conv2d_backward_input(g, dz.data(), k.value.data(), dx.data());
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    const ConvGeometry g = geometry(1, inputs.at(0));
    return g.out_h * g.out_w * g.out_c * g.k_h * g.k_w;
  }

  nlohmann::json config() const override {
    nlohmann::json c = conv_config(*this, o_, act_);
    c["kernel_size"] = size2_json(kernel_);
    c["depth_multiplier"] = o_.depth_multiplier;
    c["strides"] = size2_json(o_.strides);
    c["dilation_rate"] = size2_json(o_.dilation_rate);
    put_weight_config(c, "depthwise", o_.depthwise_initializer, o_.depthwise_regularizer);
    return c;
  }

  void set_activation(ActivationFn a) { act_ = a; }

 private:
  Size2 kernel_;
  int64_t in_c_ = 0;
  ActivationFn act_;
  DepthwiseConv2DOptions o_;
};

LayerPtr depthwise_from_config(const nlohmann::json& c) {
  DepthwiseConv2DOptions o;
  read_conv_config(c, o);
  o.depth_multiplier = c.value("depth_multiplier", int64_t{1});
  if (c.contains("strides")) o.strides = size2_from(c["strides"]);
  if (c.contains("dilation_rate")) o.dilation_rate = size2_from(c["dilation_rate"]);
  read_weight_config(c, "depthwise", o.depthwise_initializer, o.depthwise_regularizer);
  auto layer = std::make_shared<DepthwiseConv2DLayer>(size2_from(c.at("kernel_size")), o);
  layer->set_activation(get_activation(c));
  return layer;
}

const LayerRegistrar kRegisterDepthwise("DepthwiseConv2D", depthwise_from_config);

}  // namespace

LayerRef DepthwiseConv2D(Size2 kernel_size, DepthwiseConv2DOptions o) {
  return LayerRef(std::make_shared<DepthwiseConv2DLayer>(kernel_size, std::move(o)));
}

}  // namespace tinyforge::nn
