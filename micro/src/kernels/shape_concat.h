// CONCATENATION as byte copies: for each index of the axes before `axis`, the output
// holds one contiguous chunk from each input in turn.
#pragma once

#include "shape_common.h"

namespace tinyforge {
namespace micro {
namespace shape_ops {

constexpr int kMaxConcatInputs = 10;  // as TFLite Micro

struct ConcatPlan {
  uint32_t outer = 0;  // product of the output dimensions before the axis
  uint32_t num_inputs = 0;
  uint32_t chunk_bytes[kMaxConcatInputs] = {};  // per input: dims from the axis on, in bytes
};

// Checks the shapes (same rank, equal dimensions except along `axis`, whose sizes add
// up to the output's) and fills the plan. Returns null, or what is wrong.
inline const char* plan_concat(const Shape* inputs, int num_inputs, const Shape& out, int axis,
                               uint32_t elem_size, ConcatPlan* plan) {
  if (num_inputs < 1 || num_inputs > kMaxConcatInputs) return "number of inputs out of range (1..10)";
  if (axis < 0 || axis >= out.rank) return "axis out of range";
  int64_t axis_sum = 0;
  for (int k = 0; k < num_inputs; ++k) {
    const Shape& in = inputs[k];
    if (in.rank != out.rank) return "input rank differs from output rank";
    for (int d = 0; d < out.rank; ++d) {
      if (d != axis && in.dims[d] != out.dims[d]) return "input dimension differs from output outside the axis";
    }
    axis_sum += in.dims[axis];
  }
  if (axis_sum != out.dims[axis]) return "input sizes along the axis do not add up to the output's";
  uint32_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= static_cast<uint32_t>(out.dims[d]);
  uint32_t inner = elem_size;
  for (int d = axis + 1; d < out.rank; ++d) inner *= static_cast<uint32_t>(out.dims[d]);
  plan->outer = outer;
  plan->num_inputs = static_cast<uint32_t>(num_inputs);
  for (int k = 0; k < num_inputs; ++k) plan->chunk_bytes[k] = static_cast<uint32_t>(inputs[k].dims[axis]) * inner;
  return nullptr;
}

inline void concat_copy(const ConcatPlan& plan, const uint8_t* const* inputs, uint8_t* out) {
  for (uint32_t o = 0; o < plan.outer; ++o) {
    for (uint32_t k = 0; k < plan.num_inputs; ++k) {
      const uint32_t n = plan.chunk_bytes[k];
      if (n) memcpy(out, inputs[k] + static_cast<size_t>(o) * n, n);
      out += n;
    }
  }
}

}  // namespace shape_ops
}  // namespace micro
}  // namespace tinyforge
