// Conv2D on the cpu backend: im2col + GEMM forward, GEMM + col2im for the input gradient,
// im2col + GEMM (per-thread partials, reduced in thread order) for the filter gradient.
// Unit-stride convolutions with filters in multiples of 8 and small patches run their forward and
// filter gradient as direct kernels instead (cpu_conv_direct.h), and pointwise and 'same' ones
// their input gradient too, as a convolution with the filter flipped and transposed.
// A 1x1 stride-1 unpadded (pointwise) convolution needs no im2col: where no direct kernel applies
// it is a GEMM on the NHWC data. (Eigen packs both operands of every product; on kws_dscnn's
// 64 x 64 pointwise layers the direct kernels were 11%, 5% and 2% faster.)
#include <algorithm>
#include <cstring>

#include "nn/backend/cpu_backend.h"
#include "nn/backend/cpu_conv_direct.h"
#include "nn/backend/eigen_gemm.h"
#include "nn/column_sums.h"

namespace tinyforge::nn {

namespace {

int64_t patch_size(const ConvGeometry& g) {
  return g.k_h * g.k_w * g.in_c;
}

bool is_pointwise(const ConvGeometry& g) {
  return g.k_h == 1 && g.k_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
         g.out_h == g.in_h && g.out_w == g.in_w;
}

// Rows per im2col block: a block near 384 KiB stays in L2 (1 MiB per core on the benchmark
// machine) while the GEMM runs; larger blocks mean fewer product calls, each with its own setup
// and packing of the filter (128 KiB blocks cost fmnist_cnn ~15% of a step).
int64_t block_rows(int64_t k) {
  return std::clamp<int64_t>(98304 / std::max<int64_t>(k, 1), 16, 2048);
}

// dst[0, len) = src[0, len). The runs of a first layer's patches are a few values (3 for a 3x3
// kernel on one channel): a loop over a run length known only at run time spends more on its
// control than on the copy, so short runs get a fixed-length copy each.
template <int kLen>
inline void copy_fixed(float* dst, const float* src) {
  for (int i = 0; i < kLen; ++i) dst[i] = src[i];
}

inline void copy_run(float* dst, const float* src, int64_t len) {
  switch (len) {
    case 1: return copy_fixed<1>(dst, src);
    case 2: return copy_fixed<2>(dst, src);
    case 3: return copy_fixed<3>(dst, src);
    case 4: return copy_fixed<4>(dst, src);
    case 5: return copy_fixed<5>(dst, src);
    case 6: return copy_fixed<6>(dst, src);
    case 7: return copy_fixed<7>(dst, src);
    case 8: return copy_fixed<8>(dst, src);
    default:
      for (int64_t i = 0; i < len; ++i) dst[i] = src[i];
  }
}

// Writes the patches of output pixels [r0, r1) (flat over batch*out_h*out_w) as rows of col.
void im2col(const ConvGeometry& g, const float* in, int64_t r0, int64_t r1, float* col) {
  const int64_t k = patch_size(g), pixels = g.out_h * g.out_w, c = g.in_c;
  const int64_t len = g.k_w * c, row_step = g.dilation_h * g.in_w * c;
  // Output coordinates advance incrementally (no divisions per row).
  int64_t b = r0 / pixels, oy = (r0 % pixels) / g.out_w, ox = r0 % g.out_w;
  for (int64_t r = r0; r < r1; ++r) {
    const float* img = in + b * g.in_h * g.in_w * c;
    float* dst = col + (r - r0) * k;
    const int64_t iy0 = oy * g.stride_h - g.pad_top, ix0 = ox * g.stride_w - g.pad_left;
    const bool inside =
        g.dilation_w == 1 && iy0 >= 0 && iy0 + (g.k_h - 1) * g.dilation_h < g.in_h && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
    if (++ox == g.out_w) {
      ox = 0;
      if (++oy == g.out_h) {
        oy = 0;
        ++b;
      }
    }
    if (inside) {  // the common case: k_h contiguous runs of k_w * c values
      const float* src = img + (iy0 * g.in_w + ix0) * c;
      for (int64_t ky = 0; ky < g.k_h; ++ky, src += row_step, dst += len) copy_run(dst, src, len);
      continue;
    }
    for (int64_t ky = 0; ky < g.k_h; ++ky) {
      const int64_t iy = iy0 + ky * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        std::memset(dst, 0, sizeof(float) * static_cast<size_t>(len));
        dst += len;
        continue;
      }
      const float* row = img + iy * g.in_w * c;
      if (g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w) {
        // The whole kernel row is inside the image: one contiguous run of k_w * c values
        // (a short loop beats a memcpy call for the few values of small kernels).
        copy_run(dst, row + ix0 * c, len);
        dst += len;
        continue;
      }
      for (int64_t kx = 0; kx < g.k_w; ++kx, dst += c) {
        const int64_t ix = ix0 + kx * g.dilation_w;
        if (ix < 0 || ix >= g.in_w) {
          for (int64_t i = 0; i < c; ++i) dst[i] = 0.0f;
        } else if (c == 1) {
          dst[0] = row[ix];
        } else {
          std::memcpy(dst, row + ix * c, sizeof(float) * static_cast<size_t>(c));
        }
      }
    }
  }
}

// Adds rows [p0, p1) of one image's patch gradients (col) back into that image's d_in.
void col2im_add(const ConvGeometry& g, const float* col, int64_t p0, int64_t p1, float* d_img) {
  const int64_t k = patch_size(g), c = g.in_c;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t oy = p / g.out_w, ox = p % g.out_w;
    const float* src = col + (p - p0) * k;
    for (int64_t ky = 0; ky < g.k_h; ++ky) {
      const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        src += g.k_w * c;
        continue;
      }
      float* row = d_img + iy * g.in_w * c;
      const int64_t ix0 = ox * g.stride_w - g.pad_left;
      if (g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w) {  // contiguous, as in im2col
        float* dst = row + ix0 * c;
        const int64_t len = g.k_w * c;
        for (int64_t i = 0; i < len; ++i) dst[i] += src[i];
        src += len;
        continue;
      }
      for (int64_t kx = 0; kx < g.k_w; ++kx, src += c) {
        const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
        if (ix < 0 || ix >= g.in_w) continue;
        float* dst = row + ix * c;
        for (int64_t i = 0; i < c; ++i) dst[i] += src[i];
      }
    }
  }
}

void add_bias(float* out, int64_t rows, int64_t n, const float* bias) {
  for (int64_t r = 0; r < rows; ++r, out += n)
    for (int64_t j = 0; j < n; ++j) out[j] += bias[j];
}

// All output rows of a direct convolution, split between the threads.
void direct_conv_all(ThreadPool& pool, const ConvGeometry& g, const float* in, const float* filter,
                     const float* bias, bool relu, float* out) {
  pool.parallel_for_balanced(g.batch * g.out_h, 2, [&](int64_t r0, int64_t r1) {
    direct_conv_rows(g, in, filter, bias, relu, r0, r1, out);
  });
}

}  // namespace

void CpuBackend::conv2d(const ConvGeometry& g, const float* in, const float* filter, const float* bias, float* out) {
  const int64_t k = patch_size(g), n = g.out_c, m = g.batch * g.out_h * g.out_w;
  if (direct_conv_applies(g)) return direct_conv_all(*pool_, g, in, filter, bias, false, out);
  if (is_pointwise(g)) {
    pool_->parallel_for(m, 16, [&](int, int64_t r0, int64_t r1) {
      eigen_gemm(false, false, r1 - r0, n, k, 1.0f, in + r0 * k, k, filter, n, 0.0f, out + r0 * n, n);
      if (bias) add_bias(out + r0 * n, r1 - r0, n, bias);
    });
    return;
  }
  const int64_t block = block_rows(k);
  pool_->parallel_for(m, 16, [&](int t, int64_t begin, int64_t end) {
    float* col = scratch(col_, t, block * k);
    for (int64_t r0 = begin; r0 < end; r0 += block) {
      const int64_t r1 = std::min(end, r0 + block);
      im2col(g, in, r0, r1, col);
      eigen_gemm(false, false, r1 - r0, n, k, 1.0f, col, k, filter, n, 0.0f, out + r0 * n, n);
      if (bias) add_bias(out + r0 * n, r1 - r0, n, bias);
    }
  });
}

void CpuBackend::conv2d_relu(const ConvGeometry& g, const float* in, const float* filter, const float* bias,
                             float* out) {
  if (direct_conv_applies(g)) return direct_conv_all(*pool_, g, in, filter, bias, true, out);
  Backend::conv2d_relu(g, in, filter, bias, out);  // conv2d, then the ReLU on all threads
}

void CpuBackend::conv2d_backward_input(const ConvGeometry& g, const float* d_out, const float* filter, float* d_in) {
  const int64_t k = patch_size(g), n = g.out_c, pixels = g.out_h * g.out_w;
  // At unit stride the input gradient is itself a unit-stride convolution: of the output gradient,
  // padded by the kernel's reach less the forward padding, with the filter flipped in space and
  // its channels swapped (for a pointwise layer, the filter transposed). The direct kernel runs it
  // when the input channels come in multiples of 8 and the padding is no wider than the forward's
  // (pointwise and 'same' layers): a 3x3 'same' 16 -> 32 layer on 32x32 took 1426 instead of
  // 1949 us, kws_dscnn's 64 -> 64 pointwise ones 493 instead of 520. A 'valid' layer's would be
  // padded by the whole reach of the kernel, and Eigen + col2im was faster there (fmnist_cnn's
  // second layer: 450 vs 490 us).
  ConvGeometry t = g;
  std::swap(t.in_h, t.out_h);
  std::swap(t.in_w, t.out_w);
  std::swap(t.in_c, t.out_c);
  t.pad_top = (g.k_h - 1) * g.dilation_h - g.pad_top;
  t.pad_left = (g.k_w - 1) * g.dilation_w - g.pad_left;
  if (g.stride_h == 1 && g.stride_w == 1 && t.pad_top >= 0 && t.pad_left >= 0 && t.pad_top <= g.pad_top &&
      t.pad_left <= g.pad_left && direct_conv_applies(t)) {
    filter_t_.resize(static_cast<size_t>(k * n));
    for (int64_t ky = 0; ky < g.k_h; ++ky)
      for (int64_t kx = 0; kx < g.k_w; ++kx) {
        const float* w = filter + (ky * g.k_w + kx) * g.in_c * n;
        float* f = filter_t_.data() + ((g.k_h - 1 - ky) * g.k_w + (g.k_w - 1 - kx)) * n * g.in_c;
        for (int64_t ci = 0; ci < g.in_c; ++ci)
          for (int64_t co = 0; co < n; ++co) f[co * g.in_c + ci] = w[ci * n + co];
      }
    return direct_conv_all(*pool_, t, d_out, filter_t_.data(), nullptr, false, d_in);
  }
  if (is_pointwise(g)) {
    pool_->parallel_for(g.batch * pixels, 16, [&](int, int64_t r0, int64_t r1) {
      eigen_gemm(false, true, r1 - r0, k, n, 1.0f, d_out + r0 * n, n, filter, n, 0.0f, d_in + r0 * k, k);
    });
    return;
  }
  // Whole images per task: col2im scatters within an image, so images never race. Small images
  // go several to one product (their rows of d_out are contiguous): each product call costs its
  // own setup and packing of the filter.
  const int64_t block = block_rows(k), image = g.in_h * g.in_w * g.in_c;
  const int64_t group = std::max<int64_t>(1, block / std::max<int64_t>(pixels, 1));
  pool_->parallel_for(g.batch, 1, [&](int t, int64_t b0, int64_t b1) {
    float* col = scratch(col_, t, std::max(block, pixels) * k);
    for (int64_t b = b0; b < b1; b += group) {
      const int64_t images = std::min(group, b1 - b);
      std::memset(d_in + b * image, 0, sizeof(float) * static_cast<size_t>(images * image));
      if (images > 1) {  // whole images at once
        eigen_gemm(false, true, images * pixels, k, n, 1.0f, d_out + b * pixels * n, n, filter, n, 0.0f, col, k);
        for (int64_t i = 0; i < images; ++i) col2im_add(g, col + i * pixels * k, 0, pixels, d_in + (b + i) * image);
        continue;
      }
      for (int64_t p0 = 0; p0 < pixels; p0 += block) {
        const int64_t p1 = std::min(pixels, p0 + block);
        eigen_gemm(false, true, p1 - p0, k, n, 1.0f, d_out + (b * pixels + p0) * n, n, filter, n, 0.0f, col, k);
        col2im_add(g, col, p0, p1, d_in + b * image);
      }
    }
  });
}

void CpuBackend::conv2d_backward_filter(const ConvGeometry& g, const float* in, const float* d_out, float* d_filter,
                                        float* d_bias) {
  const int64_t k = patch_size(g), n = g.out_c, m = g.batch * g.out_h * g.out_w;
  const bool pointwise = is_pointwise(g);
  if (direct_conv_applies(g)) {
    // Per-thread partials over whole output rows.
    const int used = pool_->parallel_for(g.batch * g.out_h, 2, [&](int t, int64_t r0, int64_t r1) {
      float* acc = zeroed_partial(t, k * n, n);
      direct_conv_filter_gradient_rows(g, in, d_out, r0, r1, acc, d_bias ? acc + k * n : nullptr);
    });
    add_partials(used, k * n, n, d_filter, d_bias);
    return;
  }
  const int64_t block = block_rows(k);
  const int used = pool_->parallel_for(m, 64, [&](int t, int64_t begin, int64_t end) {
    float* acc = zeroed_partial(t, k * n, n);
    float* col = pointwise ? nullptr : scratch(col_, t, block * k);
    for (int64_t r0 = begin; r0 < end; r0 += block) {
      const int64_t r1 = std::min(end, r0 + block);
      const float* patches = in + r0 * k;
      if (!pointwise) {
        im2col(g, in, r0, r1, col);
        patches = col;
      }
      eigen_gemm(true, false, k, n, r1 - r0, 1.0f, patches, k, d_out + r0 * n, n, 1.0f, acc, n);
    }
    if (d_bias) add_rows_in_order(d_out + begin * n, end - begin, n, acc + k * n);
  });
  add_partials(used, k * n, n, d_filter, d_bias);
}

}  // namespace tinyforge::nn
