// Global average / max pooling: one value per channel over all steps (1D) or all of H x W (2D).
#include <algorithm>
#include <vector>

#include "nn/layers/structural_common.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural::describe;

class GlobalPoolingLayer : public Layer {
 public:
  GlobalPoolingLayer(int dims, bool max, const GlobalPoolingOptions& o)
      : Layer(structural::layer_name(o.name, prefix(dims, max))), dims_(dims), max_(max), o_(o) {}
  std::string type() const override {
    return std::string(max_ ? "GlobalMaxPooling" : "GlobalAveragePooling") + (dims_ == 1 ? "1D" : "2D");
  }

  Shape output_shape(const std::vector<Shape>& inputs) const override {
    structural::expect_input_count(*this, inputs, 1);
    check(inputs[0]);
    const int64_t c = inputs[0].back();
    if (!o_.keepdims) return {c};
    return dims_ == 1 ? Shape{1, c} : Shape{1, 1, c};
  }

  Tensor forward(LayerCall& call) override {
    const Tensor& x = structural::only_input(*this, call);
    check(x.sample_shape());
    const int64_t n = x.dim(0), c = x.dim(-1), cells = x.size() / (n * c > 0 ? n * c : 1);
    Tensor y(structural::with_batch(n, output_shape({x.sample_shape()})));
    if (cells == 0) throw Error(describe(*this) + ": input " + shape_str(x.shape()) + " has no cells to pool");
    if (max_) call.saved_indices.assign(static_cast<size_t>(n * c), 0);
    // Images are independent: split between threads. Within one, the cells go in memory order
    // (channels innermost, contiguous); each channel still takes its cells in order.
    for_chunks(n, cells * c, [&](int64_t b0, int64_t b1) {
      std::vector<double> sum(static_cast<size_t>(c));
      for (int64_t b = b0; b < b1; ++b) {
        const float* in = x.data() + b * cells * c;
        float* out = y.data() + b * c;
        if (max_) {
          // The first maximum wins ties, so backward sends the gradient to one cell.
          int64_t* best = call.saved_indices.data() + b * c;
          for (int64_t ch = 0; ch < c; ++ch) out[ch] = in[ch];
          for (int64_t i = 1; i < cells; ++i)
            for (int64_t ch = 0; ch < c; ++ch)
              if (in[i * c + ch] > out[ch]) {
                out[ch] = in[i * c + ch];
                best[ch] = i;
              }
          continue;
        }
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int64_t i = 0; i < cells; ++i)
          for (int64_t ch = 0; ch < c; ++ch) sum[static_cast<size_t>(ch)] += in[i * c + ch];
        for (int64_t ch = 0; ch < c; ++ch)
          out[ch] = static_cast<float>(sum[static_cast<size_t>(ch)] / static_cast<double>(cells));
      }
    });
    return y;
  }

  std::vector<Tensor> backward(LayerCall& call, const Tensor& dy) override {
    const Tensor& x = structural::only_input(*this, call);
    const int64_t n = x.dim(0), c = x.dim(-1), cells = x.size() / (n * c > 0 ? n * c : 1);
    // Average pooling writes every cell; max pooling one per channel, into zeros.
    Tensor dx = max_ ? Tensor(x.shape(), 0.0f) : Tensor::for_overwrite(x.shape());
    if (max_ && static_cast<int64_t>(call.saved_indices.size()) != n * c) {
      throw Error(describe(*this) + ": backward called without a forward");
    }
    for_chunks(n, cells * c, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        float* d = dx.data() + b * cells * c;
        const float* g = dy.data() + b * c;
        if (max_) {
          for (int64_t ch = 0; ch < c; ++ch) d[call.saved_indices[static_cast<size_t>(b * c + ch)] * c + ch] = g[ch];
          continue;
        }
        for (int64_t i = 0; i < cells; ++i)
          for (int64_t ch = 0; ch < c; ++ch) d[i * c + ch] = g[ch] / static_cast<float>(cells);
      }
    });
    return one_gradient(std::move(dx));
  }

  int64_t macs(const std::vector<Shape>& inputs) const override { return inputs.empty() ? 0 : shape_size(inputs[0]); }

  nlohmann::json config() const override {
    nlohmann::json c = structural::base_config(*this);
    c["keepdims"] = o_.keepdims;
    return c;
  }

 private:
  static const char* prefix(int dims, bool max) {
    if (max) return dims == 1 ? "global_max_pooling1d" : "global_max_pooling2d";
    return dims == 1 ? "global_average_pooling1d" : "global_average_pooling2d";
  }
  void check(const Shape& s) const {
    structural::expect_sample_rank(*this, s, dims_ == 1 ? 2 : 3,
                                   dims_ == 1 ? "(steps, channels)" : "(height, width, channels)");
  }

  int dims_;
  bool max_;
  GlobalPoolingOptions o_;
};

LayerPtr make(int dims, bool max, const GlobalPoolingOptions& o) {
  return std::make_shared<GlobalPoolingLayer>(dims, max, o);
}

template <int kDims, bool kMax>
LayerPtr from_config(const nlohmann::json& c) {
  GlobalPoolingOptions o;
  o.name = c.value("name", "");
  o.keepdims = c.value("keepdims", false);
  return make(kDims, kMax, o);
}

const LayerRegistrar kRegisterAvg1D("GlobalAveragePooling1D", from_config<1, false>);
const LayerRegistrar kRegisterAvg2D("GlobalAveragePooling2D", from_config<2, false>);
const LayerRegistrar kRegisterMax1D("GlobalMaxPooling1D", from_config<1, true>);
const LayerRegistrar kRegisterMax2D("GlobalMaxPooling2D", from_config<2, true>);

}  // namespace

LayerRef GlobalAveragePooling1D(const GlobalPoolingOptions& o) {
  return make(1, false, o);
}
LayerRef GlobalAveragePooling2D(const GlobalPoolingOptions& o) {
  return make(2, false, o);
}
LayerRef GlobalMaxPooling1D(const GlobalPoolingOptions& o) {
  return make(1, true, o);
}
LayerRef GlobalMaxPooling2D(const GlobalPoolingOptions& o) {
  return make(2, true, o);
}

}  // namespace tinyforge::nn
