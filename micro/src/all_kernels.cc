#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {

bool register_all_kernels(OpResolver* resolver) {
  const Kernel* all[] = {
      &kernels::kAdd,          &kernels::kAveragePool2D, &kernels::kCast,
      &kernels::kConcatenation, &kernels::kConv2D,       &kernels::kDepthwiseConv2D,
      &kernels::kDequantize,   &kernels::kExpandDims,    &kernels::kFullyConnected,
      &kernels::kHardSwish,    &kernels::kLeakyRelu,     &kernels::kLogistic,
      &kernels::kMaxPool2D,    &kernels::kMean,          &kernels::kMul,
      &kernels::kPad,          &kernels::kQuantize,      &kernels::kRelu,
      &kernels::kRelu6,        &kernels::kReshape,       &kernels::kSoftmax,
      &kernels::kSqueeze,      &kernels::kStridedSlice,  &kernels::kSub,
      &kernels::kSvdf,         &kernels::kTanh,          &kernels::kTranspose,
      &kernels::kUnidirectionalSequenceLstm,
  };
  bool ok = true;
  for (const Kernel* k : all) {
    ok = resolver->add(*k) && ok;
  }
  return ok;
}

}  // namespace micro
}  // namespace tinyforge
