// BatchNormalization, Dropout, Normalization and Rescaling: hand-computed cases, finite-difference
// gradients, Dropout statistics and repeatability, Normalization.adapt.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/structural_layer_harness.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural_test::check_gradients;
using structural_test::expect_values;
using structural_test::random_tensor;
using structural_test::run;

TEST(BatchNormalization, KerasDefaultsAndParams) {
  LayerPtr bn = BatchNormalization().ptr();
  EXPECT_EQ(bn->type(), "BatchNormalization");
  const auto c = bn->config();
  EXPECT_EQ(c["axis"], -1);
  EXPECT_NEAR(c["momentum"].get<double>(), 0.99, 1e-6);
  EXPECT_NEAR(c["epsilon"].get<double>(), 1e-3, 1e-9);
  Rng rng(1);
  bn->build({{4, 3}}, rng);
  ASSERT_EQ(bn->params().size(), 4u);
  const char* names[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  const float inits[] = {1, 0, 0, 1};
  const bool trainable[] = {true, true, false, false};
  for (int i = 0; i < 4; ++i) {
    const Param& p = bn->params()[static_cast<size_t>(i)];
    EXPECT_EQ(p.name, names[i]);
    EXPECT_EQ(p.trainable, trainable[i]);
    expect_values(p.value, {3}, {inits[i], inits[i], inits[i]});
  }
  LayerPtr bare = BatchNormalization({.center = false, .scale = false}).ptr();
  bare->build({{2}}, rng);
  EXPECT_EQ(bare->params().size(), 2u);
}

TEST(BatchNormalization, InferenceUsesMovingStatistics) {
  LayerPtr bn = BatchNormalization().ptr();
  Rng rng(1);
  bn->build({{2}}, rng);
  // sqrt(3.999 + 0.001) = 2 and sqrt(0.249 + 0.001) = 0.5 keep the hand arithmetic exact.
  bn->param("gamma")->value = Tensor({2}, {2.0f, 1.0f});
  bn->param("beta")->value = Tensor({2}, {0.5f, -1.0f});
  bn->param("moving_mean")->value = Tensor({2}, {1.0f, 2.0f});
  bn->param("moving_variance")->value = Tensor({2}, {3.999f, 0.249f});
  const Tensor x({2, 2}, {3.0f, 2.5f, -1.0f, 1.0f});
  // y = gamma * (x - mean) / sqrt(var + eps) + beta
  expect_values(run(*bn, {x}, false).y, {2, 2}, {2.5f, 0.0f, -1.5f, -3.0f});
  // Inference leaves the moving statistics alone.
  expect_values(bn->param("moving_mean")->value, {2}, {1.0f, 2.0f});
}

TEST(BatchNormalization, TrainingUsesBatchStatisticsAndMovesAverages) {
  LayerPtr bn = BatchNormalization().ptr();
  // Channel 0: {1, 3}: mean 2, variance 1. Channel 1: {0, 4}: mean 2, variance 4.
  const Tensor x({2, 2}, {1.0f, 0.0f, 3.0f, 4.0f});
  const Tensor y = run(*bn, {x}, true).y;
  const float s0 = 1.0f / std::sqrt(1.0f + 1e-3f), s1 = 1.0f / std::sqrt(4.0f + 1e-3f);
  expect_values(y, {2, 2}, {-s0, -2 * s1, s0, 2 * s1});
  // moving = 0.99 * moving + 0.01 * batch statistic
  expect_values(bn->param("moving_mean")->value, {2}, {0.02f, 0.02f});
  expect_values(bn->param("moving_variance")->value, {2}, {1.0f, 0.99f + 0.04f});
}

TEST(BatchNormalization, FrozenLayerRunsInInferenceMode) {
  LayerPtr bn = BatchNormalization().ptr();
  bn->set_trainable(false);
  const Tensor x({2, 1}, {5.0f, 7.0f});
  // moving mean 0, variance 1: y = x / sqrt(1.001), statistics unchanged.
  const float s = 1.0f / std::sqrt(1.001f);
  expect_values(run(*bn, {x}, true).y, {2, 1}, {5 * s, 7 * s});
  expect_values(bn->param("moving_mean")->value, {1}, {0.0f});
}

TEST(BatchNormalization, GradientsInTrainingModeIncludeBatchStatistics) {
  LayerPtr bn = BatchNormalization().ptr();
  structural_test::build_for(*bn, {random_tensor({4, 2, 1, 3}, 1)});
  bn->param("gamma")->value = Tensor({3}, {1.5f, -0.7f, 0.9f});
  bn->param("beta")->value = Tensor({3}, {0.1f, 0.2f, -0.3f});
  check_gradients(*bn, {random_tensor({4, 2, 1, 3}, 2, -2.0f, 2.0f)}, true, 1e-2f, 5e-3f);
}

TEST(BatchNormalization, GradientsOnAnotherAxisAndAtInference) {
  LayerPtr bn = BatchNormalization({.axis = 1}).ptr();
  check_gradients(*bn, {random_tensor({3, 2, 4}, 3, -2.0f, 2.0f)}, true, 1e-2f, 5e-3f);
  EXPECT_EQ(bn->param("gamma")->value.shape(), Shape{2});
  LayerPtr inf = BatchNormalization().ptr();
  structural_test::build_for(*inf, {random_tensor({3, 4}, 4)});
  inf->param("moving_mean")->value = Tensor({4}, {0.1f, -0.2f, 0.3f, 0.0f});
  inf->param("moving_variance")->value = Tensor({4}, {0.5f, 2.0f, 1.0f, 3.0f});
  check_gradients(*inf, {random_tensor({3, 4}, 5)}, false);
}

TEST(BatchNormalization, NoScaleNoCenterGradients) {
  LayerPtr bn = BatchNormalization({.center = false, .scale = false}).ptr();
  check_gradients(*bn, {random_tensor({5, 2}, 6, -2.0f, 2.0f)}, true, 1e-2f, 5e-3f);
}

TEST(BatchNormalization, RejectsWrongAxisAndFeatureCount) {
  LayerPtr bn = BatchNormalization({.axis = 3, .name = "bn1"}).ptr();
  try {
    bn->output_shape({{4, 3}});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bn1"), std::string::npos) << e.what();
  }
  LayerPtr bn2 = BatchNormalization().ptr();
  structural_test::build_for(*bn2, {Tensor({1, 3})});
  EXPECT_THROW(run(*bn2, {Tensor({1, 4})}, true), Error);
}

TEST(Dropout, IdentityAtInference) {
  LayerPtr d = Dropout(0.5f).ptr();
  const Tensor x = random_tensor({3, 5}, 1);
  const Tensor dy = random_tensor({3, 5}, 2);
  const auto r = run(*d, {x}, false, &dy);
  expect_values(r.y, x.shape(), x.to_vector());
  expect_values(r.dx[0], dy.shape(), dy.to_vector());
}

TEST(Dropout, DropsAtTheRateAndScalesTheRest) {
  const float rate = 0.3f;
  LayerPtr d = Dropout(rate).ptr();
  const Tensor x({200000}, 1.0f);
  const Tensor y = run(*d, {x.reshaped({1000, 200})}, true).y;
  int64_t zeros = 0;
  double sum = 0;
  for (int64_t i = 0; i < y.size(); ++i) {
    if (y[i] == 0.0f) ++zeros;
    else EXPECT_NEAR(y[i], 1.0f / (1.0f - rate), 1e-6f);
    sum += y[i];
  }
  // Binomial(200000, 0.3) has a standard deviation of ~205: 0.3 +- 0.005 is ~5 sigma.
  EXPECT_NEAR(static_cast<double>(zeros) / y.size(), rate, 0.005);
  EXPECT_NEAR(sum / y.size(), 1.0, 0.01);  // inverted dropout keeps the expected activation
}

TEST(Dropout, SameSeedSameMaskAndBackwardUsesIt) {
  LayerPtr d = Dropout(0.5f).ptr();
  const Tensor x = random_tensor({4, 50}, 3);
  const Tensor dy = random_tensor({4, 50}, 4);
  const auto a = run(*d, {x}, true, &dy, 11);
  const auto b = run(*d, {x}, true, nullptr, 11);
  const auto c = run(*d, {x}, true, nullptr, 12);
  EXPECT_EQ(a.y.values(), b.y.values());
  EXPECT_NE(a.y.values(), c.y.values());
  for (int64_t i = 0; i < x.size(); ++i) {
    // Where the forward kept x (scaled by 2), the gradient is dy scaled the same; elsewhere 0.
    if (a.y[i] == 0.0f) EXPECT_EQ(a.dx[0][i], 0.0f);
    else EXPECT_NEAR(a.dx[0][i], 2.0f * dy[i], 1e-6f);
  }
  check_gradients(*d, {x}, true);  // the harness reuses one seed per forward, so the mask is fixed
}

TEST(Dropout, RejectsBadRate) {
  EXPECT_THROW(Dropout(1.0f), Error);
  EXPECT_THROW(Dropout(-0.1f), Error);
}

TEST(Normalization, AdaptComputesMeanAndPopulationVariance) {
  auto norm = Normalization();
  // Feature 0: {1, 3, 5}: mean 3, variance 8/3. Feature 1: {10, 30, 20}: mean 20, variance 200/3.
  norm.adapt(Tensor({3, 2}, {1, 10, 3, 30, 5, 20}));
  expect_values(norm->param("mean")->value, {2}, {3.0f, 20.0f}, 1e-5f);
  expect_values(norm->param("variance")->value, {2}, {8.0f / 3, 200.0f / 3}, 1e-4f);
  EXPECT_FALSE(norm->param("mean")->trainable);
  const float s0 = std::sqrt(8.0f / 3), s1 = std::sqrt(200.0f / 3);
  expect_values(run(*norm.ptr(), {Tensor({1, 2}, {3 + s0, 20 - 2 * s1})}, false).y, {1, 2}, {1.0f, -2.0f}, 1e-5f);
}

TEST(Normalization, AdaptOverImagesReducesAllButChannels) {
  auto norm = Normalization();
  // [N=2, H=1, W=2, C=2]: channel 0 holds {0, 2, 4, 6}, channel 1 holds {1, 1, 1, 1}.
  norm.adapt(Tensor({2, 1, 2, 2}, {0, 1, 2, 1, 4, 1, 6, 1}));
  expect_values(norm->param("mean")->value, {2}, {3.0f, 1.0f});
  expect_values(norm->param("variance")->value, {2}, {5.0f, 0.0f});
  // A constant feature maps to 0 (the 1e-7 floor on the std avoids dividing by zero).
  const Tensor y = run(*norm.ptr(), {Tensor({1, 1, 1, 2}, {3.0f + std::sqrt(5.0f), 1.0f})}, false).y;
  expect_values(y, {1, 1, 1, 2}, {1.0f, 0.0f});
}

TEST(Normalization, GivenStatisticsAndGradients) {
  auto norm = Normalization({.mean = {1.0f, -1.0f}, .variance = {4.0f, 0.25f}});
  // (x - mean) / sqrt(variance)
  expect_values(run(*norm.ptr(), {Tensor({1, 2}, {5.0f, 0.0f})}, false).y, {1, 2}, {2.0f, 2.0f});
  check_gradients(*norm.ptr(), {random_tensor({3, 2}, 8)}, true);
  auto scalar = Normalization({.mean = {2.0f}, .variance = {4.0f}});  // one value broadcasts
  expect_values(run(*scalar.ptr(), {Tensor({1, 3}, {2.0f, 4.0f, 0.0f})}, false).y, {1, 3}, {0.0f, 1.0f, -1.0f});
  EXPECT_THROW(Normalization({.mean = {1.0f}}), Error);
  EXPECT_THROW(Normalization().adapt(Tensor({0, 2})), Error);
}

TEST(Rescaling, ScaleOffsetAndGradient) {
  LayerPtr r = Rescaling(1.0f / 255, {.offset = -1.0f}).ptr();
  expect_values(run(*r, {Tensor({1, 3}, {0.0f, 255.0f, 51.0f})}, false).y, {1, 3}, {-1.0f, 0.0f, -0.8f});
  check_gradients(*r, {random_tensor({2, 3}, 9)}, true);
  EXPECT_EQ(r->config()["scale"].get<float>(), 1.0f / 255);
}

}  // namespace
}  // namespace tinyforge::nn
