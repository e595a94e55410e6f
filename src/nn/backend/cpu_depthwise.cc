// Depthwise convolution on the cpu backend: direct loops vectorized over channels (NHWC keeps
// them contiguous), split over output rows or images; filter gradients as per-thread partials
// reduced in thread order.
#include <cstring>

#include "nn/backend/cpu_backend.h"

namespace tinyforge::nn {

void CpuBackend::depthwise_conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                                  float* out) {
  const int64_t c_in = g.in_c, mult = g.depth_multiplier, oc = g.out_c;
  pool_->parallel_for(g.batch * g.out_h, 4, [&](int, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        float* o = out + (r * g.out_w + ox) * oc;
        if (bias)
          std::memcpy(o, bias, sizeof(float) * static_cast<size_t>(oc));
        else
          std::memset(o, 0, sizeof(float) * static_cast<size_t>(oc));
        for (int64_t ky = 0; ky < g.k_h; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int64_t kx = 0; kx < g.k_w; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const float* p = in + ((b * g.in_h + iy) * g.in_w + ix) * c_in;
            const float* f = filter + (ky * g.k_w + kx) * oc;
            if (mult == 1) {
              for (int64_t c = 0; c < c_in; ++c) o[c] += p[c] * f[c];
            } else {
              for (int64_t c = 0; c < c_in; ++c)
                for (int64_t m = 0; m < mult; ++m) o[c * mult + m] += p[c] * f[c * mult + m];
            }
          }
        }
      }
    }
  });
}

void CpuBackend::depthwise_conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter,
                                                 float* d_in) {
  const int64_t c_in = g.in_c, mult = g.depth_multiplier, oc = g.out_c, image = g.in_h * g.in_w * c_in;
  // One image per task: the scatter stays inside an image.
  pool_->parallel_for(g.batch, 1, [&](int, int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* d_img = d_in + b * image;
      std::memset(d_img, 0, sizeof(float) * static_cast<size_t>(image));
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          const float* d = d_out + ((b * g.out_h + oy) * g.out_w + ox) * oc;
          for (int64_t ky = 0; ky < g.k_h; ++ky) {
            const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
            if (iy < 0 || iy >= g.in_h) continue;
            for (int64_t kx = 0; kx < g.k_w; ++kx) {
              const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              if (ix < 0 || ix >= g.in_w) continue;
              float* di = d_img + (iy * g.in_w + ix) * c_in;
              const float* f = filter + (ky * g.k_w + kx) * oc;
              if (mult == 1) {
                for (int64_t c = 0; c < c_in; ++c) di[c] += d[c] * f[c];
              } else {
                for (int64_t c = 0; c < c_in; ++c) {
                  float s = 0.0f;
                  for (int64_t m = 0; m < mult; ++m) s += d[c * mult + m] * f[c * mult + m];
                  di[c] += s;
                }
              }
            }
          }
        }
    }
  });
}

void CpuBackend::depthwise_conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out,
                                                  float* d_filter, float* d_bias) {
  const int64_t c_in = g.in_c, mult = g.depth_multiplier, oc = g.out_c, nf = g.k_h * g.k_w * oc;
  const int used = pool_->parallel_for(g.batch * g.out_h, 4, [&](int t, int64_t r0, int64_t r1) {
    float* acc = scratch(acc_, t, nf + oc);
    std::memset(acc, 0, sizeof(float) * static_cast<size_t>(nf + oc));
    float* acc_bias = acc + nf;
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        const float* d = d_out + (r * g.out_w + ox) * oc;
        for (int64_t j = 0; j < oc; ++j) acc_bias[j] += d[j];
        for (int64_t ky = 0; ky < g.k_h; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int64_t kx = 0; kx < g.k_w; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const float* p = in + ((b * g.in_h + iy) * g.in_w + ix) * c_in;
            float* a = acc + (ky * g.k_w + kx) * oc;
            if (mult == 1) {
              for (int64_t c = 0; c < c_in; ++c) a[c] += d[c] * p[c];
            } else {
              for (int64_t c = 0; c < c_in; ++c)
                for (int64_t m = 0; m < mult; ++m) a[c * mult + m] += d[c * mult + m] * p[c];
            }
          }
        }
      }
    }
  });
  for (int t = 0; t < used; ++t) {
    const float* acc = acc_[static_cast<size_t>(t)].data();
    for (int64_t i = 0; i < nf; ++i) d_filter[i] += acc[i];
    if (d_bias)
      for (int64_t j = 0; j < oc; ++j) d_bias[j] += acc[nf + j];
  }
}

}  // namespace tinyforge::nn
