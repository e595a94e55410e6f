// Depthwise convolution on the cpu backend: direct loops vectorized over channels (NHWC keeps
// them contiguous), split over output rows; filter gradients as per-thread partials reduced in
// thread order.
//
// With one filter per channel (depth multiplier 1, the common case) all three passes are sums of
// per-channel products with the accumulators held in registers across the terms. The plain loops
// kept them in memory: a load and a store around every multiply-add, 3x slower on kws_dscnn's 64
// channels. Rows whose pixels read neighbouring pixels (unit horizontal stride and dilation,
// channels in multiples of 8) go through the row tiles of cpu_depthwise_rows.h, which also share
// each filter (or output-gradient) vector between the pixels (or taps) of a tile: 1.5x-1.8x
// faster again on kws_dscnn. Other rows go a pixel at a time through sum_of_products. Either way
// the terms are added in the plain loops' order, with one rounding per multiply-add as their
// contracted form, so the results are the same bytes.
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "nn/backend/cpu_backend.h"
#include "nn/backend/cpu_depthwise_rows.h"
#include "nn/column_sums.h"

namespace tinyforge::nn {
namespace {

// One term of a sum of per-channel products: a[c] * b[c].
struct Term {
  const float* a;
  const float* b;
};

// out[c] = start[c] (0 when start is null) + sum over the terms, in order, of a[c] * b[c], for
// c in [0, C); out may be start.
void sum_of_products(const Term* terms, int64_t n, const float* start, int64_t C, float* out) {
  int64_t c = 0;
#if defined(__AVX2__) && defined(__FMA__)
  for (; c + 32 <= C; c += 32) {
    __m256 s0 = start ? _mm256_loadu_ps(start + c) : _mm256_setzero_ps();
    __m256 s1 = start ? _mm256_loadu_ps(start + c + 8) : _mm256_setzero_ps();
    __m256 s2 = start ? _mm256_loadu_ps(start + c + 16) : _mm256_setzero_ps();
    __m256 s3 = start ? _mm256_loadu_ps(start + c + 24) : _mm256_setzero_ps();
    for (int64_t t = 0; t < n; ++t) {
      const float* a = terms[t].a + c;
      const float* b = terms[t].b + c;
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b), s0);
      s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 8), _mm256_loadu_ps(b + 8), s1);
      s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 16), _mm256_loadu_ps(b + 16), s2);
      s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 24), _mm256_loadu_ps(b + 24), s3);
    }
    _mm256_storeu_ps(out + c, s0);
    _mm256_storeu_ps(out + c + 8, s1);
    _mm256_storeu_ps(out + c + 16, s2);
    _mm256_storeu_ps(out + c + 24, s3);
  }
  for (; c + 8 <= C; c += 8) {
    __m256 s0 = start ? _mm256_loadu_ps(start + c) : _mm256_setzero_ps();
    for (int64_t t = 0; t < n; ++t)
      s0 = _mm256_fmadd_ps(_mm256_loadu_ps(terms[t].a + c), _mm256_loadu_ps(terms[t].b + c), s0);
    _mm256_storeu_ps(out + c, s0);
  }
  for (; c < C; ++c) {
    float s = start ? start[c] : 0.0f;
    for (int64_t t = 0; t < n; ++t) s = std::fma(terms[t].a[c], terms[t].b[c], s);
    out[c] = s;
  }
#else
  for (; c < C; ++c) {
    float s = start ? start[c] : 0.0f;
    for (int64_t t = 0; t < n; ++t) s += terms[t].a[c] * terms[t].b[c];
    out[c] = s;
  }
#endif
}

// The input row (or column) a kernel tap reads for output position o, or -1 outside the input.
int64_t tap_input(int64_t o, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int64_t in) {
  const int64_t i = o * stride - pad + k * dilation;
  return i >= 0 && i < in ? i : -1;
}

// The output position whose tap k reads input position i, or -1 when none does.
int64_t tap_output(int64_t i, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int64_t out) {
  const int64_t t = i + pad - k * dilation;
  if (t < 0 || t % stride != 0) return -1;
  return t / stride < out ? t / stride : -1;
}

// Output pixel (b, oy, ox) through sum_of_products, the taps in the padding left out.
void forward_pixel(const ConvGeometry& g, const float* in, const float* filter, const float* bias, int64_t b,
                   int64_t oy, int64_t ox, Term* terms, float* out) {
  const int64_t C = g.in_c;
  int64_t n = 0;
  for (int64_t ky = 0; ky < g.k_h; ++ky) {
    const int64_t iy = tap_input(oy, ky, g.stride_h, g.pad_top, g.dilation_h, g.in_h);
    if (iy < 0) continue;
    for (int64_t kx = 0; kx < g.k_w; ++kx) {
      const int64_t ix = tap_input(ox, kx, g.stride_w, g.pad_left, g.dilation_w, g.in_w);
      if (ix >= 0) terms[n++] = {in + ((b * g.in_h + iy) * g.in_w + ix) * C, filter + (ky * g.k_w + kx) * C};
    }
  }
  sum_of_products(terms, n, bias, C, out + ((b * g.out_h + oy) * g.out_w + ox) * C);
}

// Rows whose pixels are neighbours in the input go through row_sum (cpu_depthwise_rows.h), the
// others a pixel at a time.
void depthwise_forward_mult1(ThreadPool& pool, const ConvGeometry& g, const float* in, const float* filter,
                             const float* bias, float* out) {
  const int64_t C = g.in_c;
  const bool rows_apply = row_sums_apply(g);
  pool.parallel_for_balanced(g.batch * g.out_h, 4, [&](int64_t r0, int64_t r1) {
    std::vector<Term> terms(static_cast<size_t>(g.k_h * g.k_w));
    std::vector<const float*> src(static_cast<size_t>(g.k_h)), taps(static_cast<size_t>(g.k_h));
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      if (!rows_apply) {
        for (int64_t ox = 0; ox < g.out_w; ++ox) forward_pixel(g, in, filter, bias, b, oy, ox, terms.data(), out);
        continue;
      }
      RowSum s{.src = src.data(), .taps = taps.data(), .width = g.out_w, .src_width = g.in_w, .k_w = g.k_w,
               .pad = g.pad_left, .sign = 1, .channels = C};
      for (int64_t ky = 0; ky < g.k_h; ++ky) {
        const int64_t iy = tap_input(oy, ky, g.stride_h, g.pad_top, g.dilation_h, g.in_h);
        if (iy < 0) continue;
        src[static_cast<size_t>(s.n_rows)] = in + (b * g.in_h + iy) * g.in_w * C;
        taps[static_cast<size_t>(s.n_rows++)] = filter + ky * g.k_w * C;
      }
      row_sum(s, bias, out + r * g.out_w * C);
    }
  });
}

// The gradient gathered per input pixel. The plain loop scatters output pixels in raster order,
// so an input pixel receives its terms with the output row, then column, increasing: the taps
// decreasing.
void depthwise_backward_input_mult1(ThreadPool& pool, const ConvGeometry& g, const float* d_out, const float* filter,
                                    float* d_in) {
  const int64_t C = g.in_c;
  const bool rows_apply = row_sums_apply(g);
  pool.parallel_for_balanced(g.batch * g.in_h, 4, [&](int64_t r0, int64_t r1) {
    std::vector<Term> terms(static_cast<size_t>(g.k_h * g.k_w));
    std::vector<const float*> src(static_cast<size_t>(g.k_h)), taps(static_cast<size_t>(g.k_h));
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.in_h, iy = r % g.in_h;
      if (rows_apply) {
        RowSum s{.src = src.data(), .taps = taps.data(), .width = g.in_w, .src_width = g.out_w, .k_w = g.k_w,
                 .pad = g.pad_left, .sign = -1, .channels = C};
        for (int64_t ky = g.k_h - 1; ky >= 0; --ky) {
          const int64_t oy = tap_output(iy, ky, g.stride_h, g.pad_top, g.dilation_h, g.out_h);
          if (oy < 0) continue;
          src[static_cast<size_t>(s.n_rows)] = d_out + (b * g.out_h + oy) * g.out_w * C;
          taps[static_cast<size_t>(s.n_rows++)] = filter + ky * g.k_w * C;
        }
        row_sum(s, nullptr, d_in + r * g.in_w * C);
        continue;
      }
      for (int64_t ix = 0; ix < g.in_w; ++ix) {
        int64_t n = 0;
        for (int64_t ky = g.k_h - 1; ky >= 0; --ky) {
          const int64_t oy = tap_output(iy, ky, g.stride_h, g.pad_top, g.dilation_h, g.out_h);
          if (oy < 0) continue;
          for (int64_t kx = g.k_w - 1; kx >= 0; --kx) {
            const int64_t ox = tap_output(ix, kx, g.stride_w, g.pad_left, g.dilation_w, g.out_w);
            if (ox >= 0) terms[n++] = {d_out + ((b * g.out_h + oy) * g.out_w + ox) * C, filter + (ky * g.k_w + kx) * C};
          }
        }
        sum_of_products(terms.data(), n, nullptr, C, d_in + (r * g.in_w + ix) * C);
      }
    }
  });
}

// Rows [r0, r1) of the output's filter and bias gradients, added to acc and acc_bias. Per tap and
// output row, the terms of the row's pixels are summed in registers; every accumulator still
// takes its terms in the plain loop's order (output rows, then columns).
void filter_gradient_rows_mult1(const ConvGeometry& g, const float* in, const float* d_out, int64_t r0, int64_t r1,
                                float* acc, float* acc_bias) {
  const int64_t C = g.in_c;
  const bool rows_apply = row_products_apply(g);
  std::vector<Term> terms(static_cast<size_t>(g.out_w));
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / g.out_h, oy = r % g.out_h;
    const float* d_row = d_out + r * g.out_w * C;
    add_rows_in_order(d_row, g.out_w, C, acc_bias);
    for (int64_t ky = 0; ky < g.k_h; ++ky) {
      const int64_t iy = tap_input(oy, ky, g.stride_h, g.pad_top, g.dilation_h, g.in_h);
      if (iy < 0) continue;
      if (rows_apply) {
        const RowProducts s{.src = in + (b * g.in_h + iy) * g.in_w * C, .d = d_row, .width = g.out_w,
                            .src_width = g.in_w, .k_w = g.k_w, .pad = g.pad_left, .channels = C};
        add_row_products(s, acc + ky * g.k_w * C);
        continue;
      }
      for (int64_t kx = 0; kx < g.k_w; ++kx) {
        int64_t n = 0;
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          const int64_t ix = tap_input(ox, kx, g.stride_w, g.pad_left, g.dilation_w, g.in_w);
          if (ix >= 0) terms[n++] = {d_row + ox * C, in + ((b * g.in_h + iy) * g.in_w + ix) * C};
        }
        float* a = acc + (ky * g.k_w + kx) * C;
        sum_of_products(terms.data(), n, a, C, a);
      }
    }
  }
}

}  // namespace

void CpuBackend::depthwise_conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                                  float* out) {
  const int64_t c_in = g.in_c, mult = g.depth_multiplier, oc = g.out_c;
  if (mult == 1) return depthwise_forward_mult1(*pool_, g, in, filter, bias, out);
  pool_->parallel_for_balanced(g.batch * g.out_h, 4, [&](int64_t r0, int64_t r1) {
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
  if (mult == 1) return depthwise_backward_input_mult1(*pool_, g, d_out, filter, d_in);
  // One image per task: the scatter stays inside an image.
  pool_->parallel_for_balanced(g.batch, 1, [&](int64_t b0, int64_t b1) {
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
    float* acc = zeroed_partial(t, nf, oc);
    float* acc_bias = acc + nf;
    if (mult == 1) {
      filter_gradient_rows_mult1(g, in, d_out, r0, r1, acc, acc_bias);
      return;
    }
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      add_rows_in_order(d_out + r * g.out_w * oc, g.out_w, oc, acc_bias);
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        const float* d = d_out + (r * g.out_w + ox) * oc;
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
  add_partials(used, nf, oc, d_filter, d_bias);
}

}  // namespace tinyforge::nn
