// Offline-style memory planning for activations: every buffer has a size and a lifetime
// [first, last] in operator steps; buffers alive at the same step must not overlap.
// Several placement orders are tried and the one with the lowest peak wins, which is
// never worse than TFLite Micro's single greedy order (largest first).
#pragma once

#include <stdint.h>

namespace tinyforge {
namespace micro {

struct PlanBuffer {
  uint32_t size;
  uint32_t offset;  // result
  uint16_t first;
  uint16_t last;
};

// Places `n` buffers; `order` is caller-provided scratch of n entries. Returns the peak
// (bytes of the planned area), or 0xffffffff when the plan would exceed 4 GiB. Offsets are
// multiples of `align` (a power of two).
uint32_t plan_memory(PlanBuffer* buffers, uint16_t* order, uint32_t n, uint32_t align);

}  // namespace micro
}  // namespace tinyforge
