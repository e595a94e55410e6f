// Broadcasting of two operands to one output shape, NumPy style (right-aligned, a dimension
// of 1 stretches), for ranks up to kMaxRank. prepare() builds a plan once; eval() walks it.
#pragma once

#include "tinyforge/micro/model.h"

namespace tinyforge {
namespace micro {

struct BroadcastPlan {
  bool broadcast = false;  // false: both inputs have the output's shape, walk them flat
  int32_t flat_size = 0;
  // Output dims and per-input element strides, extended to kMaxRank. A stride of 0 repeats
  // the same element along that dimension.
  int32_t dims[kMaxRank] = {0};
  int32_t stride1[kMaxRank] = {0};
  int32_t stride2[kMaxRank] = {0};
};

// Fills `plan` for inputs a, b and output out. False when the shapes do not broadcast or the
// output shape is not the broadcast shape.
inline bool make_broadcast_plan(const Shape& a, const Shape& b, const Shape& out, BroadcastPlan* plan) {
  if (a.rank > kMaxRank || b.rank > kMaxRank || out.rank > kMaxRank || a.rank < 0 || b.rank < 0) return false;
  const int out_rank = a.rank > b.rank ? a.rank : b.rank;
  if (out.rank != out_rank) return false;
  int32_t da[kMaxRank];
  int32_t db[kMaxRank];
  for (int i = 0; i < kMaxRank; ++i) {
    const int ia = i - (kMaxRank - a.rank);
    const int ib = i - (kMaxRank - b.rank);
    const int io = i - (kMaxRank - out_rank);
    da[i] = ia >= 0 ? a.dims[ia] : 1;
    db[i] = ib >= 0 ? b.dims[ib] : 1;
    const int32_t want = da[i] == 1 ? db[i] : da[i];
    if (da[i] < 0 || db[i] < 0) return false;
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1) return false;
    const int32_t od = io >= 0 ? out.dims[io] : 1;
    if (od != want) return false;
    plan->dims[i] = want;
  }
  // Element strides of each input; a stretched dimension reads the same element again.
  int32_t sa = 1;
  int32_t sb = 1;
  for (int i = kMaxRank - 1; i >= 0; --i) {
    plan->stride1[i] = (da[i] == 1 && plan->dims[i] != 1) ? 0 : sa;
    plan->stride2[i] = (db[i] == 1 && plan->dims[i] != 1) ? 0 : sb;
    sa *= da[i];
    sb *= db[i];
  }
  plan->flat_size = out.flat_size();
  plan->broadcast = !a.equals(b);
  return true;
}

// Calls f(out_index, in1_index, in2_index) for every output element in order. Element i of the
// output is written only after every read that produces it, so in-place use is safe when input 0
// has the output's shape.
template <typename F>
inline void for_each_broadcast(const BroadcastPlan& p, const F& f) {
  if (p.flat_size <= 0) return;
  if (!p.broadcast) {
    for (int32_t i = 0; i < p.flat_size; ++i) f(i, i, i);
    return;
  }
  const int32_t inner = p.dims[kMaxRank - 1];
  const int32_t s1 = p.stride1[kMaxRank - 1];
  const int32_t s2 = p.stride2[kMaxRank - 1];
  const int32_t outer = p.flat_size / inner;
  int32_t idx[kMaxRank] = {0};
  int32_t o = 0;
  for (int32_t n = 0; n < outer; ++n) {
    int32_t base1 = 0;
    int32_t base2 = 0;
    for (int d = 0; d < kMaxRank - 1; ++d) {
      base1 += idx[d] * p.stride1[d];
      base2 += idx[d] * p.stride2[d];
    }
    for (int32_t c = 0; c < inner; ++c) f(o++, base1 + c * s1, base2 + c * s2);
    for (int d = kMaxRank - 2; d >= 0; --d) {  // odometer over the outer dimensions
      if (++idx[d] < p.dims[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace micro
}  // namespace tinyforge
