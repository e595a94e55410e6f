// A small persistent pool: run(fn) calls fn(t) once for every t in [0, size()), thread t
// on worker t (the caller is worker 0). Work is split by the caller with fixed partitions,
// so results depend on the thread count only, never on timing.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace tinyforge::nn {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // total threads including the caller; >= 1
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }
  void run(const std::function<void(int)>& fn);

  // Splits [0, n) into size() contiguous chunks and calls fn(t, begin, end) for non-empty ones.
  // With n below `min_per_thread * 2`, everything runs on the caller (not worth a wake-up);
  // the partition is still a function of (n, size()) only. Returns the number of chunks used
  // (chunks 0..parts-1, all non-empty), so callers can reduce per-chunk partials in order.
  template <typename F>
  int parallel_for(int64_t n, int64_t min_per_thread, F&& fn) {
    if (n <= 0) return 0;
    const int64_t parts = std::min<int64_t>(size_, std::max<int64_t>(1, n / std::max<int64_t>(min_per_thread, 1)));
    if (parts <= 1) {
      fn(0, int64_t{0}, n);
      return 1;
    }
    run([&](int t) {
      if (t >= parts) return;
      const int64_t begin = n * t / parts, end = n * (t + 1) / parts;
      if (begin < end) fn(t, begin, end);
    });
    return static_cast<int>(parts);
  }

 private:
  void worker(int id);

  int size_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace tinyforge::nn
