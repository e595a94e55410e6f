#include "memory_planner.h"

namespace tinyforge {
namespace micro {
namespace {

constexpr uint32_t kTooBig = 0xffffffffu;

enum class Order { kLargestFirst, kEarliestFirst, kLongestFirst, kLargestAreaFirst };

bool alive_together(const PlanBuffer& a, const PlanBuffer& b) { return a.first <= b.last && b.first <= a.last; }

// True when buffer a goes before b in the given order (ties broken by index for determinism).
bool before(const PlanBuffer* bufs, uint16_t a, uint16_t b, Order order) {
  const PlanBuffer& x = bufs[a];
  const PlanBuffer& y = bufs[b];
  const uint64_t dx = static_cast<uint64_t>(x.last - x.first + 1);
  const uint64_t dy = static_cast<uint64_t>(y.last - y.first + 1);
  switch (order) {
    case Order::kLargestFirst:
      if (x.size != y.size) return x.size > y.size;
      break;
    case Order::kEarliestFirst:
      if (x.first != y.first) return x.first < y.first;
      if (x.size != y.size) return x.size > y.size;
      break;
    case Order::kLongestFirst:
      if (dx != dy) return dx > dy;
      if (x.size != y.size) return x.size > y.size;
      break;
    case Order::kLargestAreaFirst:
      if (dx * x.size != dy * y.size) return dx * x.size > dy * y.size;
      break;
  }
  return a < b;
}

void sort_order(const PlanBuffer* bufs, uint16_t* order, uint32_t n, Order how) {
  for (uint32_t i = 0; i < n; ++i) order[i] = static_cast<uint16_t>(i);
  for (uint32_t i = 1; i < n; ++i) {  // insertion sort: n is small and it needs no memory
    const uint16_t v = order[i];
    uint32_t j = i;
    while (j > 0 && before(bufs, v, order[j - 1], how)) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = v;
  }
}

// First fit: each buffer takes the lowest offset clear of every already placed buffer
// that is alive at the same time.
// Sums are 64-bit: tensors may be up to 2 GiB each, and 32-bit offsets would wrap (and
// then never settle). A plan past 4 GiB returns kTooBig, which no arena satisfies.
uint32_t place(PlanBuffer* bufs, const uint16_t* order, uint32_t n, uint32_t align) {
  uint64_t peak = 0;
  for (uint32_t k = 0; k < n; ++k) {
    PlanBuffer& b = bufs[order[k]];
    uint64_t offset = 0;
    bool moved = true;
    while (moved) {
      moved = false;
      for (uint32_t j = 0; j < k; ++j) {
        const PlanBuffer& p = bufs[order[j]];
        if (!alive_together(b, p)) continue;
        const uint64_t p_end = static_cast<uint64_t>(p.offset) + p.size;
        if (offset < p_end && p.offset < offset + b.size) {
          offset = (p_end + align - 1) & ~static_cast<uint64_t>(align - 1);
          moved = true;
        }
      }
      if (offset + b.size > kTooBig) return kTooBig;
    }
    b.offset = static_cast<uint32_t>(offset);
    if (offset + b.size > peak) peak = offset + b.size;
  }
  return static_cast<uint32_t>(peak);
}

}  // namespace

uint32_t plan_memory(PlanBuffer* buffers, uint16_t* order, uint32_t n, uint32_t align) {
  if (n == 0) return 0;
  for (uint32_t i = 0; i < n; ++i) {
    // Sizes over 4 GiB - align cannot be rounded up in 32 bits; no arena holds them anyway.
    if (buffers[i].size > kTooBig - align) return kTooBig;
    buffers[i].size = (buffers[i].size + align - 1) & ~(align - 1);
  }
  const Order orders[] = {Order::kLargestFirst, Order::kEarliestFirst, Order::kLongestFirst,
                          Order::kLargestAreaFirst};
  Order best = orders[0];
  uint32_t best_peak = 0xffffffffu;
  for (Order o : orders) {
    sort_order(buffers, order, n, o);
    const uint32_t peak = place(buffers, order, n, align);
    if (peak < best_peak) {
      best_peak = peak;
      best = o;
    }
  }
  if (best_peak == kTooBig) return kTooBig;
  sort_order(buffers, order, n, best);  // redo the winner so the offsets are its
  return place(buffers, order, n, align);
}

}  // namespace micro
}  // namespace tinyforge
