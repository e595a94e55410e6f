// The oracle: every primitive as the plainest loop that is obviously right. Slow on purpose;
// the cpu backend is tested against it.
#include <cstring>
#include <limits>

#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

namespace {

class ReferenceBackend final : public Backend {
 public:
  std::string name() const override { return "reference"; }

  void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
            const float* b, int64_t ldb, float beta, float* c, int64_t ldc) override {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0.0;
        for (int64_t p = 0; p < k; ++p) {
          const float av = trans_a ? a[p * lda + i] : a[i * lda + p];
          const float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
          sum += static_cast<double>(av) * bv;
        }
        float& cv = c[i * ldc + j];
        // beta == 0 ignores C entirely (BLAS convention), so uninitialized memory is fine.
        cv = static_cast<float>(alpha * sum + (beta == 0.0f ? 0.0 : static_cast<double>(beta) * cv));
      }
    }
  }

  void conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias, float* out) override {
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t oc = 0; oc < g.out_c; ++oc) {
            double sum = bias ? bias[oc] : 0.0;
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                for (int64_t ic = 0; ic < g.in_c; ++ic)
                  sum += static_cast<double>(in[in_index(g, b, iy, ix, ic)]) *
                         filter[((ky * g.k_w + kx) * g.in_c + ic) * g.out_c + oc];
              }
            out[out_index(g, b, oy, ox, oc)] = static_cast<float>(sum);
          }
  }

  void conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter, float* d_in) override {
    std::memset(d_in, 0, sizeof(float) * static_cast<size_t>(g.batch * g.in_h * g.in_w * g.in_c));
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t oc = 0; oc < g.out_c; ++oc) {
            const float d = d_out[out_index(g, b, oy, ox, oc)];
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                for (int64_t ic = 0; ic < g.in_c; ++ic)
                  d_in[in_index(g, b, iy, ix, ic)] += d * filter[((ky * g.k_w + kx) * g.in_c + ic) * g.out_c + oc];
              }
          }
  }

  void conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out, float* d_filter,
                              float* d_bias) override {
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t oc = 0; oc < g.out_c; ++oc) {
            const float d = d_out[out_index(g, b, oy, ox, oc)];
            if (d_bias) d_bias[oc] += d;
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                for (int64_t ic = 0; ic < g.in_c; ++ic)
                  d_filter[((ky * g.k_w + kx) * g.in_c + ic) * g.out_c + oc] += d * in[in_index(g, b, iy, ix, ic)];
              }
          }
  }

  void depthwise_conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                        float* out) override {
    const int64_t mult = g.depth_multiplier;
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t c = 0; c < g.in_c; ++c)
            for (int64_t m = 0; m < mult; ++m) {
              const int64_t oc = c * mult + m;
              double sum = bias ? bias[oc] : 0.0;
              for (int64_t ky = 0; ky < g.k_h; ++ky)
                for (int64_t kx = 0; kx < g.k_w; ++kx) {
                  const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                  const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                  if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                  sum += static_cast<double>(in[in_index(g, b, iy, ix, c)]) * filter[(ky * g.k_w + kx) * g.out_c + oc];
                }
              out[out_index(g, b, oy, ox, oc)] = static_cast<float>(sum);
            }
  }

  void depthwise_conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter,
                                       float* d_in) override {
    std::memset(d_in, 0, sizeof(float) * static_cast<size_t>(g.batch * g.in_h * g.in_w * g.in_c));
    const int64_t mult = g.depth_multiplier;
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t c = 0; c < g.in_c; ++c)
            for (int64_t m = 0; m < mult; ++m) {
              const int64_t oc = c * mult + m;
              const float d = d_out[out_index(g, b, oy, ox, oc)];
              for (int64_t ky = 0; ky < g.k_h; ++ky)
                for (int64_t kx = 0; kx < g.k_w; ++kx) {
                  const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                  const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                  if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                  d_in[in_index(g, b, iy, ix, c)] += d * filter[(ky * g.k_w + kx) * g.out_c + oc];
                }
            }
  }

  void depthwise_conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out, float* d_filter,
                                        float* d_bias) override {
    const int64_t mult = g.depth_multiplier;
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t c = 0; c < g.in_c; ++c)
            for (int64_t m = 0; m < mult; ++m) {
              const int64_t oc = c * mult + m;
              const float d = d_out[out_index(g, b, oy, ox, oc)];
              if (d_bias) d_bias[oc] += d;
              for (int64_t ky = 0; ky < g.k_h; ++ky)
                for (int64_t kx = 0; kx < g.k_w; ++kx) {
                  const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
                  const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
                  if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                  d_filter[(ky * g.k_w + kx) * g.out_c + oc] += d * in[in_index(g, b, iy, ix, c)];
                }
            }
  }

  void max_pool2d(const PoolGeometry& g, const float* in, float* out, int64_t* argmax) override {
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t c = 0; c < g.channels; ++c) {
            // Padding never wins (TensorFlow pads max pooling with -inf); ties keep the first.
            float best = -std::numeric_limits<float>::infinity();
            int64_t best_index = -1;
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t iy = oy * g.stride_h - g.pad_top + ky;
                const int64_t ix = ox * g.stride_w - g.pad_left + kx;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                const int64_t idx = ((b * g.in_h + iy) * g.in_w + ix) * g.channels + c;
                if (best_index < 0 || in[idx] > best) {
                  best = in[idx];
                  best_index = idx;
                }
              }
            const int64_t o = ((b * g.out_h + oy) * g.out_w + ox) * g.channels + c;
            out[o] = best;
            if (argmax) argmax[o] = best_index;
          }
  }

  void max_pool2d_backward(const PoolGeometry& g, const float* d_out, const int64_t* argmax, float* d_in) override {
    std::memset(d_in, 0, sizeof(float) * static_cast<size_t>(g.batch * g.in_h * g.in_w * g.channels));
    const int64_t n = g.batch * g.out_h * g.out_w * g.channels;
    for (int64_t o = 0; o < n; ++o)
      if (argmax[o] >= 0) d_in[argmax[o]] += d_out[o];
  }

  void avg_pool2d(const PoolGeometry& g, const float* in, float* out) override {
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          for (int64_t c = 0; c < g.channels; ++c) {
            double sum = 0.0;
            int64_t count = 0;
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t iy = oy * g.stride_h - g.pad_top + ky;
                const int64_t ix = ox * g.stride_w - g.pad_left + kx;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                sum += in[((b * g.in_h + iy) * g.in_w + ix) * g.channels + c];
                ++count;
              }
            out[((b * g.out_h + oy) * g.out_w + ox) * g.channels + c] =
                count ? static_cast<float>(sum / static_cast<double>(count)) : 0.0f;
          }
  }

  void avg_pool2d_backward(const PoolGeometry& g, const float* d_out, float* d_in) override {
    std::memset(d_in, 0, sizeof(float) * static_cast<size_t>(g.batch * g.in_h * g.in_w * g.channels));
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          // The window's valid count, as in the forward pass.
          const int64_t y0 = oy * g.stride_h - g.pad_top, x0 = ox * g.stride_w - g.pad_left;
          int64_t count = 0;
          for (int64_t ky = 0; ky < g.k_h; ++ky)
            for (int64_t kx = 0; kx < g.k_w; ++kx)
              if (y0 + ky >= 0 && y0 + ky < g.in_h && x0 + kx >= 0 && x0 + kx < g.in_w) ++count;
          if (!count) continue;
          for (int64_t c = 0; c < g.channels; ++c) {
            const float d = d_out[((b * g.out_h + oy) * g.out_w + ox) * g.channels + c] / static_cast<float>(count);
            for (int64_t ky = 0; ky < g.k_h; ++ky)
              for (int64_t kx = 0; kx < g.k_w; ++kx) {
                const int64_t iy = y0 + ky, ix = x0 + kx;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                d_in[((b * g.in_h + iy) * g.in_w + ix) * g.channels + c] += d;
              }
          }
        }
  }

 private:
  static int64_t in_index(const ConvGeometry& g, int64_t b, int64_t y, int64_t x, int64_t c) {
    return ((b * g.in_h + y) * g.in_w + x) * g.in_c + c;
  }
  static int64_t out_index(const ConvGeometry& g, int64_t b, int64_t y, int64_t x, int64_t c) {
    return ((b * g.out_h + y) * g.out_w + x) * g.out_c + c;
  }
};

}  // namespace

std::unique_ptr<Backend> make_reference_backend() { return std::make_unique<ReferenceBackend>(); }

}  // namespace tinyforge::nn
