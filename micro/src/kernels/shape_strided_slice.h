// STRIDED_SLICE, resolved once in prepare into per-axis (start, stop, stride) over the
// input padded to 5 dimensions with leading size-1 axes, exactly as TFLite's reference
// kernel iterates: negative indices count from the end, then clamp to [0, size] going
// forward or [-1, size - 1] going backward, then begin_mask / end_mask take the whole
// axis; a shrunk axis takes the single element at begin; with `offset`, end is
// relative to begin. TFLite Micro itself reads no ellipsis/new-axis masks (they are
// rejected) and ignores `offset`; we honour it, as TFLite does.
#pragma once

#include "shape_common.h"

namespace tinyforge {
namespace micro {
namespace shape_ops {

constexpr int kSliceRank = 5;

struct SliceParams {
  int rank = 0;  // of the input, 1..5
  int32_t begin[kSliceRank] = {};
  int32_t end[kSliceRank] = {};
  int32_t strides[kSliceRank] = {};
  int32_t begin_mask = 0;
  int32_t end_mask = 0;
  int32_t shrink_axis_mask = 0;
  bool offset = false;
};

struct SlicePlan {
  int32_t dims[kSliceRank] = {};  // input dims, padded in front with 1s
  int32_t start[kSliceRank] = {};
  int32_t stop[kSliceRank] = {};
  int32_t stride[kSliceRank] = {};
  uint32_t elem_size = 0;
};

inline int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Elements visited from start towards stop (exclusive) in steps of stride.
inline int32_t slice_count(int32_t start, int32_t stop, int32_t stride) {
  const int64_t a = start, b = stop, s = stride;
  if (s > 0) return static_cast<int32_t>(b > a ? (b - a + s - 1) / s : 0);
  return static_cast<int32_t>(a > b ? (a - b - s - 1) / -s : 0);
}

// Fills the plan and the expected output shape (shrunk axes removed). Returns null, or
// what is wrong.
inline const char* plan_strided_slice(const Shape& in, const SliceParams& p, SlicePlan* plan, Shape* out) {
  if (in.rank < 1 || in.rank > kSliceRank) return "input rank must be 1 to 5";
  if (p.rank != in.rank) return "begin/end/strides must have one entry per input axis";
  const int pad = kSliceRank - in.rank;
  for (int i = 0; i < pad; ++i) {
    plan->dims[i] = 1;
    plan->start[i] = 0;
    plan->stop[i] = 1;
    plan->stride[i] = 1;
  }
  out->rank = 0;
  for (int i = 0; i < in.rank; ++i) {
    const int64_t size = in.dims[i];
    const int64_t stride = p.strides[i];
    if (stride == 0) return "stride is zero";
    const bool forward = stride > 0;
    const int64_t lo = forward ? 0 : -1;
    const int64_t hi = forward ? size : size - 1;

    int64_t start = p.begin[i];
    if (start < 0) start += size;
    start = clamp64(start, lo, hi);
    if (p.begin_mask & (1 << i)) start = forward ? 0 : size - 1;

    int64_t stop;
    int64_t step = stride;
    const bool shrink = (p.shrink_axis_mask & (1 << i)) != 0;
    if (shrink) {
      // One element at begin whatever the stride's sign (TensorFlow's meaning).
      if (start < 0 || start >= size) return "shrunk axis index is out of range";
      stop = start + 1;
      step = 1;
    } else {
      stop = p.end[i];
      if (p.offset) stop += start;
      if (stop < 0) stop += size;
      stop = clamp64(stop, lo, hi);
      if (p.end_mask & (1 << i)) stop = forward ? size : -1;
    }
    const int a = pad + i;
    plan->dims[a] = in.dims[i];
    plan->start[a] = static_cast<int32_t>(start);
    plan->stop[a] = static_cast<int32_t>(stop);
    plan->stride[a] = static_cast<int32_t>(step);
    if (!shrink) out->dims[out->rank++] = slice_count(plan->start[a], plan->stop[a], plan->stride[a]);
  }
  return nullptr;
}

// Writes the selected elements in order. Each run along the last axis is one memcpy
// when its stride is 1.
template <typename T>
void strided_slice_copy(const SlicePlan& p, const T* in, T* out) {
  const int32_t* d = p.dims;
  const int32_t s3 = d[4];
  const int32_t s2 = d[3] * s3;
  const int32_t s1 = d[2] * s2;
  const int32_t s0 = d[1] * s1;
  const int32_t n4 = slice_count(p.start[4], p.stop[4], p.stride[4]);
  const int32_t n3 = slice_count(p.start[3], p.stop[3], p.stride[3]);
  const int32_t n2 = slice_count(p.start[2], p.stop[2], p.stride[2]);
  const int32_t n1 = slice_count(p.start[1], p.stop[1], p.stride[1]);
  const int32_t n0 = slice_count(p.start[0], p.stop[0], p.stride[0]);
  if (n4 == 0) return;
  for (int32_t i0 = 0, x0 = p.start[0]; i0 < n0; ++i0, x0 += p.stride[0]) {
    for (int32_t i1 = 0, x1 = p.start[1]; i1 < n1; ++i1, x1 += p.stride[1]) {
      for (int32_t i2 = 0, x2 = p.start[2]; i2 < n2; ++i2, x2 += p.stride[2]) {
        for (int32_t i3 = 0, x3 = p.start[3]; i3 < n3; ++i3, x3 += p.stride[3]) {
          const T* row = in + x0 * s0 + x1 * s1 + x2 * s2 + x3 * s3;
          if (p.stride[4] == 1) {
            memcpy(out, row + p.start[4], static_cast<size_t>(n4) * sizeof(T));
            out += n4;
          } else {
            for (int32_t i4 = 0, x4 = p.start[4]; i4 < n4; ++i4, x4 += p.stride[4]) *out++ = row[x4];
          }
        }
      }
    }
  }
}

}  // namespace shape_ops
}  // namespace micro
}  // namespace tinyforge
