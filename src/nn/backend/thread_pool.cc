#include "nn/backend/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TINYFORGE_PAUSE() _mm_pause()
#else
#define TINYFORGE_PAUSE() ((void)0)
#endif

namespace tinyforge::nn {

namespace {

// Backend calls come in quick bursts (one per layer), so a worker spins briefly before it
// sleeps: waking a sleeping thread costs more than most of the calls themselves.
constexpr int kSpin = 4000;

thread_local bool t_in_pool = false;

}  // namespace

ThreadPool::ThreadPool(int threads) : size_(std::max(1, threads)) {
  for (int i = 1; i < size_; ++i) workers_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::worker(int id) {
  t_in_pool = true;
  uint32_t seen = 0;
  for (;;) {
    uint32_t g = generation_.load(std::memory_order_acquire);
    for (int i = 0; g == seen && i < kSpin; ++i) {
      TINYFORGE_PAUSE();
      g = generation_.load(std::memory_order_acquire);
    }
    while (g == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      g = generation_.load(std::memory_order_acquire);
    }
    seen = g;
    if (stop_.load(std::memory_order_acquire)) return;
    (*job_)(id);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void ThreadPool::run(const std::function<void(int)>& fn) {
  // Nested calls (from inside a job) run serially, with the same partitioning.
  if (size_ == 1 || t_in_pool) {
    for (int t = 0; t < size_; ++t) fn(t);
    return;
  }
  job_ = &fn;
  pending_.store(size_ - 1, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  t_in_pool = true;
  fn(0);
  t_in_pool = false;
  int p = pending_.load(std::memory_order_acquire);
  for (int i = 0; p != 0 && i < kSpin; ++i) {
    TINYFORGE_PAUSE();
    p = pending_.load(std::memory_order_acquire);
  }
  while (p != 0) {
    pending_.wait(p, std::memory_order_acquire);
    p = pending_.load(std::memory_order_acquire);
  }
}

}  // namespace tinyforge::nn
