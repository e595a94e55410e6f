// Direct Conv2D forward and filter gradient for the small convolutions of TinyML models: tiles
// held in AVX2 registers, patches read straight from the NHWC input. im2col + GEMM copies every patch twice
// (into the column matrix, then into Eigen's packed layout) and Eigen's kernel is shaped for
// larger products than 9-144 values deep and 8-64 filters wide.
#pragma once

#include <cstdint>

#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

// Whether direct_conv_rows handles g: unpadded ('valid'), unit stride and dilation, filters in
// multiples of 8, and a build with AVX2 and FMA.
bool direct_conv_applies(const ConvGeometry& g);

// Output rows [r0, r1) of the flat (batch * out_h) rows: out = conv(in, filter) + bias (bias may
// be null). Each output is one chain of multiply-adds in (ky, kx, input channel) order.
void direct_conv_rows(const ConvGeometry& g, const float* in, const float* filter, const float* bias, int64_t r0,
                      int64_t r1, float* out);

// The filter and bias gradients of output rows [r0, r1), ADDED to acc ([k_h, k_w, in_c, out_c])
// and acc_bias (may be null). Each weight's products are added in order: rows, then columns.
void direct_conv_filter_gradient_rows(const ConvGeometry& g, const float* in, const float* d_out, int64_t r0,
                                      int64_t r1, float* acc, float* acc_bias);

}  // namespace tinyforge::nn
