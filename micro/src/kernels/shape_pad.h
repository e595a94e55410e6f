// PAD: the output is the input surrounded, per axis, by `left` and `right` copies of a
// constant. Inputs up to rank 5 (as TFLite), padded in front with size-1 axes.
#pragma once

#include "shape_common.h"

namespace tinyforge {
namespace micro {
namespace shape_ops {

constexpr int kPadRank = 5;

struct PadPlan {
  int32_t in_dims[kPadRank] = {};
  int32_t left[kPadRank] = {};
  int32_t right[kPadRank] = {};
  uint32_t elem_size = 0;
  uint8_t value[8] = {};  // the pad element's bytes
};

// `paddings` holds rank pairs (left, right). Fills the plan and the output shape they
// imply. Returns null, or what is wrong.
inline const char* plan_pad(const Shape& in, const int32_t* paddings, PadPlan* plan, Shape* out) {
  if (in.rank > kPadRank) return "input rank above 5";
  const int pad = kPadRank - in.rank;
  for (int i = 0; i < pad; ++i) {
    plan->in_dims[i] = 1;
    plan->left[i] = 0;
    plan->right[i] = 0;
  }
  out->rank = in.rank;
  for (int i = 0; i < in.rank; ++i) {
    const int32_t l = paddings[2 * i], r = paddings[2 * i + 1];
    if (l < 0 || r < 0) return "negative padding";
    const int64_t size = static_cast<int64_t>(in.dims[i]) + l + r;
    if (size > INT32_MAX) return "padded size too large";
    plan->in_dims[pad + i] = in.dims[i];
    plan->left[pad + i] = l;
    plan->right[pad + i] = r;
    out->dims[i] = static_cast<int32_t>(size);
  }
  return nullptr;
}

template <typename T>
inline T* fill(T* out, T v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) *out++ = v;
  return out;
}

// Writes the output in order: along each axis, left pad blocks, the input's rows,
// right pad blocks. `block[a]` is the number of output elements below one index of axis a.
template <typename T>
void pad_copy(const PadPlan& p, const T* in, T* out) {
  T v;
  memcpy(&v, p.value, sizeof(T));
  int64_t od[kPadRank];
  for (int a = 0; a < kPadRank; ++a) od[a] = static_cast<int64_t>(p.in_dims[a]) + p.left[a] + p.right[a];
  int64_t block[kPadRank];
  block[kPadRank - 1] = 1;
  for (int a = kPadRank - 2; a >= 0; --a) block[a] = block[a + 1] * od[a + 1];
  const int32_t* d = p.in_dims;
  out = fill(out, v, p.left[0] * block[0]);
  for (int32_t i0 = 0; i0 < d[0]; ++i0) {
    out = fill(out, v, p.left[1] * block[1]);
    for (int32_t i1 = 0; i1 < d[1]; ++i1) {
      out = fill(out, v, p.left[2] * block[2]);
      for (int32_t i2 = 0; i2 < d[2]; ++i2) {
        out = fill(out, v, p.left[3] * block[3]);
        for (int32_t i3 = 0; i3 < d[3]; ++i3) {
          out = fill(out, v, p.left[4]);
          if (d[4] > 0) {  // an empty input may have no address at all
            memcpy(out, in, static_cast<size_t>(d[4]) * sizeof(T));
            out += d[4];
            in += d[4];
          }
          out = fill(out, v, p.right[4]);
        }
        out = fill(out, v, p.right[3] * block[3]);
      }
      out = fill(out, v, p.right[2] * block[2]);
    }
    out = fill(out, v, p.right[1] * block[1]);
  }
  fill(out, v, p.right[0] * block[0]);
}

}  // namespace shape_ops
}  // namespace micro
}  // namespace tinyforge
