// The activation planner under adversarial sizes and lifetimes: placements must never
// overlap while alive together, and plans beyond 32 bits must come back as "too big"
// (0xffffffff) instead of wrapping around or looping forever.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "../micro/src/memory_planner.h"

namespace tinyforge::micro {
namespace {

constexpr uint32_t kTooBig = 0xffffffffu;

uint32_t plan(std::vector<PlanBuffer>& b, uint32_t align = 8) {
  std::vector<uint16_t> order(b.size() + 1);
  return plan_memory(b.data(), order.data(), static_cast<uint32_t>(b.size()), align);
}

TEST(MemoryPlanner, HugeBuffersAliveTogetherAreTooBig) {
  // Four tensors of just under 2 GiB, all alive at step 0: 8 GiB does not fit in 32 bits.
  std::vector<PlanBuffer> b(4, PlanBuffer{0x7ffffff8u, 0, 0, 0});
  EXPECT_EQ(plan(b), kTooBig);
}

TEST(MemoryPlanner, SizeThatCannotBeRoundedUpIsTooBig) {
  std::vector<PlanBuffer> b = {{0xfffffffcu, 0, 0, 0}};
  EXPECT_EQ(plan(b), kTooBig);
}

TEST(MemoryPlanner, HugeBuffersAliveApartShareMemory) {
  std::vector<PlanBuffer> b = {{0x7ffffff8u, 0, 0, 0}, {0x7ffffff8u, 0, 1, 1}, {0x7ffffff8u, 0, 2, 2}};
  EXPECT_EQ(plan(b), 0x7ffffff8u);
}

TEST(MemoryPlanner, RandomPlansNeverOverlapWhileAlive) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 300; ++round) {
    const uint32_t n = 1 + rng() % 40;
    std::vector<PlanBuffer> b(n);
    for (PlanBuffer& x : b) {
      const uint16_t first = static_cast<uint16_t>(rng() % 20);
      x = {static_cast<uint32_t>(rng() % 3 == 0 ? 0u : 1 + rng() % 5000), 0, first, static_cast<uint16_t>(first + rng() % 6)};
    }
    const uint32_t peak = plan(b);
    uint32_t max_end = 0;
    for (uint32_t i = 0; i < n; ++i) {
      EXPECT_EQ(b[i].offset % 8, 0u);
      max_end = std::max(max_end, b[i].offset + b[i].size);
      for (uint32_t j = i + 1; j < n; ++j) {
        const bool alive = b[i].first <= b[j].last && b[j].first <= b[i].last;
        const bool overlap = b[i].offset < b[j].offset + b[j].size && b[j].offset < b[i].offset + b[i].size;
        EXPECT_FALSE(alive && overlap) << "round " << round << ": buffers " << i << " and " << j;
      }
    }
    EXPECT_EQ(peak, max_end) << "round " << round;
  }
}

}  // namespace
}  // namespace tinyforge::micro
