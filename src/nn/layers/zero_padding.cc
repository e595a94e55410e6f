// ZeroPadding1D/2D: zeros around the steps (1D) or height and width (2D); 1D is 2D with H = 1.
#include <cstring>

#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

class ZeroPaddingLayer : public Layer {
 public:
  ZeroPaddingLayer(int dims, Padding2D p, const std::string& name)
      : Layer(structural::layer_name(name, dims == 1 ? "zero_padding1d" : "zero_padding2d")), dims_(dims), p_(p) {
    if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0) throw Error(describe(*this) + ": padding must be >= 0");
  }
  std::string type() const override { return dims_ == 1 ? "ZeroPadding1D" : "ZeroPadding2D"; }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    const Shape& s = inputs[0];
    structural::expect_sample_rank(*this, s, dims_ == 1 ? 2 : 3,
                                   dims_ == 1 ? "(steps, channels)" : "(height, width, channels)");
    if (dims_ == 1) return {s[0] + p_.left + p_.right, s[1]};
    return {s[0] + p_.top + p_.bottom, s[1] + p_.left + p_.right, s[2]};
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    Tensor y(structural::with_batch(x.dim(0), output_shape({x.sample_shape()})), 0.0f);
    copy_rows(x.shape(), x.data(), y.data(), /*into_padded=*/true);
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    Tensor dx(structural::only_input(*this, call).shape());
    copy_rows(dx.shape(), dy.data(), dx.data(), /*into_padded=*/false);
    return one_gradient(std::move(dx));
  }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    if (dims_ == 1)
      c["padding"] = {p_.left, p_.right};
    else
      c["padding"] = {{p_.top, p_.bottom}, {p_.left, p_.right}};
    return c;
  }

 private:
  // Copies each unpadded row of W*C values between the unpadded tensor (shape `small`) and its
  // place inside the padded one: into it for forward, out of it for backward.
  void copy_rows(const Shape& small, const float* src, float* dst, bool into_padded) const {
    const bool one = dims_ == 1;
    const int64_t n = small[0], h = one ? 1 : small[1], w = small[small.size() - 2], c = small.back();
    const int64_t ph = h + (one ? 0 : p_.top + p_.bottom), pw = w + p_.left + p_.right;
    const int64_t top = one ? 0 : p_.top;
    const size_t row_bytes = static_cast<size_t>(w * c) * sizeof(float);
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t i = 0; i < h; ++i) {
        const int64_t s = (b * h + i) * w * c, p = ((b * ph + i + top) * pw + p_.left) * c;
        if (into_padded)
          std::memcpy(dst + p, src + s, row_bytes);
        else
          std::memcpy(dst + s, src + p, row_bytes);
      }
    }
  }

  int dims_;
  Padding2D p_;
};

Padding2D as_2d(Padding1D p) {
  return Padding2D({0, 0}, {p.left, p.right});
}

// Keras accepts an int, a pair, or (2D) a pair of pairs.
LayerPtr from_config_1d(const nlohmann::json& c) {
  const nlohmann::json& p = c.at("padding");
  const Padding1D pad =
      p.is_array() ? Padding1D(p.at(0).get<int64_t>(), p.at(1).get<int64_t>()) : Padding1D(p.get<int64_t>());
  return std::make_shared<ZeroPaddingLayer>(1, as_2d(pad), c.value("name", ""));
}
LayerPtr from_config_2d(const nlohmann::json& c) {
  const nlohmann::json& p = c.at("padding");
  Padding2D pad(1);
  if (!p.is_array())
    pad = Padding2D(p.get<int64_t>());
  else if (p.at(0).is_array())
    pad = Padding2D(p[0].get<std::array<int64_t, 2>>(), p.at(1).get<std::array<int64_t, 2>>());
  else
    pad = Padding2D(p[0].get<int64_t>(), p.at(1).get<int64_t>());
  return std::make_shared<ZeroPaddingLayer>(2, pad, c.value("name", ""));
}

const LayerRegistrar kRegister1D("ZeroPadding1D", from_config_1d);
const LayerRegistrar kRegister2D("ZeroPadding2D", from_config_2d);

}  // namespace

LayerRef ZeroPadding1D(Padding1D padding, std::string name) {
  return LayerRef(std::make_shared<ZeroPaddingLayer>(1, as_2d(padding), name));
}
LayerRef ZeroPadding2D(Padding2D padding, std::string name) {
  return LayerRef(std::make_shared<ZeroPaddingLayer>(2, padding, name));
}

}  // namespace tinyforge::nn
