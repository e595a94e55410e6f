// Every kernel the runtime has, one constant record each (defined in src/kernels/<op>.cc).
#pragma once

#include "tinyforge/micro/op_resolver.h"

namespace tinyforge {
namespace micro {
namespace kernels {

extern const Kernel kAdd;
extern const Kernel kAveragePool2D;
extern const Kernel kCast;
extern const Kernel kConcatenation;
extern const Kernel kConv2D;
extern const Kernel kDepthwiseConv2D;
extern const Kernel kDequantize;
extern const Kernel kExpandDims;
extern const Kernel kFullyConnected;
extern const Kernel kHardSwish;
extern const Kernel kLeakyRelu;
extern const Kernel kLogistic;
extern const Kernel kMaxPool2D;
extern const Kernel kMean;
extern const Kernel kMul;
extern const Kernel kPad;
extern const Kernel kQuantize;
extern const Kernel kRelu;
extern const Kernel kRelu6;
extern const Kernel kReshape;
extern const Kernel kSoftmax;
extern const Kernel kSqueeze;
extern const Kernel kStridedSlice;
extern const Kernel kSub;
extern const Kernel kSvdf;
extern const Kernel kTanh;
extern const Kernel kTranspose;
extern const Kernel kUnidirectionalSequenceLstm;

}  // namespace kernels

// Registers every kernel above (what the host tools use; firmware registers its own list).
bool register_all_kernels(OpResolver* resolver);

}  // namespace micro
}  // namespace tinyforge
