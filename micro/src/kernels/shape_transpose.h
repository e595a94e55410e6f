// TRANSPOSE: output axis i is input axis perm[i]. The plan walks the output in order
// and, for each output axis, steps through the input by that input axis's stride.
#pragma once

#include "shape_common.h"

namespace tinyforge {
namespace micro {
namespace shape_ops {

constexpr int kTransposeRank = 6;

struct TransposePlan {
  int32_t out_dims[kTransposeRank] = {};   // padded in front with 1s
  int32_t in_stride[kTransposeRank] = {};  // input stride (elements) of the axis feeding each output axis
  uint32_t elem_size = 0;
};

// Checks that perm is a permutation of 0..rank-1 and fills the plan and the output
// shape it implies. Returns null, or what is wrong.
inline const char* plan_transpose(const Shape& in, const int32_t* perm, int perm_count, TransposePlan* plan,
                                  Shape* out) {
  const int rank = in.rank;
  if (rank < 1 || rank > kTransposeRank) return "input rank must be 1 to 6";
  if (perm_count != rank) return "perm must have one entry per input axis";
  bool used[kTransposeRank] = {};
  for (int i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank) return "perm entry out of range";
    if (used[perm[i]]) return "perm repeats an axis";
    used[perm[i]] = true;
  }
  int32_t stride[kTransposeRank];
  int32_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    stride[i] = s;
    s *= in.dims[i];
  }
  const int pad = kTransposeRank - rank;
  for (int i = 0; i < pad; ++i) {
    plan->out_dims[i] = 1;
    plan->in_stride[i] = 0;
  }
  out->rank = rank;
  for (int i = 0; i < rank; ++i) {
    out->dims[i] = in.dims[perm[i]];
    plan->out_dims[pad + i] = in.dims[perm[i]];
    plan->in_stride[pad + i] = stride[perm[i]];
  }
  return nullptr;
}

template <typename T>
void transpose_copy(const TransposePlan& p, const T* in, T* out) {
  const int32_t* d = p.out_dims;
  const int32_t* st = p.in_stride;
  for (int32_t i0 = 0; i0 < d[0]; ++i0) {
    const T* p0 = in + i0 * st[0];
    for (int32_t i1 = 0; i1 < d[1]; ++i1) {
      const T* p1 = p0 + i1 * st[1];
      for (int32_t i2 = 0; i2 < d[2]; ++i2) {
        const T* p2 = p1 + i2 * st[2];
        for (int32_t i3 = 0; i3 < d[3]; ++i3) {
          const T* p3 = p2 + i3 * st[3];
          for (int32_t i4 = 0; i4 < d[4]; ++i4) {
            const T* p4 = p3 + i4 * st[4];
            for (int32_t i5 = 0; i5 < d[5]; ++i5) *out++ = p4[i5 * st[5]];
          }
        }
      }
    }
  }
}

}  // namespace shape_ops
}  // namespace micro
}  // namespace tinyforge
