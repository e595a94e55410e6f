// Conv1D on [steps, channels], computed by the 2D backend with height 1: an input [N, W, C] is
// [N, 1, W, C] in memory and the kernel [K, Cin, Cout] is [1, K, Cin, Cout].
#include "nn/layers/core_util.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

using namespace core_util;

class Conv1DLayer : public Layer {
 public:
  Conv1DLayer(int64_t filters, int64_t kernel, Conv1DOptions o)
      : Layer(layer_name(o.name, "conv1d")),
        filters_(filters),
        kernel_(kernel),
        act_(ActivationFn::parse(o.activation)),
        o_(std::move(o)) {
    check_positive(*this, "filters", filters_);
    check_positive(*this, "kernel_size", kernel_);
    check_padding(*this, o_.padding, /*allow_causal=*/true);
    check_strides_dilation(*this, Size2(o_.strides), Size2(o_.dilation_rate));
  }

  std::string type() const override { return "Conv1D"; }

  ConvGeometry geometry(int64_t batch, const Shape& in) const {
    if (in.size() != 2) {
      throw Error("Conv1D '" + name() + "' expects inputs [steps, channels] per sample, got " + shape_str(in));
    }
    if (built() && in[1] != in_c_) {
      throw Error("Conv1D '" + name() + "' was built for " + std::to_string(in_c_) + " input channels, got input " +
                  shape_str(in));
    }
    try {
      if (o_.padding == "causal") {
        // Left-pad by the dilated kernel's reach so output t sees inputs <= t only: a 'valid'
        // conv over the padded length, then the padding moved into pad_left.
        const int64_t pad = o_.dilation_rate * (kernel_ - 1);
        ConvGeometry g = make_conv_geometry(batch, 1, in[0] + pad, in[1], filters_, 1, kernel_, 1, o_.strides, 1,
                                            o_.dilation_rate, false);
        g.in_w = in[0];
        g.pad_left = pad;
        return g;
      }
      return make_conv_geometry(batch, 1, in[0], in[1], filters_, 1, kernel_, 1, o_.strides, 1, o_.dilation_rate,
                                o_.padding == "same");
    } catch (const Error& e) {
      throw Error("Conv1D '" + name() + "' on input " + shape_str(in) + ": " + e.what());
    }
  }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    check_input_count(*this, inputs.size());
    const ConvGeometry g = geometry(1, inputs[0]);
    return {g.out_w, g.out_c};
  }

  void build(const std::vector<Shape>& inputs, Rng& rng) override {
    output_shape(inputs);
    in_c_ = inputs[0][1];
    add_param("kernel", initialize(o_.kernel_initializer, {kernel_, in_c_, filters_}, rng)).regularizer =
        o_.kernel_regularizer;
    if (o_.use_bias) {
      add_param("bias", initialize(o_.bias_initializer, {filters_}, rng)).regularizer = o_.bias_regularizer;
    }
    mark_built();
  }

  Tensor forward(LayerCall& call) override {
    check_input_count(*this, call.inputs.size());
    const Tensor& x = *call.inputs[0];
    if (x.rank() != 3)
      throw Error("Conv1D '" + name() + "' expects a batch [N, steps, C], got " + shape_str(x.shape()));
    const ConvGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor y = Tensor::for_overwrite({g.batch, g.out_w, g.out_c});  // the backend writes it whole
    conv2d_with_activation(act_, call, g, x.data(), params()[0].value.data(),
                           o_.use_bias ? params()[1].value.data() : nullptr, y);
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
    return g.out_w * g.out_c * g.k_w * g.in_c;
  }

  nlohmann::json config() const override {
    nlohmann::json c = conv_config(*this, o_, act_);
    c["filters"] = filters_;
    c["kernel_size"] = nlohmann::json::array({kernel_});
    c["strides"] = nlohmann::json::array({o_.strides});
    c["dilation_rate"] = nlohmann::json::array({o_.dilation_rate});
    put_weight_config(c, "kernel", o_.kernel_initializer, o_.kernel_regularizer);
    return c;
  }

  void set_activation(ActivationFn a) { act_ = a; }

 private:
  int64_t filters_;
  int64_t kernel_;
  int64_t in_c_ = 0;
  ActivationFn act_;
  Conv1DOptions o_;
};

LayerPtr conv1d_from_config(const nlohmann::json& c) {
  Conv1DOptions o;
  read_conv_config(c, o);
  if (c.contains("strides")) o.strides = int1_from(c["strides"]);
  if (c.contains("dilation_rate")) o.dilation_rate = int1_from(c["dilation_rate"]);
  read_weight_config(c, "kernel", o.kernel_initializer, o.kernel_regularizer);
  auto layer = std::make_shared<Conv1DLayer>(c.at("filters").get<int64_t>(), int1_from(c.at("kernel_size")), o);
  layer->set_activation(get_activation(c));
  return layer;
}

const LayerRegistrar kRegisterConv1D("Conv1D", conv1d_from_config);

}  // namespace

LayerRef Conv1D(int64_t filters, int64_t kernel_size, Conv1DOptions o) {
  return LayerRef(std::make_shared<Conv1DLayer>(filters, kernel_size, std::move(o)));
}

}  // namespace tinyforge::nn
