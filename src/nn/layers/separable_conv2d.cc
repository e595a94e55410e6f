// SeparableConv2D: a depthwise conv (kernel "depthwise_kernel" [KH, KW, C, M], no bias) then a
// pointwise 1x1 conv ("pointwise_kernel" [1, 1, C*M, filters]) plus "bias" [filters], as Keras.
// The pointwise step is one gemm over all pixels.
#include "nn/layers/core_util.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

using namespace core_util;

constexpr size_t kSlotMid = 0;  // depthwise output, for the pointwise kernel's gradient
constexpr size_t kSlotPre = 1;  // pre-activation, when the activation's derivative needs it

class SeparableConv2DLayer : public Layer {
 public:
  SeparableConv2DLayer(int64_t filters, Size2 kernel, SeparableConv2DOptions o)
      : Layer(layer_name(o.name, "separable_conv2d")),
        filters_(filters),
        kernel_(kernel),
        act_(ActivationFn::parse(o.activation)),
        o_(std::move(o)) {
    check_positive(*this, "filters", filters_);
    check_positive(*this, "kernel_size", std::min(kernel_.h, kernel_.w));
    check_positive(*this, "depth_multiplier", o_.depth_multiplier);
    check_padding(*this, o_.padding);
    check_strides_dilation(*this, o_.strides, o_.dilation_rate);
  }

  std::string type() const override { return "SeparableConv2D"; }

  // Geometry of the depthwise step (out_c = C*M).
  ConvGeometry geometry(int64_t batch, const Shape& in) const {
    if (in.size() != 3) {
      throw Error("SeparableConv2D '" + name() + "' expects inputs [height, width, channels] per sample, got " +
                  shape_str(in));
    }
    if (built() && in[2] != in_c_) {
      throw Error("SeparableConv2D '" + name() + "' was built for " + std::to_string(in_c_) +
                  " input channels, got input " + shape_str(in));
    }
    const int64_t m = o_.depth_multiplier;
    try {
      return make_conv_geometry(batch, in[0], in[1], in[2], in[2] * m, kernel_.h, kernel_.w, o_.strides.h, o_.strides.w,
                                o_.dilation_rate.h, o_.dilation_rate.w, o_.padding == "same", m);
    } catch (const Error& e) {
      throw Error("SeparableConv2D '" + name() + "' on input " + shape_str(in) + ": " + e.what());
    }
  }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    check_input_count(*this, inputs.size());
    const ConvGeometry g = geometry(1, inputs[0]);
    return {g.out_h, g.out_w, filters_};
  }

  void build(const std::vector<Shape>& inputs, Rng& rng) override {
    output_shape(inputs);
    in_c_ = inputs[0][2];
    const int64_t m = o_.depth_multiplier;
    add_param("depthwise_kernel", initialize(o_.depthwise_initializer, {kernel_.h, kernel_.w, in_c_, m}, rng))
        .regularizer = o_.depthwise_regularizer;
    add_param("pointwise_kernel", initialize(o_.pointwise_initializer, {1, 1, in_c_ * m, filters_}, rng)).regularizer =
        o_.pointwise_regularizer;
    if (o_.use_bias) {
      add_param("bias", initialize(o_.bias_initializer, {filters_}, rng)).regularizer = o_.bias_regularizer;
    }
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    check_input_count(*this, call.inputs.size());
    const Tensor& x = *call.inputs[0];
    if (x.rank() != 4) {
      throw Error("SeparableConv2D '" + name() + "' expects a batch [N, H, W, C], got " + shape_str(x.shape()));
    }
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor mid = Tensor::for_overwrite({g.batch, g.out_h, g.out_w, g.out_c});
    backend().depthwise_conv2d(g, x.data(), params()[0].value.data(), nullptr, mid.data());
    const int64_t rows = g.batch * g.out_h * g.out_w;
    Tensor y = Tensor::for_overwrite({g.batch, g.out_h, g.out_w, filters_});
    if (o_.use_bias) {
      const float* b = params()[2].value.data();
      for (int64_t r = 0; r < rows; ++r) std::copy(b, b + filters_, y.data() + r * filters_);
    }
    backend().gemm(false, false, rows, filters_, g.out_c, 1.0f, mid.data(), g.out_c, params()[1].value.data(), filters_,
                   o_.use_bias ? 1.0f : 0.0f, y.data(), filters_);
    if (call.training) {
      if (call.saved.size() <= kSlotMid) call.saved.resize(kSlotMid + 1);
      call.saved[kSlotMid] = std::move(mid);
    }
    fused_activation_forward(act_, call, y, kSlotPre);
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override {
    const Tensor& x = *call.inputs[0];
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    if (call.saved.size() <= kSlotMid || call.saved[kSlotMid].empty()) {
      throw Error("SeparableConv2D '" + name() + "': backward without a training forward");
    }
    const Tensor& mid = call.saved[kSlotMid];
    Tensor dz_storage;
    const Tensor& dz = fused_activation_backward(*this, act_, call, d_output, kSlotPre, dz_storage);
    const int64_t rows = g.batch * g.out_h * g.out_w;
    Param& dw = params()[0];
    Param& pw = params()[1];
    if (wants_grad(*this, pw)) {
      backend().gemm(true, false, g.out_c, filters_, rows, 1.0f, mid.data(), g.out_c, dz.data(), filters_, 1.0f,
                     pw.grad.data(), filters_);
    }
    if (o_.use_bias && wants_grad(*this, params()[2])) {
      float* db = params()[2].grad.data();
      for (int64_t r = 0; r < rows; ++r) {
        const float* row = dz.data() + r * filters_;
        for (int64_t f = 0; f < filters_; ++f) db[f] += row[f];
      }
    }
    Tensor d_mid = Tensor::for_overwrite(mid.shape());
    backend().gemm(false, true, rows, g.out_c, filters_, 1.0f, dz.data(), filters_, pw.value.data(), filters_, 0.0f,
                   d_mid.data(), g.out_c);
    if (wants_grad(*this, dw)) {
      backend().depthwise_conv2d_backward_filter(g, x.data(), d_mid.data(), dw.grad.data(), nullptr);
    }
    Tensor dx = Tensor::for_overwrite(x.shape());
    backend().depthwise_conv2d_backward_input(g, d_mid.data(), dw.value.data(), dx.data());
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    const ConvGeometry g = geometry(1, inputs.at(0));
    return g.out_h * g.out_w * g.out_c * (g.k_h * g.k_w + filters_);
  }

  nlohmann::json config() const override {
    nlohmann::json c = conv_config(*this, o_, act_);
    c["filters"] = filters_;
    c["kernel_size"] = size2_json(kernel_);
    c["strides"] = size2_json(o_.strides);
    c["dilation_rate"] = size2_json(o_.dilation_rate);
    c["depth_multiplier"] = o_.depth_multiplier;
    put_weight_config(c, "depthwise", o_.depthwise_initializer, o_.depthwise_regularizer);
    put_weight_config(c, "pointwise", o_.pointwise_initializer, o_.pointwise_regularizer);
    return c;
  }

  void set_activation(ActivationFn a) { act_ = a; }

 private:
  int64_t filters_;
  Size2 kernel_;
  int64_t in_c_ = 0;
  ActivationFn act_;
  SeparableConv2DOptions o_;
};

LayerPtr separable_from_config(const nlohmann::json& c) {
  SeparableConv2DOptions o;
  read_conv_config(c, o);
  if (c.contains("strides")) o.strides = size2_from(c["strides"]);
  if (c.contains("dilation_rate")) o.dilation_rate = size2_from(c["dilation_rate"]);
  o.depth_multiplier = c.value("depth_multiplier", int64_t{1});
  read_weight_config(c, "depthwise", o.depthwise_initializer, o.depthwise_regularizer);
  read_weight_config(c, "pointwise", o.pointwise_initializer, o.pointwise_regularizer);
  auto layer =
      std::make_shared<SeparableConv2DLayer>(c.at("filters").get<int64_t>(), size2_from(c.at("kernel_size")), o);
  layer->set_activation(get_activation(c));
  return layer;
}

const LayerRegistrar kRegisterSeparable("SeparableConv2D", separable_from_config);

}  // namespace

LayerRef SeparableConv2D(int64_t filters, Size2 kernel_size, SeparableConv2DOptions o) {
  return LayerRef(std::make_shared<SeparableConv2DLayer>(filters, kernel_size, std::move(o)));
}

}  // namespace tinyforge::nn
