// Pooling on the cpu backend: loops vectorized over channels, split over output rows
// (forward) or images (backward, whose scatter stays inside an image).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "nn/backend/cpu_backend.h"

namespace tinyforge::nn {

namespace {

// Channels go in chunks, and the argmax is tracked as a 32-bit offset inside the image, so value
// and index lanes have one width (eight of each in an AVX2 register).
constexpr int64_t kPoolChunk = 256;

// One output pixel: `window` holds the offsets of its window's in-image elements from the first
// of them (window[0] == 0, count >= 1), in the reference's visiting order; strict '>' keeps the
// first of equal values, as the reference does.
void max_pool_window(const float* img, int32_t origin, const int32_t* window, int64_t count, int64_t ch,
                     float* __restrict out, int64_t* __restrict argmax, int64_t argmax_base) {
  float best[kPoolChunk];
  int32_t at[kPoolChunk];
  for (int64_t c0 = 0; c0 < ch; c0 += kPoolChunk) {
    const int64_t cn = std::min(kPoolChunk, ch - c0);
    const float* first = img + origin + c0;
#if defined(__AVX2__)
    // GCC leaves the select loop below scalar: eight channels at a time by hand.
    if (cn % 8 == 0) {
      for (int64_t c = 0; c < cn; c += 8) {
        __m256 max = _mm256_loadu_ps(first + c);
        __m256i where = _mm256_set1_epi32(origin);
        for (int64_t w = 1; w < count; ++w) {
          const int32_t offset = origin + window[w];
          const __m256 v = _mm256_loadu_ps(img + offset + c0 + c);
          const __m256 greater = _mm256_cmp_ps(v, max, _CMP_GT_OQ);  // false for NaN, as '>'
          max = _mm256_blendv_ps(max, v, greater);
          where = _mm256_blendv_epi8(where, _mm256_set1_epi32(offset), _mm256_castps_si256(greater));
        }
        _mm256_storeu_ps(out + c0 + c, max);
        if (argmax) {  // argmax_base + offset + c0 + c + lane, widened to 64 bits four lanes at a time
          const __m256i in_image = _mm256_add_epi32(where, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
          const __m256i base = _mm256_set1_epi64x(argmax_base + c0 + c);
          int64_t* a = argmax + c0 + c;
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(a),
                              _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(in_image))));
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + 4),
                              _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(in_image, 1))));
        }
      }
      continue;
    }
#endif
    for (int64_t c = 0; c < cn; ++c) {
      best[c] = first[c];
      at[c] = origin;
    }
    for (int64_t w = 1; w < count; ++w) {
      const int32_t offset = origin + window[w];
      const float* p = img + offset + c0;
      // The portable path (channel counts not a multiple of 8, or no AVX2): a max and a mask,
      // the same result as `p > best ? p : best` and its offset.
      for (int64_t c = 0; c < cn; ++c) {
        const int32_t better = -static_cast<int32_t>(p[c] > best[c]);
        best[c] = std::max(best[c], p[c]);
        at[c] = (at[c] & ~better) | (offset & better);
      }
    }
    for (int64_t c = 0; c < cn; ++c) out[c0 + c] = best[c];
    if (argmax)
      for (int64_t c = 0; c < cn; ++c) argmax[c0 + c] = argmax_base + at[c] + c0 + c;
  }
}

}  // namespace

void CpuBackend::max_pool2d(const PoolGeometry& g, const float* in, float* out, int64_t* argmax) {
  const int64_t ch = g.channels, image = g.in_h * g.in_w * ch;
  std::vector<int32_t> window;  // offsets of a whole window's elements from its top-left one
  for (int64_t ky = 0; ky < g.k_h; ++ky)
    for (int64_t kx = 0; kx < g.k_w; ++kx) window.push_back(static_cast<int32_t>((ky * g.in_w + kx) * ch));
  pool_->parallel_for_balanced(g.batch * g.out_h, 4, [&](int64_t r0, int64_t r1) {
    std::vector<int32_t> clipped;  // a border window: its in-image elements, from the first of them
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      const float* img = in + b * image;
      const int64_t iy0 = oy * g.stride_h - g.pad_top;
      const bool rows_inside = iy0 >= 0 && iy0 + g.k_h <= g.in_h;
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        float* o_pixel = out + (r * g.out_w + ox) * ch;
        int64_t* am_pixel = argmax ? argmax + (r * g.out_w + ox) * ch : nullptr;
        const int64_t ix0 = ox * g.stride_w - g.pad_left;
        if (rows_inside && ix0 >= 0 && ix0 + g.k_w <= g.in_w) {
          max_pool_window(img, static_cast<int32_t>((iy0 * g.in_w + ix0) * ch), window.data(),
                          static_cast<int64_t>(window.size()), ch, o_pixel, am_pixel, b * image);
          continue;
        }
        // Same visiting order as the reference (rows, then columns), skipping the padding.
        clipped.clear();
        int32_t origin = 0;
        for (int64_t iy = std::max<int64_t>(iy0, 0); iy < std::min(iy0 + g.k_h, g.in_h); ++iy)
          for (int64_t ix = std::max<int64_t>(ix0, 0); ix < std::min(ix0 + g.k_w, g.in_w); ++ix) {
            const int32_t offset = static_cast<int32_t>((iy * g.in_w + ix) * ch);
            if (clipped.empty()) origin = offset;
            clipped.push_back(offset - origin);
          }
        if (clipped.empty()) {  // no valid input (cannot happen with TF padding, but stay defined)
          for (int64_t c = 0; c < ch; ++c) o_pixel[c] = -std::numeric_limits<float>::infinity();
          if (am_pixel)
            for (int64_t c = 0; c < ch; ++c) am_pixel[c] = -1;
          continue;
        }
        max_pool_window(img, origin, clipped.data(), static_cast<int64_t>(clipped.size()), ch, o_pixel, am_pixel,
                        b * image);
      }
    }
  });
}

void CpuBackend::max_pool2d_backward(const PoolGeometry& g, const float* d_out, const int64_t* argmax, float* d_in) {
  const int64_t image = g.in_h * g.in_w * g.channels, per_out = g.out_h * g.out_w * g.channels;
  // Image by image, each zeroed just before its scatter, while it is in cache (zeroing a
  // thread's whole share first meant a second trip through memory for the scatter).
  pool_->parallel_for_balanced(g.batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      std::memset(d_in + b * image, 0, sizeof(float) * static_cast<size_t>(image));
      for (int64_t o = b * per_out; o < (b + 1) * per_out; ++o)
        if (argmax[o] >= 0) d_in[argmax[o]] += d_out[o];
    }
  });
}

void CpuBackend::avg_pool2d(const PoolGeometry& g, const float* in, float* out) {
  const int64_t ch = g.channels;
  pool_->parallel_for_balanced(g.batch * g.out_h, 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.out_h, oy = r % g.out_h;
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        float* o = out + (r * g.out_w + ox) * ch;
        std::memset(o, 0, sizeof(float) * static_cast<size_t>(ch));
        int64_t count = 0;
        for (int64_t ky = 0; ky < g.k_h; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int64_t kx = 0; kx < g.k_w; ++kx) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx;
            if (ix < 0 || ix >= g.in_w) continue;
            const float* p = in + ((b * g.in_h + iy) * g.in_w + ix) * ch;
            for (int64_t c = 0; c < ch; ++c) o[c] += p[c];
            ++count;
          }
        }
        const float scale = count ? 1.0f / static_cast<float>(count) : 0.0f;
        for (int64_t c = 0; c < ch; ++c) o[c] *= scale;
      }
    }
  });
}

void CpuBackend::avg_pool2d_backward(const PoolGeometry& g, const float* d_out, float* d_in) {
  const int64_t ch = g.channels, image = g.in_h * g.in_w * ch;
  pool_->parallel_for_balanced(g.batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* d_img = d_in + b * image;
      std::memset(d_img, 0, sizeof(float) * static_cast<size_t>(image));
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          const int64_t y0 = oy * g.stride_h - g.pad_top, x0 = ox * g.stride_w - g.pad_left;
          const int64_t ya = y0 < 0 ? 0 : y0, yb = y0 + g.k_h > g.in_h ? g.in_h : y0 + g.k_h;
          const int64_t xa = x0 < 0 ? 0 : x0, xb = x0 + g.k_w > g.in_w ? g.in_w : x0 + g.k_w;
          const int64_t count = (yb - ya) * (xb - xa);
          if (count <= 0) continue;
          const float scale = 1.0f / static_cast<float>(count);
          const float* d = d_out + ((b * g.out_h + oy) * g.out_w + ox) * ch;
          for (int64_t iy = ya; iy < yb; ++iy)
            for (int64_t ix = xa; ix < xb; ++ix) {
              float* di = d_img + (iy * g.in_w + ix) * ch;
              for (int64_t c = 0; c < ch; ++c) di[c] += d[c] * scale;
            }
        }
    }
  });
}

}  // namespace tinyforge::nn
