// Direct Conv2D kernels. Forward: a tile of up to 6 output pixels of one row x 16 (or 8) filters
// lives in 12 (or 6) AVX2 registers while the kernel's taps and input channels stream past; each
// step loads 2 filter vectors and broadcasts one input value per pixel. The filter block of a tile
// (taps x input channels x 16 floats) stays in the first-level cache across a row's tiles. Filter
// gradient: 6 patch positions x 16 filters in registers while a block of output rows streams
// past; the positions are one tap's input channels, or, when no tap of any output falls in the
// padding, any 6 consecutive ones (a one-channel first layer's 9 taps then take two tiles, not 9
// one-lane tiles whose accumulators wait on the adder's latency). Any padding and dilation: a
// tile covers pixels whose taps inside the input are the same kernel rows and columns (the inner
// pixels of a row share all of them; an edge pixel goes alone), and taps in the padding are left
// out, as the reference does. The kernels handle any
// stride too, but strided convolutions stay with im2col + GEMM (see direct_conv_applies).
// (The input gradient stays with Eigen + col2im: a direct gather was slower.)
#include "nn/backend/cpu_conv_direct.h"

#include <algorithm>

#include "nn/backend/register_tile.h"
#include "nn/column_sums.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace tinyforge::nn {

#if defined(__AVX2__) && defined(__FMA__)
namespace {

// The kernel indices k in [0, size) whose input position o * stride - pad + k * dilation lies in
// [0, in): a contiguous range [lo, hi), empty when lo >= hi.
struct Range {
  int64_t lo, hi;
};
Range taps_inside(int64_t o, int64_t stride, int64_t pad, int64_t dilation, int64_t size, int64_t in) {
  const int64_t base = o * stride - pad;
  const int64_t lo = base >= 0 ? 0 : (-base + dilation - 1) / dilation;
  const int64_t hi = base > in - 1 ? 0 : std::min(size, (in - 1 - base) / dilation + 1);
  return {lo, std::max(lo, hi)};
}

// The output positions o in [0, out) whose kernel index k reads inside the input.
Range outputs_inside(int64_t k, int64_t stride, int64_t pad, int64_t dilation, int64_t in, int64_t out) {
  const int64_t first = pad - k * dilation, last = in - 1 + pad - k * dilation;  // o * stride in [first, last]
  if (last < 0) return {0, 0};
  const int64_t lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  const int64_t hi = std::min(out, last / stride + 1);
  return {lo, std::max(lo, hi)};
}

// kPix output pixels of one row (stride_w apart in the input) x kVec * 8 filters from `co`,
// through the kernel rows `rows` and columns `cols`, which lie inside the input for all of them.
// `src` is the input under the first pixel's tap (rows.lo, cols.lo). Each output is one chain of
// multiply-adds in (ky, kx, input channel) order.
// With kRelu, each output is stored as max(x, 0): MAXPS returns its second operand unless the
// first is greater, so NaN and -0 become +0, exactly as `x > 0 ? x : 0`.
template <int kPix, int kVec, bool kRelu>
void tile(const ConvGeometry& g, const float* src, Range rows, Range cols, const float* filter, const float* bias,
          int64_t co, float* out) {
  static_assert(kPix >= 1 && kPix <= kMaxLanes && (kVec == 1 || kVec == 2));
  const int64_t c_in = g.in_c, c_out = g.out_c;
  const int64_t row_step = g.dilation_h * g.in_w * c_in, col_step = g.dilation_w * c_in, pixel = g.stride_w * c_in;
  const __m256 b0 = bias ? _mm256_loadu_ps(bias + co) : _mm256_setzero_ps();
  const __m256 b1 = kVec == 2 && bias ? _mm256_loadu_ps(bias + co + 8) : _mm256_setzero_ps();
#define TINYFORGE_DIRECT_INIT(j) __m256 a##j##0 = b0, a##j##1 = b1;
  TINYFORGE_FOR_LANES(TINYFORGE_DIRECT_INIT)
#undef TINYFORGE_DIRECT_INIT
  for (int64_t ky = rows.lo; ky < rows.hi; ++ky)
    for (int64_t kx = cols.lo; kx < cols.hi; ++kx) {
      const float* x = src + (ky - rows.lo) * row_step + (kx - cols.lo) * col_step;
      const float* w = filter + (ky * g.k_w + kx) * c_in * c_out + co;
      for (int64_t ci = 0; ci < c_in; ++ci, w += c_out) {
        const __m256 w0 = _mm256_loadu_ps(w);
        const __m256 w1 = kVec == 2 ? _mm256_loadu_ps(w + 8) : _mm256_setzero_ps();
#define TINYFORGE_DIRECT_STEP(j)                                         \
  if constexpr (kPix > j) {                                              \
    const __m256 xv = _mm256_broadcast_ss(x + j * pixel + ci);           \
    a##j##0 = _mm256_fmadd_ps(xv, w0, a##j##0);                          \
    if constexpr (kVec == 2) a##j##1 = _mm256_fmadd_ps(xv, w1, a##j##1); \
  }
        TINYFORGE_FOR_LANES(TINYFORGE_DIRECT_STEP)
#undef TINYFORGE_DIRECT_STEP
      }
    }
  const auto finish = [](__m256 v) { return kRelu ? _mm256_max_ps(v, _mm256_setzero_ps()) : v; };
#define TINYFORGE_DIRECT_STORE(j)                                                         \
  if constexpr (kPix > j) {                                                               \
    _mm256_storeu_ps(out + j * c_out + co, finish(a##j##0));                              \
    if constexpr (kVec == 2) _mm256_storeu_ps(out + j * c_out + co + 8, finish(a##j##1)); \
  }
  TINYFORGE_FOR_LANES(TINYFORGE_DIRECT_STORE)
#undef TINYFORGE_DIRECT_STORE
}

// The filter gradient of kLanes consecutive patch positions from p0 (a position is a (ky, kx,
// input channel) triple in the filter's order) x filters [co, co + kVec * 8), summed over output
// rows [r0, r1) and output columns `columns`, and added to acc: the accumulators are loaded once,
// take every product in order (rows, then columns), and are stored once. The lanes share the
// rows and columns whose taps lie inside the input: either they are one tap's channels, or the
// convolution has no padding and every tap of every output is inside. Only rows are checked here,
// through the first lane's kernel row.
template <int kLanes, int kVec>
void gradient_tile(const ConvGeometry& g, const float* in, const float* d_out, int64_t r0, int64_t r1, int64_t p0,
                   Range columns, int64_t co, float* acc) {
  static_assert(kLanes >= 1 && kLanes <= kMaxLanes && (kVec == 1 || kVec == 2));
  const int64_t c_in = g.in_c, c_out = g.out_c, pixel = g.stride_w * c_in;
  // Where lane j reads, relative to where the first lane reads.
  const auto input_offset = [&](int64_t p) {
    const int64_t tap = p / c_in, ky = tap / g.k_w, kx = tap % g.k_w;
    return (ky * g.dilation_h * g.in_w + kx * g.dilation_w) * c_in + p % c_in;
  };
  const int64_t first_offset = input_offset(p0), ky = p0 / c_in / g.k_w, kx = p0 / c_in % g.k_w;
  float* a = acc + p0 * c_out + co;
#define TINYFORGE_DIRECT_LOAD(j)                                                      \
  const int64_t o##j = kLanes > j ? input_offset(p0 + j) - first_offset : 0;          \
  __m256 a##j##0 = kLanes > j ? _mm256_loadu_ps(a + j * c_out) : _mm256_setzero_ps(); \
  __m256 a##j##1 = kLanes > j && kVec == 2 ? _mm256_loadu_ps(a + j * c_out + 8) : _mm256_setzero_ps();
  TINYFORGE_FOR_LANES(TINYFORGE_DIRECT_LOAD)
#undef TINYFORGE_DIRECT_LOAD
  // The row's image and output row, stepped rather than divided out on every row (a 64-bit
  // division per row cost as much as a third of an 11-pixel row's products).
  int64_t b = r0 / g.out_h, oy = r0 % g.out_h;
  for (int64_t r = r0; r < r1; ++r, oy = oy + 1 == g.out_h ? (++b, 0) : oy + 1) {
    const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
    if (iy < 0 || iy >= g.in_h) continue;
    const int64_t ix = columns.lo * g.stride_w - g.pad_left + kx * g.dilation_w;
    const float* x = in + ((b * g.in_h + iy) * g.in_w + ix) * c_in + p0 % c_in;
    const float* d = d_out + (r * g.out_w + columns.lo) * c_out + co;
    for (int64_t ox = columns.lo; ox < columns.hi; ++ox, x += pixel, d += c_out) {
      const __m256 d0 = _mm256_loadu_ps(d);
      const __m256 d1 = kVec == 2 ? _mm256_loadu_ps(d + 8) : _mm256_setzero_ps();
#define TINYFORGE_DIRECT_STEP(j)                                         \
  if constexpr (kLanes > j) {                                            \
    const __m256 xv = _mm256_broadcast_ss(x + o##j);                     \
    a##j##0 = _mm256_fmadd_ps(xv, d0, a##j##0);                          \
    if constexpr (kVec == 2) a##j##1 = _mm256_fmadd_ps(xv, d1, a##j##1); \
  }
      TINYFORGE_FOR_LANES(TINYFORGE_DIRECT_STEP)
#undef TINYFORGE_DIRECT_STEP
    }
  }
#define TINYFORGE_DIRECT_STORE(j)                                          \
  if constexpr (kLanes > j) {                                              \
    _mm256_storeu_ps(a + j * c_out, a##j##0);                              \
    if constexpr (kVec == 2) _mm256_storeu_ps(a + j * c_out + 8, a##j##1); \
  }
  TINYFORGE_FOR_LANES(TINYFORGE_DIRECT_STORE)
#undef TINYFORGE_DIRECT_STORE
}

// Lanes [p0, p0 + lanes) of the filter gradient, all filters, over rows [r0, r1) and `columns`.
void gradient_tiles(const ConvGeometry& g, const float* in, const float* d_out, int64_t r0, int64_t r1, int64_t p0,
                    int lanes, Range columns, float* acc) {
  for (int64_t co = 0; co < g.out_c; co += 16)
    with_lanes(lanes, [&](auto l) {
      constexpr int kLanes = decltype(l)::value;
      if (co + 16 <= g.out_c)
        gradient_tile<kLanes, 2>(g, in, d_out, r0, r1, p0, columns, co, acc);
      else
        gradient_tile<kLanes, 1>(g, in, d_out, r0, r1, p0, columns, co, acc);
    });
}

// Whether every tap of every output lies inside the input ('valid' padding): then a tile's lanes
// may span taps.
bool all_taps_inside(const ConvGeometry& g) {
  return g.pad_top == 0 && g.pad_left == 0 && (g.out_h - 1) * g.stride_h + (g.k_h - 1) * g.dilation_h < g.in_h &&
         (g.out_w - 1) * g.stride_w + (g.k_w - 1) * g.dilation_w < g.in_w;
}

}  // namespace

bool direct_conv_applies(const ConvGeometry& g) {
  return g.stride_h == 1 && g.stride_w == 1 && g.out_c % 8 == 0 && g.out_c > 0 &&
         g.k_h * g.k_w * g.in_c <= kMaxDirectPatch;
}

void direct_conv_rows(const ConvGeometry& g, const float* in, const float* filter, const float* bias, bool relu,
                      int64_t r0, int64_t r1, float* out) {
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t b = r / g.out_h, oy = r % g.out_h;
    const Range rows = taps_inside(oy, g.stride_h, g.pad_top, g.dilation_h, g.k_h, g.in_h);
    const int64_t iy = oy * g.stride_h - g.pad_top + rows.lo * g.dilation_h;
    float* out_row = out + r * g.out_w * g.out_c;
    for (int64_t ox = 0; ox < g.out_w;) {
      const Range cols = taps_inside(ox, g.stride_w, g.pad_left, g.dilation_w, g.k_w, g.in_w);
      int pixels = 1;  // a run of pixels with every kernel column inside goes as one tile
      if (cols.lo == 0 && cols.hi == g.k_w)
        while (pixels < kMaxLanes && ox + pixels < g.out_w) {
          const Range next = taps_inside(ox + pixels, g.stride_w, g.pad_left, g.dilation_w, g.k_w, g.in_w);
          if (next.lo != 0 || next.hi != g.k_w) break;
          ++pixels;
        }
      const int64_t ix = ox * g.stride_w - g.pad_left + cols.lo * g.dilation_w;
      const float* src = in + ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;  // not read when no tap is inside
      float* dst = out_row + ox * g.out_c;
      for (int64_t co = 0; co < g.out_c; co += 16)
        with_lanes(pixels, [&](auto pix) {
          constexpr int kPix = decltype(pix)::value;
          if (co + 16 <= g.out_c)
            relu ? tile<kPix, 2, true>(g, src, rows, cols, filter, bias, co, dst)
                 : tile<kPix, 2, false>(g, src, rows, cols, filter, bias, co, dst);
          else
            relu ? tile<kPix, 1, true>(g, src, rows, cols, filter, bias, co, dst)
                 : tile<kPix, 1, false>(g, src, rows, cols, filter, bias, co, dst);
        });
      ox += pixels;
    }
  }
}

void direct_conv_filter_gradient_rows(const ConvGeometry& g, const float* in, const float* d_out, int64_t r0,
                                      int64_t r1, float* acc, float* acc_bias) {
  // Rows in blocks, so a block's input and output gradient rows stay in cache across the taps.
  constexpr int64_t kRowBlock = 16;
  for (int64_t rb = r0; rb < r1; rb += kRowBlock) {
    const int64_t re = rb + kRowBlock < r1 ? rb + kRowBlock : r1;
    if (acc_bias) add_rows_in_order(d_out + rb * g.out_w * g.out_c, (re - rb) * g.out_w, g.out_c, acc_bias);
    if (all_taps_inside(g)) {
      // Lanes run across taps, so layers with few input channels (a first layer's one or three)
      // still fill every lane.
      const int64_t patch = g.k_h * g.k_w * g.in_c;
      for (int64_t p = 0; p < patch; p += kMaxLanes)
        gradient_tiles(g, in, d_out, rb, re, p, static_cast<int>(std::min<int64_t>(kMaxLanes, patch - p)),
                       Range{0, g.out_w}, acc);
      continue;
    }
    for (int64_t ky = 0; ky < g.k_h; ++ky)
      for (int64_t kx = 0; kx < g.k_w; ++kx) {
        const Range columns = outputs_inside(kx, g.stride_w, g.pad_left, g.dilation_w, g.in_w, g.out_w);
        for (int64_t ci = 0; ci < g.in_c; ci += kMaxLanes)
          gradient_tiles(g, in, d_out, rb, re, (ky * g.k_w + kx) * g.in_c + ci,
                         static_cast<int>(std::min<int64_t>(kMaxLanes, g.in_c - ci)), columns, acc);
      }
  }
}

#else  // no AVX2: the im2col path does everything

bool direct_conv_applies(const ConvGeometry&) {
  return false;
}
void direct_conv_rows(const ConvGeometry&, const float*, const float*, const float*, bool, int64_t, int64_t, float*) {}
void direct_conv_filter_gradient_rows(const ConvGeometry&, const float*, const float*, int64_t, int64_t, float*,
                                      float*) {}

#endif

}  // namespace tinyforge::nn
