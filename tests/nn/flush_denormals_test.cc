// Denormals are flushed to zero inside Model's entry points, the engine's worker threads follow
// their caller's mode, and the caller's own floating-point mode comes back afterwards.
#include "nn/flush_denormals.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cfloat>
#include <cmath>
#include <chrono>
#include <thread>

#include "nn/model_test_layers.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/callbacks.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/model.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {
namespace {

#if defined(__SSE__) || defined(__x86_64__)

// FLT_MIN (the smallest normal float) times 0.25: a denormal, 2^-128, unless flushed.
float quarter_of_flt_min() {
  volatile float a = FLT_MIN, b = 0.25f;  // volatile: computed at run time, under the current mode
  return a * b;
}

TEST(FlushDenormals, GuardFlushesAndRestores) {
  ASSERT_FALSE(flushing_denormals());
  EXPECT_EQ(quarter_of_flt_min(), std::ldexp(1.0f, -128));
  {
    const ScopedFlushDenormals flush;
    EXPECT_TRUE(flushing_denormals());
    EXPECT_EQ(quarter_of_flt_min(), 0.0f);
    {
      const ScopedFlushDenormals nested;
      EXPECT_TRUE(flushing_denormals());
    }
    EXPECT_TRUE(flushing_denormals());  // the inner guard restores the outer one's mode
  }
  EXPECT_FALSE(flushing_denormals());
  EXPECT_EQ(quarter_of_flt_min(), std::ldexp(1.0f, -128));
}

TEST(FlushDenormals, FitFlushesOnlyWhileItRuns) {
  set_random_seed(3);
  Sequential m(Shape{2}, {model_test::Linear(1, "lin")});
  m.compile(std::make_shared<Adam>(0.01), std::make_shared<MeanSquaredError>());
  Tensor x({8, 2}, 0.5f), y({8, 1}, 1.0f);
  auto seen = std::make_shared<LambdaCallback>();
  int batches = 0, flushed = 0;
  seen->batch_end = [&](Model&, int64_t, const Logs&) {
    ++batches;
    flushed += flushing_denormals() ? 1 : 0;
  };
  FitOptions o;
  o.epochs = 2;
  o.batch_size = 4;
  o.verbose = 0;
  o.callbacks = {seen};
  m.fit(x, y, o);
  EXPECT_EQ(batches, 4);
  EXPECT_EQ(flushed, 4);
  EXPECT_FALSE(flushing_denormals());
  m.predict(x);
  EXPECT_FALSE(flushing_denormals());
}

// Runs a two-chunk job and records, for the chunks that ran on a worker thread, whether they
// flushed denormals. The caller's chunk waits for a worker's chunk, so a worker certainly runs
// one, however the threads are scheduled (10 s bound: a stuck worker fails the test, not hangs it).
struct WorkerModes {
  int chunks = 0, flushed = 0;
};
WorkerModes worker_modes() {
  const auto caller = std::this_thread::get_id();
  std::atomic<int> chunks{0}, flushed{0};
  backend().parallel_for(2, 1, [&](int64_t, int64_t) {
    if (std::this_thread::get_id() != caller) {
      flushed += flushing_denormals() ? 1 : 0;
      ++chunks;
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (chunks.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  });
  return {chunks.load(), flushed.load()};
}

TEST(FlushDenormals, WorkerThreadsFollowTheCaller) {
  const std::string before = backend().name();
  set_backend("cpu");
  set_threads(2);
  const WorkerModes plain = worker_modes();
  WorkerModes flushing;
  {
    const ScopedFlushDenormals flush;
    flushing = worker_modes();
  }
  const WorkerModes plain_again = worker_modes();  // a worker that flushed for a job stops again
  set_threads(0);
  set_backend(before);
  ASSERT_GT(plain.chunks, 0) << "the worker thread never ran a chunk";
  ASSERT_GT(flushing.chunks, 0) << "the worker thread never ran a chunk";
  ASSERT_GT(plain_again.chunks, 0) << "the worker thread never ran a chunk";
  EXPECT_EQ(plain.flushed, 0);
  EXPECT_EQ(flushing.flushed, flushing.chunks);
  EXPECT_EQ(plain_again.flushed, 0);
  EXPECT_FALSE(flushing_denormals());
}

#endif

}  // namespace
}  // namespace tinyforge::nn
