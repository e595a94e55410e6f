#include "memory_planner.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinyforge::micro {
namespace {

bool overlaps(const PlanBuffer& a, const PlanBuffer& b) {
  const bool time = a.first <= b.last && b.first <= a.last;
  const bool space = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
  return time && space;
}

TEST(MemoryPlanner, BuffersWithDisjointLifetimesShareMemory) {
  // A lives in steps 0-1, B in 1-2, C in 2-3: A and C can take the same place.
  std::vector<PlanBuffer> b = {{100, 0, 0, 1}, {50, 0, 1, 2}, {100, 0, 2, 3}};
  std::vector<uint16_t> order(b.size());
  const uint32_t peak = plan_memory(b.data(), order.data(), 3, 8);
  // Sizes round to 104, 56, 104; the best layout is 104 + 56.
  EXPECT_EQ(peak, 160u);
  EXPECT_EQ(b[0].offset, b[2].offset);
  EXPECT_FALSE(overlaps(b[0], b[1]));
  EXPECT_FALSE(overlaps(b[1], b[2]));
}

TEST(MemoryPlanner, NoTwoLiveBuffersOverlapOnAChain) {
  // A 10-step chain with a skip connection from step 0 to step 9.
  std::vector<PlanBuffer> b;
  for (uint16_t i = 0; i < 10; ++i) b.push_back({static_cast<uint32_t>(64 + 32 * (i % 3)), 0, i, static_cast<uint16_t>(i + 1)});
  b.push_back({200, 0, 0, 9});
  std::vector<uint16_t> order(b.size());
  const uint32_t peak = plan_memory(b.data(), order.data(), static_cast<uint32_t>(b.size()), 8);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b[i].offset % 8, 0u);
    EXPECT_LE(b[i].offset + b[i].size, peak);
    for (size_t j = i + 1; j < b.size(); ++j) EXPECT_FALSE(overlaps(b[i], b[j])) << i << " vs " << j;
  }
  // At any step the skip buffer and two neighbours are alive: 200 + 96 + 128 = 424 is a lower bound.
  // Putting even steps in one slot and odd steps in another (200 + 128 + 128) shows 456 is reachable;
  // first fit may land a little above that but never at the sum of all sizes.
  EXPECT_GE(peak, 424u);
  EXPECT_LT(peak, 1160u);
}

TEST(MemoryPlanner, EmptyPlanIsZero) { EXPECT_EQ(plan_memory(nullptr, nullptr, 0, 8), 0u); }

}  // namespace
}  // namespace tinyforge::micro
