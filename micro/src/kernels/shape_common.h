// Helpers shared by the data-movement kernels (RESHAPE, SQUEEZE, EXPAND_DIMS,
// CONCATENATION, STRIDED_SLICE, PAD, TRANSPOSE). None of them does arithmetic on the
// elements, so their loops work on element *sizes* (1, 2, 4 or 8 bytes) rather than on
// element types: the bytes come out identical for float, int, bool, and the code stays small.
#pragma once

#include <stdint.h>
#include <string.h>

#include "tinyforge/micro/kernel_api.h"

namespace tinyforge {
namespace micro {
namespace shape_ops {

constexpr uint32_t type_bit(TensorType t) { return 1u << static_cast<uint8_t>(t); }

inline bool type_in(TensorType t, uint32_t allowed_mask) { return (allowed_mask & type_bit(t)) != 0; }

// Maps an axis in [-rank, rank) to [0, rank); -1 when it is outside.
inline int normalize_axis(int32_t axis, int rank) {
  if (axis < -rank || axis >= rank) return -1;
  return axis < 0 ? axis + rank : axis;
}

// A constant INT32 tensor holding at least `count` values (read with memcpy: the
// model's buffers carry no alignment promise).
inline bool is_const_i32(const TensorInfo& t, uint32_t count) {
  return t.const_data != nullptr && t.type == TensorType::kInt32 && t.bytes >= count * 4u;
}
inline int32_t const_i32(const TensorInfo& t, uint32_t i) {
  int32_t v;
  memcpy(&v, t.const_data + i * 4u, 4);
  return v;
}

// Op data of the kernels that only copy their input (or do nothing when the planner
// placed input and output at the same address).
struct CopyOpData {
  uint32_t bytes;
};

inline Status prepare_copy(PrepareContext& ctx, uint32_t bytes) {
  CopyOpData* data = ctx.allocate_op_data<CopyOpData>();
  if (!data) return Status::kArenaTooSmall;
  data->bytes = bytes;
  return Status::kOk;
}

inline Status eval_copy(EvalContext& ctx) {
  const CopyOpData* data = ctx.op_data_as<CopyOpData>();
  const void* in = ctx.input_data(0);
  void* out = ctx.output_data(0);
  if (in != out && data->bytes > 0) memcpy(out, in, data->bytes);
  return Status::kOk;
}

// Common checks of the reshape-like kernels: one data input, one output, same type,
// same number of elements.
inline Status check_same_elements(PrepareContext& ctx, const TensorInfo& in, const TensorInfo& out) {
  if (type_size(in.type) == 0) return ctx.unsupported("tensor type %s has no fixed size", type_name(in.type));
  if (in.type != out.type) {
    return ctx.fail("input type %s differs from output type %s", type_name(in.type), type_name(out.type));
  }
  if (in.shape.flat_size() != out.shape.flat_size()) {
    return ctx.fail("input has %d elements but output has %d", static_cast<int>(in.shape.flat_size()),
                    static_cast<int>(out.shape.flat_size()));
  }
  return Status::kOk;
}

// True when a RESHAPE target shape (from the shape input or the new_shape option) names
// the output shape: same rank, and every entry equal to the output dimension except at
// most one -1 (the dimension TensorFlow infers). A one-entry [0] is the old converters'
// spelling of a scalar.
inline bool reshape_spec_matches(const int32_t* spec, int count, const Shape& out) {
  if (count == 1 && spec[0] == 0 && out.rank == 0) return true;
  if (count != out.rank) return false;
  int inferred = 0;
  for (int i = 0; i < count; ++i) {
    if (spec[i] == -1) {
      if (++inferred > 1) return false;
    } else if (spec[i] != out.dims[i]) {
      return false;
    }
  }
  return true;
}

// SQUEEZE's output shape: the input without the listed axes (negative ones count from
// the end), or without every size-1 axis when the list is empty. False when an axis is
// out of range or does not have size 1.
inline bool squeeze_shape(const Shape& in, const int32_t* axes, int num_axes, Shape* out) {
  bool drop[kMaxRank] = {};
  if (num_axes == 0) {
    for (int i = 0; i < in.rank; ++i) drop[i] = in.dims[i] == 1;
  } else {
    for (int k = 0; k < num_axes; ++k) {
      const int axis = normalize_axis(axes[k], in.rank);
      if (axis < 0 || in.dims[axis] != 1) return false;
      drop[axis] = true;
    }
  }
  out->rank = 0;
  for (int i = 0; i < in.rank; ++i) {
    if (!drop[i]) out->dims[out->rank++] = in.dims[i];
  }
  return true;
}

// EXPAND_DIMS's output shape: a size-1 axis inserted at `axis` in [-(rank+1), rank].
inline bool expand_dims_shape(const Shape& in, int32_t axis, Shape* out) {
  if (in.rank + 1 > kMaxRank) return false;
  const int at = normalize_axis(axis, in.rank + 1);
  if (at < 0) return false;
  out->rank = in.rank + 1;
  for (int i = 0, j = 0; i < out->rank; ++i) out->dims[i] = (i == at) ? 1 : in.dims[j++];
  return true;
}

}  // namespace shape_ops
}  // namespace micro
}  // namespace tinyforge
