// row_sum and add_row_products (cpu_depthwise_rows.h). row_sum: pixels in runs of up to kMaxLanes
// whose kernel columns all fall inside the source, one at a time at the edges. add_row_products:
// all of a kernel row's columns at once, each pixel adding to the columns whose source is inside.
// Both: channels in as many vectors as fit in registers beside the tile's lanes.
#include "nn/backend/cpu_depthwise_rows.h"

#include <algorithm>

#include "nn/backend/register_tile.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace tinyforge::nn {

#if defined(__AVX2__) && defined(__FMA__)
namespace {

// kPix neighbouring pixels x kVec * 8 channels from channel c, through `cols` kernel columns:
// the first pixel's first term reads src[i] + at and taps[i] + f_at; each further column reads
// the next source pixel and the filter column f_step floats on. The tile keeps kPix * kVec (8 to
// 12) sums in flight: a single chain of multiply-adds would wait on each one's latency.
#define TINYFORGE_ROW_FOR_VECS(X, j) X(j, 0) X(j, 1) X(j, 2) X(j, 3) X(j, 4) X(j, 5) X(j, 6) X(j, 7)
constexpr int kMaxVecs = 8;

template <int kPix, int kVec>
void tile(const RowSum& s, int64_t cols, int64_t at, int64_t f_at, int64_t f_step, int64_t c, const float* start,
          float* out) {
  static_assert(kPix >= 1 && kPix <= kMaxLanes && kVec >= 1 && kVec <= kMaxVecs);
  const int64_t C = s.channels;
#define TINYFORGE_ROW_INIT_V(j, v) \
  __m256 a##j##v = kVec > v && start ? _mm256_loadu_ps(start + c + 8 * v) : _mm256_setzero_ps();
#define TINYFORGE_ROW_INIT(j) TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_INIT_V, j)
  TINYFORGE_FOR_LANES(TINYFORGE_ROW_INIT)
#undef TINYFORGE_ROW_INIT
#undef TINYFORGE_ROW_INIT_V
  for (int64_t i = 0; i < s.n_rows; ++i) {
    const float* x = s.src[i] + at + c;
    const float* f = s.taps[i] + f_at + c;
    for (int64_t k = 0; k < cols; ++k, x += C, f += f_step) {
#define TINYFORGE_ROW_FILTER(j, v) const __m256 f##v = kVec > v ? _mm256_loadu_ps(f + 8 * v) : _mm256_setzero_ps();
      TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_FILTER, 0)
#undef TINYFORGE_ROW_FILTER
#define TINYFORGE_ROW_STEP_V(j, v) \
  if constexpr (kPix > j && kVec > v) a##j##v = _mm256_fmadd_ps(_mm256_loadu_ps(x + j * C + 8 * v), f##v, a##j##v);
#define TINYFORGE_ROW_STEP(j) TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_STEP_V, j)
      TINYFORGE_FOR_LANES(TINYFORGE_ROW_STEP)
#undef TINYFORGE_ROW_STEP
#undef TINYFORGE_ROW_STEP_V
    }
  }
#define TINYFORGE_ROW_STORE_V(j, v) \
  if constexpr (kPix > j && kVec > v) _mm256_storeu_ps(out + j * C + c + 8 * v, a##j##v);
#define TINYFORGE_ROW_STORE(j) TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_STORE_V, j)
  TINYFORGE_FOR_LANES(TINYFORGE_ROW_STORE)
#undef TINYFORGE_ROW_STORE
#undef TINYFORGE_ROW_STORE_V
}

// The filter gradient's tile: kTaps kernel columns x kVec * 8 channels from channel c, held in
// registers while the row's pixels stream past; each pixel's output-gradient vectors are loaded
// once for all the columns.
template <int kTaps, int kVec>
void products_tile(const RowProducts& s, int64_t c, float* acc) {
  static_assert(kTaps >= 1 && kTaps <= kMaxLanes && kVec >= 1 && kVec <= kMaxVecs);
  const int64_t C = s.channels;
#define TINYFORGE_ROW_LOAD_V(t, v) \
  __m256 a##t##v = kTaps > t && kVec > v ? _mm256_loadu_ps(acc + t * C + c + 8 * v) : _mm256_setzero_ps();
#define TINYFORGE_ROW_LOAD(t) TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_LOAD_V, t)
  TINYFORGE_FOR_LANES(TINYFORGE_ROW_LOAD)
#undef TINYFORGE_ROW_LOAD
#undef TINYFORGE_ROW_LOAD_V
  for (int64_t p = 0; p < s.width; ++p) {
    // Kernel columns whose source pixel p - pad + kx lies inside the row.
    const int64_t lo = s.pad - p, hi = s.src_width + s.pad - p;
    const float* x = s.src + (p - s.pad) * C + c;  // at kx = 0 (may point before the row: not read)
    const float* d = s.d + p * C + c;
#define TINYFORGE_ROW_GRAD(t, v) const __m256 d##v = kVec > v ? _mm256_loadu_ps(d + 8 * v) : _mm256_setzero_ps();
    TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_GRAD, 0)
#undef TINYFORGE_ROW_GRAD
#define TINYFORGE_ROW_TERM_V(t, v) \
  if constexpr (kVec > v) a##t##v = _mm256_fmadd_ps(d##v, _mm256_loadu_ps(x + t * C + 8 * v), a##t##v);
#define TINYFORGE_ROW_TERM(t)                         \
  if constexpr (kTaps > t)                            \
    if (t >= lo && t < hi) {                          \
      TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_TERM_V, t) \
    }
    TINYFORGE_FOR_LANES(TINYFORGE_ROW_TERM)
#undef TINYFORGE_ROW_TERM
#undef TINYFORGE_ROW_TERM_V
  }
#define TINYFORGE_ROW_SAVE_V(t, v) \
  if constexpr (kTaps > t && kVec > v) _mm256_storeu_ps(acc + t * C + c + 8 * v, a##t##v);
#define TINYFORGE_ROW_SAVE(t) TINYFORGE_ROW_FOR_VECS(TINYFORGE_ROW_SAVE_V, t)
  TINYFORGE_FOR_LANES(TINYFORGE_ROW_SAVE)
#undef TINYFORGE_ROW_SAVE
#undef TINYFORGE_ROW_SAVE_V
}

#undef TINYFORGE_ROW_FOR_VECS

// Calls fn(std::integral_constant<int, count>{}) for count in {1, 2, 4, 8}: the vectors of a
// tile of kLanes lanes (pixels or kernel columns), as many as keep its sums within 12 registers,
// and no more than `available`.
template <int kLanes, typename F>
void with_vecs(int64_t available, F&& fn) {
  constexpr int kFit = kLanes == 1 ? 8 : kLanes <= 3 ? 4 : 2;
  if constexpr (kFit >= 8)
    if (available >= 8) return fn(std::integral_constant<int, 8>{});
  if constexpr (kFit >= 4)
    if (available >= 4) return fn(std::integral_constant<int, 4>{});
  if (available >= 2) return fn(std::integral_constant<int, 2>{});
  return fn(std::integral_constant<int, 1>{});
}

// The kernel columns [lo, hi) whose source pixel p + sign * (kx - pad) lies inside the source.
struct Columns {
  int64_t lo, hi;
};
Columns columns_inside(const RowSum& s, int64_t p) {
  if (s.sign > 0) return {std::max<int64_t>(0, s.pad - p), std::min(s.k_w, s.src_width + s.pad - p)};
  return {std::max<int64_t>(0, p + s.pad - s.src_width + 1), std::min(s.k_w, p + s.pad + 1)};
}

}  // namespace

bool row_sums_apply(const ConvGeometry& g) {
  return g.stride_w == 1 && g.dilation_w == 1 && g.in_c % 8 == 0;
}

void row_sum(const RowSum& s, const float* start, float* out) {
  const int64_t C = s.channels;
  for (int64_t p = 0; p < s.width;) {
    const Columns cols = columns_inside(s, p);  // empty only if every tap is in the padding: the start alone
    int pixels = 1;                             // a run of pixels with all kernel columns inside goes as one tile
    if (cols.lo == 0 && cols.hi == s.k_w)
      while (pixels < kMaxLanes && p + pixels < s.width) {
        const Columns next = columns_inside(s, p + pixels);
        if (next.lo != 0 || next.hi != s.k_w) break;
        ++pixels;
      }
    const int64_t first = s.sign > 0 ? cols.lo : cols.hi - 1;
    const int64_t at = (p + s.sign * (first - s.pad)) * C, f_at = first * C, f_step = s.sign * C;
    with_lanes(pixels, [&](auto pix) {
      constexpr int kPix = decltype(pix)::value;
      for (int64_t c = 0; c < C;)
        with_vecs<kPix>((C - c) / 8, [&](auto vecs) {
          tile<kPix, decltype(vecs)::value>(s, std::max<int64_t>(0, cols.hi - cols.lo), at, f_at, f_step, c, start,
                                            out + p * C);
          c += 8 * decltype(vecs)::value;
        });
    });
    p += pixels;
  }
}

bool row_products_apply(const ConvGeometry& g) {
  return row_sums_apply(g) && g.k_w <= kMaxLanes;
}

void add_row_products(const RowProducts& s, float* acc) {
  with_lanes(static_cast<int>(s.k_w), [&](auto taps) {
    constexpr int kTaps = decltype(taps)::value;
    for (int64_t c = 0; c < s.channels;)
      with_vecs<kTaps>((s.channels - c) / 8, [&](auto vecs) {
        products_tile<kTaps, decltype(vecs)::value>(s, c, acc);
        c += 8 * decltype(vecs)::value;
      });
  });
}

#else  // no AVX2: cpu_depthwise.cc's per-pixel sums do everything

bool row_sums_apply(const ConvGeometry&) {
  return false;
}
void row_sum(const RowSum&, const float*, float*) {}
bool row_products_apply(const ConvGeometry&) {
  return false;
}
void add_row_products(const RowProducts&, float*) {}

#endif

}  // namespace tinyforge::nn
