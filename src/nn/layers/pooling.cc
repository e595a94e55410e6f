// Max and average pooling over steps (1D, [N, steps, C]) or height and width (2D, [N, H, W, C]).
// 1D pooling is 2D pooling with a height of 1, so both go through the backend's pool kernels.
#include "nn/layers/structural_common.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

struct PoolSpec {
  int dims = 2;  // 1 or 2
  bool max = true;
  int64_t k_h = 1, k_w = 1, s_h = 1, s_w = 1;
  bool same = false;
  std::string name;
};

bool parse_padding(const std::string& padding, const std::string& who) {
  if (padding == "valid") return false;
  if (padding == "same") return true;
  throw Error(who + ": padding must be \"valid\" or \"same\", got \"" + padding + "\"");
}

class PoolingLayer : public Layer {
 public:
  explicit PoolingLayer(const PoolSpec& p) : Layer(p.name), p_(p) {
    if (p.k_h < 1 || p.k_w < 1 || p.s_h < 1 || p.s_w < 1) {
      throw Error(describe(*this) + ": pool_size and strides must be >= 1");
    }
  }
  std::string type() const override {
    return std::string(p_.max ? "MaxPooling" : "AveragePooling") + (p_.dims == 1 ? "1D" : "2D");
  }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    const PoolGeometry g = geometry(1, inputs[0]);
    if (p_.dims == 1) return {g.out_w, g.channels};
    return {g.out_h, g.out_w, g.channels};
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    const PoolGeometry g = geometry(x.dim(0), x.sample_shape());
    // The backend writes the output and (in backward) the input gradient whole.
    Tensor y = Tensor::for_overwrite(p_.dims == 1 ? Shape{g.batch, g.out_w, g.channels}
                                                  : Shape{g.batch, g.out_h, g.out_w, g.channels});
    if (p_.max) {
      call.saved_indices.clear();
      call.saved_indices.resize(static_cast<size_t>(y.size()));  // the backend writes every argmax
      backend().max_pool2d(g, x.data(), y.data(), call.saved_indices.data());
    } else {
      backend().avg_pool2d(g, x.data(), y.data());
    }
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    const Tensor& x = structural::only_input(*this, call);
    const PoolGeometry g = geometry(x.dim(0), x.sample_shape());
    Tensor dx = Tensor::for_overwrite(x.shape());
    if (p_.max) {
      if (static_cast<int64_t>(call.saved_indices.size()) != dy.size()) {
        throw Error(describe(*this) + ": backward called without a forward");
      }
      backend().max_pool2d_backward(g, dy.data(), call.saved_indices.data(), dx.data());
    } else {
      backend().avg_pool2d_backward(g, dy.data(), dx.data());
    }
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override {
    const Shape out = output_shape(inputs);
    return shape_size(out) * p_.k_h * p_.k_w;  // one compare or add per window cell
  }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c["padding"] = p_.same ? "same" : "valid";
    if (p_.dims == 1) {
      c["pool_size"] = p_.k_w;
      c["strides"] = p_.s_w;
    } else {
      c["pool_size"] = {p_.k_h, p_.k_w};
      c["strides"] = {p_.s_h, p_.s_w};
    }
    return c;
  }

 private:
  PoolGeometry geometry(int64_t batch, const Shape& s) const {
    const bool one = p_.dims == 1;
    structural::expect_sample_rank(*this, s, one ? 2 : 3, one ? "(steps, channels)" : "(height, width, channels)");
    const int64_t h = one ? 1 : s[0], w = one ? s[0] : s[1], c = one ? s[1] : s[2];
    if (!p_.same && (h < p_.k_h || w < p_.k_w)) {
      throw Error(describe(*this) + ": input " + shape_str(s) + " is smaller than the pool window with padding " +
                  "\"valid\" (use padding \"same\" or a smaller pool_size)");
    }
    return make_pool_geometry(batch, h, w, c, p_.k_h, p_.k_w, p_.s_h, p_.s_w, p_.same);
  }

  PoolSpec p_;
};

LayerPtr pool1d(bool max, int64_t pool_size, const Pooling1DOptions& o) {
  PoolSpec p;
  p.dims = 1;
  p.max = max;
  p.k_w = pool_size;
  p.s_w = o.strides == 0 ? pool_size : o.strides;
  p.same = parse_padding(o.padding, max ? "MaxPooling1D" : "AveragePooling1D");
  p.name = structural::layer_name(o.name, max ? "max_pooling1d" : "average_pooling1d");
  return std::make_shared<PoolingLayer>(p);
}

LayerPtr pool2d(bool max, Size2 pool_size, const Pooling2DOptions& o) {
  PoolSpec p;
  p.max = max;
  p.k_h = pool_size.h;
  p.k_w = pool_size.w;
  p.s_h = o.strides.h == 0 ? pool_size.h : o.strides.h;
  p.s_w = o.strides.w == 0 ? pool_size.w : o.strides.w;
  p.same = parse_padding(o.padding, max ? "MaxPooling2D" : "AveragePooling2D");
  p.name = structural::layer_name(o.name, max ? "max_pooling2d" : "average_pooling2d");
  return std::make_shared<PoolingLayer>(p);
}

// Keras writes 1D sizes as an int or a 1-tuple, 2D sizes as an int or a pair; null strides = pool_size.
int64_t json_size1(const nlohmann::json& j) {
  return j.is_array() ? j.at(0).get<int64_t>() : j.get<int64_t>();
}
Size2 json_size2(const nlohmann::json& j) {
  if (j.is_array()) return Size2(j.at(0).get<int64_t>(), j.at(1).get<int64_t>());
  return Size2(j.get<int64_t>());
}

LayerPtr pool1d_from_config(bool max, const nlohmann::json& c) {
  Pooling1DOptions o;
  o.name = c.value("name", "");
  o.padding = c.value("padding", "valid");
  const int64_t k = c.contains("pool_size") ? json_size1(c["pool_size"]) : 2;
  if (c.contains("strides") && !c["strides"].is_null()) o.strides = json_size1(c["strides"]);
  return pool1d(max, k, o);
}
LayerPtr pool2d_from_config(bool max, const nlohmann::json& c) {
  Pooling2DOptions o;
  o.name = c.value("name", "");
  o.padding = c.value("padding", "valid");
  const Size2 k = c.contains("pool_size") ? json_size2(c["pool_size"]) : Size2(2);
  if (c.contains("strides") && !c["strides"].is_null()) o.strides = json_size2(c["strides"]);
  return pool2d(max, k, o);
}

const LayerRegistrar kRegisterMax1D("MaxPooling1D",
                                    [](const nlohmann::json& c) { return pool1d_from_config(true, c); });
const LayerRegistrar kRegisterAvg1D("AveragePooling1D",
                                    [](const nlohmann::json& c) { return pool1d_from_config(false, c); });
const LayerRegistrar kRegisterMax2D("MaxPooling2D",
                                    [](const nlohmann::json& c) { return pool2d_from_config(true, c); });
const LayerRegistrar kRegisterAvg2D("AveragePooling2D",
                                    [](const nlohmann::json& c) { return pool2d_from_config(false, c); });

}  // namespace

LayerRef MaxPooling1D(int64_t pool_size, const Pooling1DOptions& o) {
  return pool1d(true, pool_size, o);
}
LayerRef AveragePooling1D(int64_t pool_size, const Pooling1DOptions& o) {
  return pool1d(false, pool_size, o);
}
LayerRef MaxPooling2D(Size2 pool_size, const Pooling2DOptions& o) {
  return pool2d(true, pool_size, o);
}
LayerRef AveragePooling2D(Size2 pool_size, const Pooling2DOptions& o) {
  return pool2d(false, pool_size, o);
}

}  // namespace tinyforge::nn
