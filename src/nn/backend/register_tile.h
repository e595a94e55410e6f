// Register tiles for the cpu backend's hand-vectorized kernels (cpu_conv_direct.cc,
// cpu_depthwise.cc). A tile's accumulators must be named variables, one per lane and vector
// (a##lane##vector): held in an array, GCC stored them back to the stack on every step, which
// ran the first direct kernel at a third of its speed. TINYFORGE_FOR_LANES(X) expands X(0) ...
// X(kMaxLanes - 1); kernels guard each expansion with `if constexpr (kLanes > j)`.
#pragma once

#include <type_traits>

namespace tinyforge::nn {

// A tile's lanes: output pixels, or input channels, 1 to kMaxLanes.
inline constexpr int kMaxLanes = 6;
#define TINYFORGE_FOR_LANES(X) X(0) X(1) X(2) X(3) X(4) X(5)

// Calls fn(std::integral_constant<int, count>{}) for count in [1, kMaxLanes].
template <typename F>
void with_lanes(int count, F&& fn) {
  switch (count) {
    case 6: return fn(std::integral_constant<int, 6>{});
    case 5: return fn(std::integral_constant<int, 5>{});
    case 4: return fn(std::integral_constant<int, 4>{});
    case 3: return fn(std::integral_constant<int, 3>{});
    case 2: return fn(std::integral_constant<int, 2>{});
    default: return fn(std::integral_constant<int, 1>{});
  }
}

}  // namespace tinyforge::nn
