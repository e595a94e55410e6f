// Losses and regularizers: values worked out by hand (and Keras' documented examples), gradients
// checked by hand and by central finite differences, logits vs. probabilities.
#include "tinyforge/nn/losses.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "tinyforge/error.h"
#include "tinyforge/nn/random.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

void expect_near_all(const Tensor& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), int64_t(b.size()));
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[size_t(i)], tol) << "at " << i;
}

// Central differences of loss.compute with respect to every element of y_pred; the step actually
// taken (after float rounding) is used as the denominator.
void check_gradient(const Loss& loss, const Tensor& y_true, const Tensor& y_pred, const Tensor* sw = nullptr,
                    double h = 1e-3) {
  Tensor grad;
  loss.compute(y_true, y_pred, sw, &grad);
  ASSERT_EQ(grad.shape(), y_pred.shape());
  for (int64_t i = 0; i < y_pred.size(); ++i) {
    Tensor plus = y_pred, minus = y_pred;
    plus[i] = float(double(y_pred[i]) + h);
    minus[i] = float(double(y_pred[i]) - h);
    const double fd = (loss.compute(y_true, plus, sw, nullptr) - loss.compute(y_true, minus, sw, nullptr)) /
                      (double(plus[i]) - double(minus[i]));
    EXPECT_NEAR(grad[i], fd, 1e-3 * std::max(1.0, std::abs(fd))) << loss.name() << " element " << i;
  }
}

Tensor random_probs(Rng& rng, int64_t rows, int64_t c) {
  Tensor t({rows, c});
  for (int64_t r = 0; r < rows; ++r) {
    double s = 0;
    for (int64_t i = 0; i < c; ++i) s += t[r * c + i] = rng.uniform(0.1f, 1.0f);
    for (int64_t i = 0; i < c; ++i) t[r * c + i] = float(t[r * c + i] / s);
  }
  return t;
}

Tensor softmax_rows(const Tensor& x) {
  const int64_t c = x.dim(-1);
  Tensor p(x.shape());
  for (int64_t r = 0; r < x.size() / c; ++r) {
    double s = 0;
    for (int64_t i = 0; i < c; ++i) s += std::exp(double(x[r * c + i]));
    for (int64_t i = 0; i < c; ++i) p[r * c + i] = float(std::exp(double(x[r * c + i])) / s);
  }
  return p;
}

// --- values by hand ---

TEST(Losses, SparseCategoricalCrossentropyKerasExample) {
  const Tensor y_true({2}, {1, 2});
  const Tensor y_pred({2, 3}, {0.05f, 0.95f, 0.0f, 0.1f, 0.8f, 0.1f});
  SparseCategoricalCrossentropy loss;
  Tensor grad;
  // (-ln 0.95 - ln 0.1) / 2 (Keras documents 1.177).
  EXPECT_NEAR(loss.compute(y_true, y_pred, nullptr, &grad), (-std::log(0.95) - std::log(0.1)) / 2, 1e-6);
  // Rows sum to 1, so dL/dp_k = (g_k - sum_i g_i q_i) / 2 with g = -t/q (0 where clipped):
  // row 0: g = (0, -1/0.95, 0 [clipped]), sum g q = -1; row 1: g = (0, 0, -1/0.1), sum g q = -1.
  expect_near_all(grad, {0.5, 0.5 * (1 - 1 / 0.95), 0.5, 0.5, 0.5, 0.5 * (1 - 1 / 0.1)}, 1e-5);
  // [N, 1] labels are the same thing.
  EXPECT_NEAR(loss.compute(Tensor({2, 1}, {1, 2}), y_pred, nullptr, nullptr), 1.1769392, 1e-6);
  // Sample weights: sum(w * l) / N.
  const Tensor sw({2}, {0.3f, 0.7f});
  EXPECT_NEAR(loss.compute(y_true, y_pred, &sw, nullptr), (-0.3 * std::log(0.95) - 0.7 * std::log(0.1)) / 2, 1e-6);
}

TEST(Losses, CategoricalCrossentropyNormalizesAndClips) {
  CategoricalCrossentropy loss;
  // Unnormalized row [1, 3] is read as [0.25, 0.75]: -ln 0.75.
  EXPECT_NEAR(loss.compute(Tensor({1, 2}, {0, 1}), Tensor({1, 2}, {1, 3}), nullptr, nullptr), -std::log(0.75), 1e-6);
  // A zero probability on the true class is clipped to 1e-7.
  EXPECT_NEAR(loss.compute(Tensor({1, 2}, {1, 0}), Tensor({1, 2}, {0, 1}), nullptr, nullptr), -std::log(1e-7), 1e-4);
}

TEST(Losses, CategoricalLabelSmoothing) {
  // t = t (1 - 0.2) + 0.2 / 2: [0, 1] -> [0.1, 0.9].
  const Tensor p({1, 2}, {0.3f, 0.7f});
  const double expect = -(0.1 * std::log(0.3) + 0.9 * std::log(0.7));
  EXPECT_NEAR(CategoricalCrossentropy(false, 0.2).compute(Tensor({1, 2}, {0, 1}), p, nullptr, nullptr), expect, 1e-6);
  EXPECT_NEAR(CategoricalCrossentropy(false).compute(Tensor({1, 2}, {0.1f, 0.9f}), p, nullptr, nullptr), expect, 1e-6);
  EXPECT_THROW(CategoricalCrossentropy(false, 1.5), Error);
}

TEST(Losses, BinaryCrossentropyKerasExample) {
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  const Tensor y_pred({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f});
  BinaryCrossentropy loss;
  Tensor grad;
  const double l = loss.compute(y_true, y_pred, nullptr, &grad);
  // Per element -ln(0.4), -ln(0.4), -ln(0.6), -ln(0.4); mean over all (Keras: 0.815).
  EXPECT_NEAR(l, (3 * -std::log(0.4) - std::log(0.6)) / 4, 1e-6);
  // dl/dp = (p - t) / (p (1 - p)) / 4.
  expect_near_all(grad, {0.6 / 0.24 / 4, -0.6 / 0.24 / 4, 0.4 / 0.24 / 4, 0.6 / 0.24 / 4}, 1e-5);
}

TEST(Losses, RegressionKerasExamples) {
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  Tensor grad;
  EXPECT_NEAR(MeanSquaredError().compute(y_true, Tensor({2, 2}, {1, 1, 1, 0}), nullptr, &grad), 0.5, 1e-7);
  expect_near_all(grad, {0.5, 0, 0.5, 0}, 1e-7);  // 2 e / 4
  EXPECT_NEAR(MeanAbsoluteError().compute(y_true, Tensor({2, 2}, {1, 1, 1, 0}), nullptr, &grad), 0.5, 1e-7);
  expect_near_all(grad, {0.25, 0, 0.25, 0}, 1e-7);  // sign(e) / 4, 0 at e = 0
  const Tensor p({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f});
  // Errors 0.6, -0.6, 0.4, 0.6 all within delta: 0.5 e^2 -> (0.18 + 0.18 + 0.08 + 0.18) / 4 = 0.155.
  EXPECT_NEAR(Huber().compute(y_true, p, nullptr, &grad), 0.155, 1e-6);
  expect_near_all(grad, {0.15, -0.15, 0.1, 0.15}, 1e-6);
  // Beyond delta: e = 3, delta 1 -> 3 - 0.5 = 2.5, gradient delta * sign(e) = 1.
  EXPECT_NEAR(Huber(1.0).compute(Tensor({1, 1}, {0}), Tensor({1, 1}, {3}), nullptr, &grad), 2.5, 1e-7);
  EXPECT_NEAR(grad[0], 1.0, 1e-7);
  EXPECT_NEAR(Huber(2.0).compute(Tensor({1, 1}, {0}), Tensor({1, 1}, {-3}), nullptr, &grad), 2 * 3 - 2, 1e-7);
  EXPECT_NEAR(grad[0], -2.0, 1e-7);
}

TEST(Losses, KLDivergenceKerasExample) {
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  const Tensor y_pred({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f});
  const double e = 1e-7;
  const double row0 = e * std::log(e / 0.6) + std::log(1 / 0.4);
  const double row1 = e * std::log(e / 0.4) + e * std::log(e / 0.6);
  EXPECT_NEAR(KLDivergence().compute(y_true, y_pred, nullptr, nullptr), (row0 + row1) / 2, 1e-6);  // Keras: 0.458
}

TEST(Losses, SampleWeightsAndSpatialOutputs) {
  // [N=2, 2 positions, 1]: per-sample mean over positions, then sum(w * l) / N.
  const Tensor y_true({2, 2, 1}, {0, 0, 0, 0});
  const Tensor y_pred({2, 2, 1}, {1, 3, 2, 2});
  const Tensor sw({2}, {2.0f, 0.5f});
  EXPECT_NEAR(MeanSquaredError().compute(y_true, y_pred, &sw, nullptr), (2.0 * 5 + 0.5 * 4) / 2, 1e-6);
  check_gradient(MeanSquaredError(), y_true, y_pred, &sw);
  // Sparse labels per position.
  Rng rng(3);
  const Tensor probs = random_probs(rng, 6, 4).reshaped({2, 3, 4});
  const Tensor labels({2, 3}, {0, 3, 1, 2, 2, 0});
  check_gradient(SparseCategoricalCrossentropy(), labels, probs, &sw);
}

TEST(Losses, RegressionSumsOfManyValuesPerSample) {
  // 13 values a sample: the sums run in 8 lanes plus a remainder of 5. The per-sample means,
  // weighted, over N, in double.
  Rng rng(9);
  const Tensor y_true = random_probs(rng, 3, 13), y_pred = random_probs(rng, 3, 13);
  const Tensor sw({3}, {1.0f, 2.0f, 0.5f});
  double want_mse = 0, want_mae = 0;
  for (int64_t s = 0; s < 3; ++s) {
    double sq = 0, ab = 0;
    for (int64_t i = 0; i < 13; ++i) {
      const double e = double(y_pred[s * 13 + i]) - double(y_true[s * 13 + i]);
      sq += e * e;
      ab += std::fabs(e);
    }
    want_mse += sw[s] * sq / 13;
    want_mae += sw[s] * ab / 13;
  }
  EXPECT_NEAR(MeanSquaredError().compute(y_true, y_pred, &sw, nullptr), want_mse / 3, 1e-12);
  EXPECT_NEAR(MeanAbsoluteError().compute(y_true, y_pred, &sw, nullptr), want_mae / 3, 1e-12);
  check_gradient(MeanSquaredError(), y_true, y_pred, &sw);
}

TEST(Losses, BadInputsThrow) {
  SparseCategoricalCrossentropy scce;
  const Tensor p({2, 3}, {0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f});
  EXPECT_THROW(scce.compute(Tensor({2}, {0, 3}), p, nullptr, nullptr), Error);     // out of range
  EXPECT_THROW(scce.compute(Tensor({2}, {0, 1.5f}), p, nullptr, nullptr), Error);  // not an index
  EXPECT_THROW(scce.compute(Tensor({3}, {0, 1, 2}), p, nullptr, nullptr), Error);  // count
  EXPECT_THROW(CategoricalCrossentropy().compute(Tensor({2}, {0, 1}), p, nullptr, nullptr), Error);
  EXPECT_THROW(MeanSquaredError().compute(Tensor({5}), p, nullptr, nullptr), Error);
  const Tensor sw({3}, {1, 1, 1});
  EXPECT_THROW(MeanSquaredError().compute(p, p, &sw, nullptr), Error);
  EXPECT_THROW(make_loss("hinge_of_doom"), Error);
}

// --- finite differences ---

TEST(Losses, GradientsMatchFiniteDifferences) {
  Rng rng(7);
  const Tensor probs = random_probs(rng, 4, 5);
  Tensor onehot({4, 5});
  const float labels[4] = {0, 4, 2, 2};
  for (int r = 0; r < 4; ++r) onehot[r * 5 + int64_t(labels[r])] = 1;
  Tensor logits({4, 5});
  for (float& v : logits.values()) v = rng.uniform(-3, 3);
  Tensor soft = random_probs(rng, 4, 5);  // soft targets
  const Tensor sw({4}, {1.0f, 0.5f, 2.0f, 0.0f});

  check_gradient(SparseCategoricalCrossentropy(), Tensor({4}, {0, 4, 2, 2}), probs);
  check_gradient(SparseCategoricalCrossentropy(true), Tensor({4}, {0, 4, 2, 2}), logits, &sw);
  check_gradient(CategoricalCrossentropy(), soft, probs, &sw);
  check_gradient(CategoricalCrossentropy(false, 0.1), onehot, probs);
  check_gradient(CategoricalCrossentropy(true, 0.1), soft, logits);
  check_gradient(KLDivergence(), soft, probs, &sw);

  Tensor bin_true({4, 2}), bin_p({4, 2}), bin_x({4, 2}), reg_true({4, 2}), reg_p({4, 2});
  for (int64_t i = 0; i < 8; ++i) {
    bin_true[i] = float(rng.below(2));
    bin_p[i] = rng.uniform(0.05f, 0.95f);
    bin_x[i] = rng.uniform(-4, 4);
    reg_true[i] = rng.uniform(-2, 2);
    reg_p[i] = reg_true[i] + (rng.uniform() < 0.5f ? -1 : 1) * rng.uniform(0.1f, 2.5f);  // away from kinks
  }
  check_gradient(BinaryCrossentropy(), bin_true, bin_p, &sw);
  check_gradient(BinaryCrossentropy(true, 0.2), bin_true, bin_x, &sw);
  check_gradient(MeanSquaredError(), reg_true, reg_p, &sw);
  check_gradient(MeanAbsoluteError(), reg_true, reg_p);
  Tensor huber_p = reg_p;
  for (int64_t i = 0; i < 8; ++i)  // keep |e| off delta = 1 where the second derivative jumps
    if (std::abs(huber_p[i] - reg_true[i]) > 0.9f && std::abs(huber_p[i] - reg_true[i]) < 1.1f) huber_p[i] += 0.5f;
  check_gradient(Huber(), reg_true, huber_p, &sw);
}

// --- logits == probabilities after softmax / sigmoid ---

TEST(Losses, FromLogitsEqualsSoftmaxThenProbabilities) {
  Rng rng(11);
  Tensor logits({3, 4});
  for (float& v : logits.values()) v = rng.uniform(-2, 2);
  const Tensor probs = softmax_rows(logits);
  const Tensor labels({3}, {1, 0, 3});
  Tensor onehot({3, 4});
  for (int r = 0; r < 3; ++r) onehot[r * 4 + int64_t(labels[r])] = 1;

  Tensor g_logits, g_probs;
  const double a = SparseCategoricalCrossentropy(true).compute(labels, logits, nullptr, &g_logits);
  const double b = SparseCategoricalCrossentropy(false).compute(labels, probs, nullptr, &g_probs);
  EXPECT_NEAR(a, b, 1e-6);
  EXPECT_NEAR(CategoricalCrossentropy(true).compute(onehot, logits, nullptr, nullptr), a, 1e-6);
  // d/dlogits = (softmax - onehot) / N, and equals the probability gradient pulled back through
  // the softmax Jacobian: dL/dx_j = sum_i g_i p_i (delta_ij - p_j).
  for (int r = 0; r < 3; ++r)
    for (int j = 0; j < 4; ++j) {
      EXPECT_NEAR(g_logits[r * 4 + j], (probs[r * 4 + j] - onehot[r * 4 + j]) / 3, 1e-6);
      double pulled = 0;
      for (int i = 0; i < 4; ++i) pulled += g_probs[r * 4 + i] * probs[r * 4 + i] * ((i == j) - probs[r * 4 + j]);
      EXPECT_NEAR(g_logits[r * 4 + j], pulled, 1e-5);
    }

  // Binary: logits == sigmoid then probabilities; gradient sigmoid(x) - t over the mean.
  const Tensor x({2, 2}, {-1.5f, 0.3f, 2.0f, -0.2f});
  const Tensor t({2, 2}, {0, 1, 1, 0});
  Tensor sig(x.shape()), g;
  for (int64_t i = 0; i < 4; ++i) sig[i] = float(1 / (1 + std::exp(-double(x[i]))));
  EXPECT_NEAR(BinaryCrossentropy(true).compute(t, x, nullptr, &g),
              BinaryCrossentropy().compute(t, sig, nullptr, nullptr), 1e-6);
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(g[i], (sig[i] - t[i]) / 4, 1e-6);
  // Large logits stay finite.
  EXPECT_NEAR(BinaryCrossentropy(true).compute(Tensor({1, 1}, {0}), Tensor({1, 1}, {100}), nullptr, nullptr), 100,
              1e-6);
  EXPECT_TRUE(std::isfinite(
      SparseCategoricalCrossentropy(true).compute(Tensor({1}, {0}), Tensor({1, 2}, {-500, 500}), nullptr, nullptr)));
}

TEST(Losses, FactoryAndJson) {
  EXPECT_EQ(make_loss("sparse_categorical_crossentropy")->name(), "sparse_categorical_crossentropy");
  EXPECT_EQ(make_loss("mse")->name(), "mean_squared_error");
  EXPECT_EQ(make_loss("MAE")->name(), "mean_absolute_error");
  EXPECT_EQ(make_loss("kld")->name(), "kl_divergence");
  EXPECT_EQ(make_loss("huber")->name(), "huber");
  auto l = std::dynamic_pointer_cast<CategoricalCrossentropy>(
      loss_from_json(loss_to_json(CategoricalCrossentropy(true, 0.1))));
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->from_logits());
  EXPECT_DOUBLE_EQ(l->label_smoothing(), 0.1);
  auto s = std::dynamic_pointer_cast<SparseCategoricalCrossentropy>(make_loss("sparse_categorical_crossentropy", true));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->from_logits());
  EXPECT_DOUBLE_EQ(std::dynamic_pointer_cast<Huber>(loss_from_json(loss_to_json(Huber(2.5))))->delta(), 2.5);
}

// --- regularizers ---

TEST(Regularizers, PenaltyAndGradient) {
  const Tensor w({3}, {1, -2, 0});
  // 0.1 * (1 + 2 + 0) + 0.01 * (1 + 4 + 0)
  EXPECT_NEAR(L1L2(0.1, 0.01).penalty(w), 0.35, 1e-7);
  EXPECT_NEAR(L2().penalty(w), 0.05, 1e-7);  // Keras default 0.01, no 1/2
  EXPECT_NEAR(L1().penalty(w), 0.03, 1e-7);
  Tensor g({3}, {1, 1, 1});  // accumulates
  L1L2(0.1, 0.01).add_gradient(w, g);
  expect_near_all(g, {1 + 0.1 + 0.02, 1 - 0.1 - 0.04, 1}, 1e-6);
  const L2 l2(0.3);
  auto r = regularizer_from_json(regularizer_to_json(&l2));
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->penalty(Tensor({1}, {2})), 1.2, 1e-7);
  EXPECT_EQ(regularizer_from_json(nullptr), nullptr);
  EXPECT_THROW(make_regularizer("l3"), Error);
}

}  // namespace
}  // namespace tinyforge::nn
