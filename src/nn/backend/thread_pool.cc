#include "nn/backend/thread_pool.h"

#include "nn/flush_denormals.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TINYFORGE_PAUSE() _mm_pause()
#else
#define TINYFORGE_PAUSE() ((void)0)
#endif

namespace tinyforge::nn {

namespace {

// Backend calls come in bursts (one or more per layer), so an idle worker polls before it
// sleeps: about half a millisecond (a PAUSE is ~27 ns on Zen 4), long enough to bridge a
// layer's serial work between two parallel calls. Sleeping sooner made every call pay a futex
// wake-up (2 threads: fmnist_cnn and kws_dscnn ~10% slower); OpenMP runtimes poll longer still.
// The caller never waits for a worker that has not started (it claims the chunk itself), so on
// a shared machine a descheduled worker costs nothing but its polling.
constexpr int kSpin = 20000;

thread_local bool t_in_pool = false;

}  // namespace

ThreadPool::ThreadPool(int threads) : size_(std::clamp(threads, 1, kMaxThreads)) {
  for (int i = 1; i < size_; ++i) workers_.emplace_back([this] { worker(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_seq_cst);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  generation_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::work_on(uint32_t generation) {
  uint64_t state = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(state >> 32) != generation) return;  // a newer job: not ours
    // The chunk count comes from the same word as the generation: read separately, a worker
    // holding an old job's exhausted state could pair it with the next job's larger count and
    // claim a chunk that does not exist.
    const int parts = static_cast<int>((state >> 16) & 0xffffu);
    const int chunk = static_cast<int>(state & 0xffffu);
    if (chunk >= parts) return;
    if (!claim_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    // The job cannot change while a chunk of it is claimed and unfinished. Its chunks run in the
    // caller's floating-point mode (see flush_denormals.h).
    if (flushing_denormals() != job_flushes_denormals_) set_flushing_denormals(job_flushes_denormals_);
    (*job_)(chunk);
    done_.fetch_add(1, std::memory_order_acq_rel);
    state = claim_.load(std::memory_order_acquire);
  }
}

void ThreadPool::worker() {
  t_in_pool = true;
  uint32_t seen = 0;
  for (;;) {
    uint32_t g = generation_.load(std::memory_order_acquire);
    for (int i = 0; g == seen && i < kSpin; ++i) {
      TINYFORGE_PAUSE();
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      while ((g = generation_.load(std::memory_order_seq_cst)) == seen)
        generation_.wait(seen, std::memory_order_seq_cst);
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    }
    seen = g;
    if (stop_.load(std::memory_order_acquire)) return;
    work_on(g);
  }
}

void ThreadPool::run(int parts, const std::function<void(int)>& fn) {
  parts = std::min(parts, kMaxParts);
  // Nested calls (from inside a job), calls from a second thread while a job is in flight and
  // single-thread pools run serially, same partitions.
  if (parts <= 1 || size_ == 1 || t_in_pool || busy_.exchange(true, std::memory_order_acquire)) {
    for (int c = 0; c < parts; ++c) fn(c);
    return;
  }
  job_ = &fn;
  job_flushes_denormals_ = flushing_denormals();
  done_.store(0, std::memory_order_relaxed);
  const uint32_t g = generation_.load(std::memory_order_relaxed) + 1;
  claim_.store((static_cast<uint64_t>(g) << 32) | (static_cast<uint64_t>(parts) << 16), std::memory_order_release);
  generation_.store(g, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();
  t_in_pool = true;
  work_on(g);
  t_in_pool = false;
  // Every chunk is claimed; the ones still running are on threads that are running them.
  for (int i = 0; done_.load(std::memory_order_acquire) != parts; ++i) {
    if (i < kSpin)
      TINYFORGE_PAUSE();
    else
      std::this_thread::yield();
  }
  busy_.store(false, std::memory_order_release);
}

}  // namespace tinyforge::nn
