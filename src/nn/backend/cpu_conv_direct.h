// Direct Conv2D forward and filter gradient for the small convolutions of TinyML models: tiles
// held in AVX2 registers, patches read straight from the NHWC input. im2col + GEMM copies every
// patch twice (into the column matrix, then into Eigen's packed layout) and Eigen's kernel is
// shaped for larger products than 9-512 values deep and 8-64 filters wide.
#pragma once

#include <cstdint>

#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

// Patches (kernel taps x input channels) of at most this many values: a tile's filter block
// (patch x 16 filters) then fits the first-level cache (32 KiB).
inline constexpr int64_t kMaxDirectPatch = 512;

// Whether the direct kernels handle g: unit stride (any padding and dilation), filters in
// multiples of 8, patches of at most kMaxDirectPatch values, and a build with AVX2 and FMA.
// Strided convolutions were measured both ways (2 threads, best of 5): im2col + GEMM was faster
// on kws_dscnn's first layer (10x4, stride 2, one input channel: forward 588 vs 750 us, filter
// gradient 595 vs 1074 us) and on a 3x3 stride-2 32 -> 64 layer's filter gradient (1871 vs 2197
// us); unit-stride 'same' layers gained (3x3 16 -> 32 on 32x32, batch 32: forward 1973 -> 1476
// us, filter gradient 2064 -> 1727 us).
bool direct_conv_applies(const ConvGeometry& g);

// Output rows [r0, r1) of the flat (batch * out_h) rows: out = conv(in, filter) + bias (bias may
// be null), then x > 0 ? x : 0 when `relu`. Each output is one chain of multiply-adds in (ky, kx,
// input channel) order.
void direct_conv_rows(const ConvGeometry& g, const float* in, const float* filter, const float* bias, bool relu,
                      int64_t r0, int64_t r1, float* out);

// The filter and bias gradients of output rows [r0, r1), ADDED to acc ([k_h, k_w, in_c, out_c])
// and acc_bias (may be null). Each weight's products are added in order: rows, then columns.
void direct_conv_filter_gradient_rows(const ConvGeometry& g, const float* in, const float* d_out, int64_t r0,
                                      int64_t r1, float* acc, float* acc_bias);

}  // namespace tinyforge::nn
