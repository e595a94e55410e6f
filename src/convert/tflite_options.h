// Which BuiltinOptions union member each builtin operator carries (TFLite's pairing), shared
// by the reader (to reject a mismatched member) and the writer (to pick the member).
#pragma once

#include <cstdint>

#include "tinyforge/micro/types.h"
#include "tinyforge/schema/tflite_generated.h"

namespace tinyforge::convert {

inline tflite::BuiltinOptions options_type_for(int32_t builtin) {
  namespace op = micro::op;
  using tflite::BuiltinOptions;
  switch (builtin) {
    case op::kConv2D: return BuiltinOptions::BuiltinOptions_Conv2DOptions;
    case op::kDepthwiseConv2D: return BuiltinOptions::BuiltinOptions_DepthwiseConv2DOptions;
    case op::kAveragePool2D:
    case op::kMaxPool2D: return BuiltinOptions::BuiltinOptions_Pool2DOptions;
    case op::kSvdf: return BuiltinOptions::BuiltinOptions_SVDFOptions;
    case op::kFullyConnected: return BuiltinOptions::BuiltinOptions_FullyConnectedOptions;
    case op::kSoftmax: return BuiltinOptions::BuiltinOptions_SoftmaxOptions;
    case op::kConcatenation: return BuiltinOptions::BuiltinOptions_ConcatenationOptions;
    case op::kAdd: return BuiltinOptions::BuiltinOptions_AddOptions;
    case op::kReshape: return BuiltinOptions::BuiltinOptions_ReshapeOptions;
    case op::kMul: return BuiltinOptions::BuiltinOptions_MulOptions;
    case op::kPad: return BuiltinOptions::BuiltinOptions_PadOptions;
    case op::kTranspose: return BuiltinOptions::BuiltinOptions_TransposeOptions;
    case op::kMean: return BuiltinOptions::BuiltinOptions_ReducerOptions;
    case op::kSub: return BuiltinOptions::BuiltinOptions_SubOptions;
    case op::kDiv: return BuiltinOptions::BuiltinOptions_DivOptions;
    case op::kSqueeze: return BuiltinOptions::BuiltinOptions_SqueezeOptions;
    case op::kStridedSlice: return BuiltinOptions::BuiltinOptions_StridedSliceOptions;
    case op::kCast: return BuiltinOptions::BuiltinOptions_CastOptions;
    case op::kDequantize: return BuiltinOptions::BuiltinOptions_DequantizeOptions;
    case op::kMaximum:
    case op::kMinimum: return BuiltinOptions::BuiltinOptions_MaximumMinimumOptions;
    case op::kExpandDims: return BuiltinOptions::BuiltinOptions_ExpandDimsOptions;
    case op::kUnidirectionalSequenceLstm: return BuiltinOptions::BuiltinOptions_UnidirectionalSequenceLSTMOptions;
    case op::kLeakyRelu: return BuiltinOptions::BuiltinOptions_LeakyReluOptions;
    case op::kQuantize: return BuiltinOptions::BuiltinOptions_QuantizeOptions;
    case op::kHardSwish: return BuiltinOptions::BuiltinOptions_HardSwishOptions;
    default: return BuiltinOptions::BuiltinOptions_NONE;  // no options table (RELU, TANH, ...) or not known
  }
}

}  // namespace tinyforge::convert
