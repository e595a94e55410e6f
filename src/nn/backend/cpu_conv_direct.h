// Direct Conv2D forward for the small convolutions of TinyML models: output tiles held in AVX2
// registers, patches read straight from the NHWC input. im2col + GEMM copies every patch twice
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

}  // namespace tinyforge::nn
