// Elementwise work shared between the backend's threads. Waking a thread costs a few
// microseconds, so only passes of many items are split; each chunk computes its items exactly
// as a single pass would, so results do not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "nn/column_sums.h"
#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

// Items (floats touched) per chunk below which a pass stays on the calling thread.
inline constexpr int64_t kParallelGrain = 16384;

// fn(begin, end) over [0, n); `cost` is the items of work per index (a row's width, say).
template <typename F>
void for_chunks(int64_t n, int64_t cost, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(cost, 1));
  if (n < 2 * grain) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  backend().parallel_for(n, grain, std::forward<F>(fn));
}

// fn(k, begin, end) over the concatenation of arrays of sizes[k] items each (a model's
// parameters, say), split between threads as one pass: arrays too small to be split alone would
// each stay on the calling thread while the others wait.
template <typename F>
void for_chunks_of_all(const std::vector<int64_t>& sizes, F&& fn) {
  int64_t total = 0;
  for (const int64_t n : sizes) total += n;
  for_chunks(total, 1, [&](int64_t a, int64_t b) {
    int64_t base = 0;
    for (size_t k = 0; k < sizes.size() && base < b; base += sizes[k], ++k) {
      const int64_t lo = std::max(a, base), hi = std::min(b, base + sizes[k]);
      if (lo < hi) fn(k, lo - base, hi - base);
    }
  });
}

// m's rows = row (a bias, say): rows x cols floats, each row a copy of `row`.
inline void fill_rows(float* m, int64_t rows, int64_t cols, const float* row) {
  for_chunks(rows, cols, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) std::copy(row, row + cols, m + r * cols);
  });
}

// acc[c] += the sum over rows r of m[r * cols + c] (a bias gradient, say). Each block of
// kColumnSumRows rows is summed in order, then the blocks' sums are added in order, so the
// bytes do not depend on the thread count.
inline constexpr int64_t kColumnSumRows = 64;
inline void add_column_sums(const float* m, int64_t rows, int64_t cols, float* acc) {
  const int64_t blocks = (rows + kColumnSumRows - 1) / kColumnSumRows;
  std::vector<float> partial(static_cast<size_t>(blocks * cols), 0.0f);
  for_chunks(blocks, kColumnSumRows * cols, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r0 = b * kColumnSumRows, r1 = std::min(rows, r0 + kColumnSumRows);
      add_rows_in_order(m + r0 * cols, r1 - r0, cols, partial.data() + b * cols);
    }
  });
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t c = 0; c < cols; ++c) acc[c] += partial[static_cast<size_t>(b * cols + c)];
}

}  // namespace tinyforge::nn
