// Depthwise convolution (one filter per channel) one row at a time, in AVX2 register tiles. The
// forward pass and the input gradient are, per pixel of the row written, a sum of per-channel
// products over the kernel's taps: a tile holds up to 6 neighbouring pixels x 8-64 channels in
// registers and loads each filter vector once for all of its pixels. The filter gradient holds a
// kernel row's columns x 8-64 channels while an output row streams past, loading each output
// gradient vector once for all the columns. (sum_of_products in cpu_depthwise.cc takes one pixel
// or tap at a time and loads both vectors of every term.)
#pragma once

#include <cstdint>

#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

// One row's sum: for each pixel p in [0, width),
//   out[p] = start + sum over the kernel rows i < n_rows, then its columns kx in pass order, of
//            src[i][p + sign * (kx - pad)] * taps[i][kx],
// with the columns whose source pixel falls outside [0, src_width) left out. Pixels are
// `channels` floats apart. sign +1 is a forward pass (columns ascending); sign -1 the input
// gradient gathered per input pixel (columns descending: the order in which a scatter over
// output pixels would add them).
struct RowSum {
  const float* const* src;   // per kernel row: the source row at pixel 0
  const float* const* taps;  // per kernel row: its filter row at column 0
  int64_t n_rows = 0;
  int64_t width = 0, src_width = 0;
  int64_t k_w = 1, pad = 0;
  int sign = 1;
  int64_t channels = 0;
};

// Whether row_sum serves g: horizontally unit stride and undilated (neighbouring pixels read
// neighbouring pixels), channels in multiples of 8, a build with AVX2 and FMA.
bool row_sums_apply(const ConvGeometry& g);

// Writes the row s describes to out; start (per channel, may be null for zeros) begins every sum.
// Each sum takes its terms in the order RowSum gives, one rounding per multiply-add.
void row_sum(const RowSum& s, const float* start, float* out);

// One output row's share of the filter gradient for one kernel row: for each kernel column kx
// and channel c, acc[kx * channels + c] += the sum over the row's pixels p, in order, of
// d[p][c] * src[p - pad + kx][c], leaving out the pixels whose source falls outside
// [0, src_width). (src: the input row the kernel row reads; d: the output gradient's row.)
struct RowProducts {
  const float* src = nullptr;
  const float* d = nullptr;
  int64_t width = 0, src_width = 0;
  int64_t k_w = 1, pad = 0;
  int64_t channels = 0;
};

// Whether add_row_products serves g: row_sums_apply(g) and at most 6 kernel columns.
bool row_products_apply(const ConvGeometry& g);

// Adds the row's products to acc; each accumulator takes its terms in pixel order, one rounding
// per multiply-add.
void add_row_products(const RowProducts& s, float* acc);

}  // namespace tinyforge::nn
