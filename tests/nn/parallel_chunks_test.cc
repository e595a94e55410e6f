// Elementwise passes the cpu backend shares between threads (activations, BatchNormalization,
// Adam's update): on tensors large enough to be split, two threads must give exactly the bytes
// one thread gives, and the reference backend (which never splits) must agree. (GEMMs are
// deterministic per thread count only: Eigen's blocking follows the block a thread gets.)
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "nn/layer_training_pass.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/structural.h"
#include "tinyforge/nn/optimizers.h"
#include "tinyforge/nn/random.h"

namespace tinyforge::nn {
namespace {

using test_support::layer_training_pass;
using test_support::uniform_tensor;

void expect_same_bytes(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  EXPECT_EQ(a.values(), b.values()) << what;
}

void expect_close(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  for (int64_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 2e-4 + 2e-4 * std::fabs(a[i])) << what << " " << i;
}

class ParallelChunks : public ::testing::Test {
 protected:
  void TearDown() override {
    set_backend("cpu");
    set_threads(0);
  }
};

TEST_F(ParallelChunks, LayersGiveTheSameBytesOnOneAndTwoThreads) {
  // Each tensor holds far more than two chunks' worth of values (see nn/parallel_chunks.h).
  const std::vector<std::pair<std::function<LayerPtr()>, Shape>> cases = {
      {[] { return LayerPtr(BatchNormalization({.momentum = 0.9f})); }, {16, 25, 5, 64}},
      {[] { return LayerPtr(BatchNormalization()); }, {512, 128}},
      {[] { return LayerPtr(Activation("relu")); }, {64, 26, 26, 16}},
      {[] { return LayerPtr(Activation("tanh")); }, {40000}},
      {[] { return LayerPtr(Activation("softmax")); }, {4096, 10}},
      {[] { return LayerPtr(Activation("sigmoid")); }, {1024, 64}},
      {[] { return LayerPtr(GlobalAveragePooling2D()); }, {100, 25, 5, 64}},  // kws_dscnn's
      {[] { return LayerPtr(GlobalMaxPooling1D()); }, {64, 58, 32}},
  };
  for (const auto& [make, shape] : cases) {
    const std::string what = make()->type() + " " + shape_str(shape);
    set_backend("cpu");
    set_threads(1);
    const auto one = layer_training_pass(make, shape, 3, 2.0f);
    set_threads(2);
    const auto two = layer_training_pass(make, shape, 3, 2.0f);
    set_backend("reference");
    const auto ref = layer_training_pass(make, shape, 3, 2.0f);
    expect_same_bytes(one.y, two.y, what + " output");
    expect_same_bytes(one.dx, two.dx, what + " d_input");
    ASSERT_EQ(one.grads.size(), two.grads.size());
    for (size_t i = 0; i < one.grads.size(); ++i) {
      expect_same_bytes(one.grads[i], two.grads[i], what + " grad " + std::to_string(i));
      expect_same_bytes(one.params[i], two.params[i], what + " param " + std::to_string(i));
      expect_close(ref.grads[i], two.grads[i], what + " grad vs reference " + std::to_string(i));
    }
    expect_close(ref.y, two.y, what + " output vs reference");
    expect_close(ref.dx, two.dx, what + " d_input vs reference");
  }
}

TEST_F(ParallelChunks, AdamUpdatesTheSameOnOneAndTwoThreads) {
  auto run = [](int threads, bool amsgrad) {
    set_backend("cpu");
    set_threads(threads);
    Param p{"kernel", uniform_tensor({300, 200}, 7, 2.0f), Tensor({300, 200})};
    Adam adam({.learning_rate = 1e-2, .amsgrad = amsgrad});
    std::vector<Param*> ps = {&p};
    for (int step = 0; step < 3; ++step) {
      p.grad = uniform_tensor({300, 200}, 10 + static_cast<uint64_t>(step), 2.0f);
      adam.apply(ps);
    }
    return p.value;
  };
  for (bool amsgrad : {false, true}) {
    const Tensor one = run(1, amsgrad), two = run(2, amsgrad);
    expect_same_bytes(one, two, amsgrad ? "amsgrad" : "adam");
    // The update moved every weight, by at most 3 steps of lr * (1 - beta_1) / sqrt(1 - beta_2).
    const Tensor start = uniform_tensor({300, 200}, 7, 2.0f);
    for (int64_t i = 0; i < one.size(); i += 997) {
      EXPECT_NE(one[i], start[i]) << i;
      EXPECT_LE(std::fabs(one[i] - start[i]), 3 * 1e-2 * 0.1 / std::sqrt(0.001) * 1.01) << i;
    }
  }
}

TEST_F(ParallelChunks, ColumnSumsAreTheSameBytesOnAnyThreadCount) {
  // 1000 rows: 15 full blocks of 64 and one of 40, split between threads.
  const Tensor m = uniform_tensor({1000, 130}, 3, 5.0f);
  auto run = [&](int threads) {
    set_backend("cpu");
    set_threads(threads);
    std::vector<float> acc(130, 0.5f);  // added to, not overwritten
    add_column_sums(m.data(), 1000, 130, acc.data());
    return acc;
  };
  const std::vector<float> one = run(1), two = run(2), three = run(3);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, three);
  for (int64_t c = 0; c < 130; ++c) {
    double want = 0.5;
    for (int64_t r = 0; r < 1000; ++r) want += m[r * 130 + c];
    EXPECT_NEAR(one[static_cast<size_t>(c)], want, 1e-3) << c;
  }
}

TEST_F(ParallelChunks, FillRowsCopiesTheRowIntoEveryRow) {
  set_threads(2);
  const Tensor row = uniform_tensor({300}, 4, 1.0f);
  Tensor m = Tensor::for_overwrite({2000, 300});
  fill_rows(m.data(), 2000, 300, row.data());
  for (int64_t r = 0; r < 2000; r += 7)
    for (int64_t c = 0; c < 300; ++c) ASSERT_EQ(m[r * 300 + c], row[c]) << r << " " << c;
  for (int64_t c = 0; c < 300; ++c) ASSERT_EQ(m[1999 * 300 + c], row[c]) << c;
}

}  // namespace
}  // namespace tinyforge::nn
