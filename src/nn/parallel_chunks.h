// Elementwise work shared between the backend's threads. Waking a thread costs a few
// microseconds, so only passes of many items are split; each chunk computes its items exactly
// as a single pass would, so results do not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {

// Items (floats touched) per chunk below which a pass stays on the calling thread.
inline constexpr int64_t kParallelGrain = 16384;

// fn(begin, end) over [0, n); `cost` is the items of work per index (a row's width, say).
template <typename F>
void for_chunks(int64_t n, int64_t cost, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(cost, 1));
  if (n < 2 * grain) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  backend().parallel_for(n, grain, std::forward<F>(fn));
}

}  // namespace tinyforge::nn
