// SUB: elementwise difference with broadcasting and a fused activation (float32, int32, int8, int16).
#include "elementwise_binary.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {

// Eval reads element i of both operands before writing element i of the output.
const Kernel kSub = {op::kSub, nullptr, /*max_version=*/5, prepare_add_sub<true>, eval_add_sub<true>, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
