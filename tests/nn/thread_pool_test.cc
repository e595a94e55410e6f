// The cpu backend's thread pool: every chunk runs exactly once whoever claims it, partitions
// depend on (n, min_per_thread, threads) only, balanced chunks cover [0, n) once, nested calls
// run serially.
#include "nn/backend/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <thread>
#include <vector>

namespace tinyforge::nn {
namespace {

TEST(ThreadPool, EveryChunkRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    std::vector<std::atomic<int>> runs(static_cast<size_t>(threads));
    constexpr int kJobs = 3000;  // many short jobs: late-waking workers meet newer jobs
    for (int j = 0; j < kJobs; ++j) {
      const int parts = 1 + j % threads;
      pool.run(parts, [&](int c) { runs[static_cast<size_t>(c)].fetch_add(1); });
    }
    for (int c = 0; c < threads; ++c) {
      int expected = 0;  // chunk c runs in every job with more than c parts
      for (int j = 0; j < kJobs; ++j) expected += (1 + j % threads) > c;
      EXPECT_EQ(runs[static_cast<size_t>(c)].load(), expected) << threads << " threads, chunk " << c;
    }
  }
}

// Regression: the chunk count used to be read apart from the claim word, so a worker holding
// an exhausted job's state could pair it with the next, larger job's count and run a chunk that
// did not exist; the caller then waited forever for a done count it had overshot (seen within
// seconds on two cores with this pattern). Now it must finish with every chunk run once.
TEST(ThreadPool, GrowingChunkCountsNeverRunExtraChunks) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> runs(3);
  constexpr int kJobs = 200000;
  for (int j = 0; j < kJobs; ++j) {
    const int parts = 2 + j % 2;  // 2, 3, 2, 3, ...
    pool.run(parts, [&](int c) { runs[static_cast<size_t>(c)].fetch_add(1, std::memory_order_relaxed); });
  }
  EXPECT_EQ(runs[0].load(), kJobs);
  EXPECT_EQ(runs[1].load(), kJobs);
  EXPECT_EQ(runs[2].load(), kJobs / 2);
}

TEST(ThreadPool, ParallelForPartitionsAreFixed) {
  ThreadPool pool(3);
  // 10 items, at least 2 per chunk, 3 threads: 3 chunks [0, 3), [3, 6), [6, 10).
  std::vector<int64_t> begins(3, -1), ends(3, -1);
  const int parts = pool.parallel_for(10, 2, [&](int c, int64_t b, int64_t e) {
    begins[static_cast<size_t>(c)] = b;
    ends[static_cast<size_t>(c)] = e;
  });
  EXPECT_EQ(parts, 3);
  EXPECT_EQ(begins, (std::vector<int64_t>{0, 3, 6}));
  EXPECT_EQ(ends, (std::vector<int64_t>{3, 6, 10}));
  // 5 items with at least 4 per chunk: one chunk, on the caller.
  int calls = 0;
  EXPECT_EQ(pool.parallel_for(5, 4,
                              [&](int c, int64_t b, int64_t e) {
                                ++calls;
                                EXPECT_EQ(c, 0);
                                EXPECT_EQ(b, 0);
                                EXPECT_EQ(e, 5);
                              }),
            1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(pool.parallel_for(0, 1, [&](int, int64_t, int64_t) { ++calls; }), 0);
  EXPECT_EQ(calls, 1);
}

// Balanced chunks: up to kChunksPerThread per thread, each of at least the minimum, covering
// [0, n) once; chunks beyond the thread count are claimed as threads come free.
TEST(ThreadPool, BalancedChunksCoverEveryItemOnce) {
  struct Case {
    int threads;
    int64_t n, min_per_chunk;
    size_t chunks;
  };
  static_assert(ThreadPool::kChunksPerThread == 4, "the expected chunk counts below assume 4 per thread");
  for (const Case& k : {Case{3, 1000, 10, 12}, Case{2, 1000, 10, 8}, Case{2, 25, 10, 2}, Case{1, 1000, 10, 1},
                        Case{4, 7, 1, 7}}) {
    ThreadPool pool(k.threads);
    std::mutex m;
    std::vector<std::pair<int64_t, int64_t>> chunks;
    pool.parallel_for_balanced(k.n, k.min_per_chunk, [&](int64_t b, int64_t e) {
      std::lock_guard<std::mutex> lock(m);
      chunks.emplace_back(b, e);
    });
    std::sort(chunks.begin(), chunks.end());
    ASSERT_EQ(chunks.size(), k.chunks) << k.threads << " threads, n " << k.n;
    int64_t next = 0;
    for (const auto& [b, e] : chunks) {
      EXPECT_EQ(b, next);
      EXPECT_GE(e - b, std::min(k.min_per_chunk, k.n));
      next = e;
    }
    EXPECT_EQ(next, k.n);
  }
}

TEST(ThreadPool, MoreChunksThanThreadsEachRunOnce) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> runs(9);
  for (int j = 0; j < 2000; ++j) pool.run(9, [&](int c) { runs[static_cast<size_t>(c)].fetch_add(1); });
  for (int c = 0; c < 9; ++c) EXPECT_EQ(runs[static_cast<size_t>(c)].load(), 2000) << "chunk " << c;
}

// Two threads of the user's sharing the pool (Tensor fills its large tensors through it): the
// one that finds a job in flight runs its own chunks, and every job still runs each chunk once.
TEST(ThreadPool, CallersOnTwoThreadsEachGetTheirJobDone) {
  ThreadPool pool(2);
  constexpr int kJobs = 20000;
  std::vector<std::atomic<int>> a(2), b(2);
  std::thread other([&] {
    for (int j = 0; j < kJobs; ++j) pool.run(2, [&](int c) { b[static_cast<size_t>(c)].fetch_add(1); });
  });
  for (int j = 0; j < kJobs; ++j) pool.run(2, [&](int c) { a[static_cast<size_t>(c)].fetch_add(1); });
  other.join();
  for (const auto& n : a) EXPECT_EQ(n.load(), kJobs);
  for (const auto& n : b) EXPECT_EQ(n.load(), kJobs);
}

TEST(ThreadPool, NestedCallsRunSerially) {
  ThreadPool pool(2);
  std::atomic<int> inner{0};
  pool.run(2, [&](int) { pool.run(2, [&](int) { inner.fetch_add(1); }); });
  EXPECT_EQ(inner.load(), 4);
}

}  // namespace
}  // namespace tinyforge::nn
