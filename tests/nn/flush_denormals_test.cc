// Denormals are flushed to zero inside Model's entry points and on the engine's worker threads,
// and the caller's own floating-point mode comes back afterwards.
#include "nn/flush_denormals.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cfloat>
#include <mutex>
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

TEST(FlushDenormals, WorkerThreadsFlush) {
  const std::string before = backend().name();
  set_backend("cpu");
  set_threads(2);
  std::mutex mu;
  int worker_chunks = 0, worker_flushed = 0;
  const auto caller = std::this_thread::get_id();
  // Many small chunks, each long enough that the worker wakes and takes some of them.
  for (int attempt = 0; attempt < 100 && worker_chunks == 0; ++attempt) {
    backend().parallel_for(64, 1, [&](int64_t, int64_t) {
      volatile double spin = 0;
      for (int i = 0; i < 20000; ++i) spin = spin + 1;
      if (std::this_thread::get_id() == caller) return;
      const std::lock_guard<std::mutex> lock(mu);
      ++worker_chunks;
      worker_flushed += flushing_denormals() ? 1 : 0;
    });
  }
  set_threads(0);
  set_backend(before);
  ASSERT_GT(worker_chunks, 0) << "the worker thread never ran a chunk";
  EXPECT_EQ(worker_flushed, worker_chunks);
  EXPECT_FALSE(flushing_denormals());  // the caller's mode is untouched
}

#endif

}  // namespace
}  // namespace tinyforge::nn
