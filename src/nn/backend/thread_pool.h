// A small persistent pool for fork/join over fixed partitions: run(parts, fn) calls fn(c) once
// for every chunk c in [0, parts). Chunks are claimed from a shared counter by the caller and
// the workers alike, so when a worker is descheduled (a busy machine) the caller simply runs
// its chunks instead of waiting for it. Which thread runs a chunk never changes a result:
// callers index their scratch and partial sums by chunk, and partitions depend on
// (n, size()) only.
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
  static constexpr int kMaxThreads = 4096;  // chunk counts live in 16 bits of the claim word
  explicit ThreadPool(int threads);  // total threads including the caller; clamped to [1, kMaxThreads]
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }
  // Calls fn(c) for c in [0, parts), parts <= kMaxParts; returns when all have finished.
  static constexpr int kMaxParts = 0xffff;
  void run(int parts, const std::function<void(int)>& fn);

  // Splits [0, n) into at most size() contiguous chunks of at least `min_per_thread` items
  // and calls fn(chunk, begin, end) for each (all non-empty). The partition is a function of
  // (n, min_per_thread, size()) only. Returns the number of chunks, so callers can reduce
  // per-chunk partials in chunk order.
  template <typename F>
  int parallel_for(int64_t n, int64_t min_per_thread, F&& fn) {
    if (n <= 0) return 0;
    const int64_t parts = std::min<int64_t>(size_, std::max<int64_t>(1, n / std::max<int64_t>(min_per_thread, 1)));
    if (parts <= 1) {
      fn(0, int64_t{0}, n);
      return 1;
    }
    run(static_cast<int>(parts), [&](int c) {
      const int64_t begin = n * c / parts, end = n * (c + 1) / parts;
      if (begin < end) fn(c, begin, end);
    });
    return static_cast<int>(parts);
  }

  // For work whose result does not depend on how [0, n) is split (every output written by one
  // chunk, nothing summed across chunks): up to kChunksPerThread chunks per thread of at least
  // `min_per_chunk` items, claimed as threads come free, so a thread that runs slower (a busy
  // core, a colder cache) hands its remaining chunks to the others instead of keeping them
  // waiting (with one chunk per thread, waits were 8-15% of kws_dscnn's and fmnist_cnn's thread
  // time in `perf`). fn(begin, end) gets no chunk index: per-chunk scratch would need
  // kChunksPerThread times the buffers.
  static constexpr int kChunksPerThread = 4;
  template <typename F>
  void parallel_for_balanced(int64_t n, int64_t min_per_chunk, F&& fn) {
    if (n <= 0) return;
    const int64_t most = static_cast<int64_t>(size_) * (size_ > 1 ? kChunksPerThread : 1);
    const int64_t parts = std::min(most, std::max<int64_t>(1, n / std::max<int64_t>(min_per_chunk, 1)));
    if (parts <= 1) {
      fn(int64_t{0}, n);
      return;
    }
    run(static_cast<int>(parts), [&](int c) {
      const int64_t begin = n * c / parts, end = n * (c + 1) / parts;
      if (begin < end) fn(begin, end);
    });
  }

 private:
  void worker();
  // Claims and runs chunks of job `generation` until none are left.
  void work_on(uint32_t generation);

  int size_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  bool job_flushes_denormals_ = false;  // the caller's mode, which the workers take for the job
  // Bits 32-63: job generation; 16-31: the job's chunk count; 0-15: next unclaimed chunk. One
  // word, so a worker that wakes late can never claim a chunk of a newer job under an old job's
  // generation, nor pair an old job's progress with a new job's count.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};             // chunks finished in the current job
  std::atomic<uint32_t> generation_{0};  // what sleeping workers wait on
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  // Set while a job is in flight. A second thread calling run() meanwhile (a user's own thread
  // making a large Tensor, say) runs its chunks itself instead of replacing the job.
  std::atomic<bool> busy_{false};
};

}  // namespace tinyforge::nn
