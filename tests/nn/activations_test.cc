// Activations: values against closed forms, Keras 3 defaults, derivatives against central
// differences (accumulated in double).
#include "tinyforge/nn/activations.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tinyforge/error.h"
#include "tinyforge/nn/random.h"

namespace tinyforge::nn {
namespace {

std::vector<float> apply(const std::string& name, std::vector<float> x, float alpha = -1.0f) {
  const ActivationFn f = ActivationFn::parse(name, alpha);
  std::vector<float> y(x.size());
  f.forward(x.data(), y.data(), static_cast<int64_t>(x.size()), static_cast<int64_t>(x.size()));
  return y;
}

TEST(Activations, ValuesMatchClosedForms) {
  EXPECT_EQ(apply("linear", {-2.0f, 3.0f}), (std::vector<float>{-2.0f, 3.0f}));
  EXPECT_EQ(apply("relu", {-2.0f, 0.0f, 3.0f}), (std::vector<float>{0.0f, 0.0f, 3.0f}));
  EXPECT_EQ(apply("relu6", {-2.0f, 3.0f, 7.0f}), (std::vector<float>{0.0f, 3.0f, 6.0f}));
  // Keras 3: keras.activations.leaky_relu(x, negative_slope=0.2).
  auto leaky = apply("leaky_relu", {-10.0f, 5.0f});
  EXPECT_FLOAT_EQ(leaky[0], -2.0f);
  EXPECT_FLOAT_EQ(leaky[1], 5.0f);
  EXPECT_FLOAT_EQ(apply("leaky_relu", {-10.0f}, 0.5f)[0], -5.0f);
  auto sig = apply("sigmoid", {0.0f, 2.0f, -100.0f});
  EXPECT_FLOAT_EQ(sig[0], 0.5f);
  EXPECT_NEAR(sig[1], 1.0 / (1.0 + std::exp(-2.0)), 1e-7);
  EXPECT_NEAR(sig[2], 0.0, 1e-30);
  EXPECT_FALSE(std::isnan(sig[2]));
  EXPECT_NEAR(apply("tanh", {0.5f})[0], std::tanh(0.5), 1e-7);
  // hard_swish(x) = x * relu6(x + 3) / 6.
  auto hs = apply("hard_swish", {-4.0f, 1.0f, 4.0f});
  EXPECT_FLOAT_EQ(hs[0], 0.0f);
  EXPECT_FLOAT_EQ(hs[1], 4.0f / 6.0f);
  EXPECT_FLOAT_EQ(hs[2], 4.0f);
  EXPECT_FLOAT_EQ(apply("hard_silu", {1.0f})[0], 4.0f / 6.0f);
  auto elu = apply("elu", {-1.0f, 2.0f});
  EXPECT_NEAR(elu[0], std::exp(-1.0) - 1.0, 1e-7);
  EXPECT_FLOAT_EQ(elu[1], 2.0f);
  EXPECT_NEAR(apply("elu", {-1.0f}, 0.5f)[0], 0.5 * (std::exp(-1.0) - 1.0), 1e-7);
}

TEST(Activations, SoftmaxNormalizesEachRowOfTheLastAxis) {
  const ActivationFn f = ActivationFn::parse("softmax");
  // Two rows of three; the second is shifted by 1000 (must not overflow).
  Tensor x({2, 3}, {1.0f, 2.0f, 3.0f, 1001.0f, 1002.0f, 1003.0f});
  Tensor y = f.forward(x);
  const double e1 = std::exp(1.0), e2 = std::exp(2.0), e3 = std::exp(3.0), s = e1 + e2 + e3;
  for (int r = 0; r < 2; ++r) {
    EXPECT_NEAR(y[r * 3 + 0], e1 / s, 1e-6);
    EXPECT_NEAR(y[r * 3 + 1], e2 / s, 1e-6);
    EXPECT_NEAR(y[r * 3 + 2], e3 / s, 1e-6);
  }
}

TEST(Activations, ParseNamesAndErrors) {
  EXPECT_TRUE(ActivationFn::parse("").is_linear());
  EXPECT_EQ(ActivationFn::parse("hard_silu").name(), "hard_swish");
  EXPECT_FLOAT_EQ(ActivationFn::parse("leaky_relu").alpha(), 0.2f);
  EXPECT_FLOAT_EQ(ActivationFn::parse("elu").alpha(), 1.0f);
  EXPECT_TRUE(ActivationFn::parse("leaky_relu").has_default_alpha());
  EXPECT_FALSE(ActivationFn::parse("leaky_relu", 0.3f).has_default_alpha());
  try {
    ActivationFn::parse("swishy");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("swishy"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("relu"), std::string::npos);
  }
}

// dL/dx with L = sum(r * f(x)) against central differences, for inputs kept away from kinks.
void check_derivative(const std::string& name, float alpha = -1.0f) {
  SCOPED_TRACE(name);
  const ActivationFn f = ActivationFn::parse(name, alpha);
  Rng rng(7);
  const int64_t rows = 4, cols = 6, n = rows * cols;
  Tensor x({rows, cols});
  for (auto& v : x.values()) {
    do {
      v = rng.uniform(-7.0f, 7.0f);
      // Stay clear of the kinks at 0 (relu family), +-3 (hard_swish) and 6 (relu6).
    } while (std::fabs(v) < 0.1f || std::fabs(std::fabs(v) - 3.0f) < 0.1f || std::fabs(std::fabs(v) - 6.0f) < 0.1f);
  }
  Tensor r({rows, cols});
  for (auto& v : r.values()) v = rng.uniform(-1.0f, 1.0f);
  Tensor y = f.forward(x);
  const Tensor* xin = f.derivative_needs_input() ? &x : nullptr;
  Tensor dx = f.backward(xin, y, r);
  // Also the output-only path where available must agree with the input path.
  if (!f.derivative_needs_input()) {
    Tensor dx2 = f.backward(&x, y, r);
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(dx[i], dx2[i], 1e-6);
  }
  auto loss = [&](const Tensor& xv) {
    Tensor yv = f.forward(xv);
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += static_cast<double>(r[i]) * yv[i];
    return s;
  };
  const float eps = 1e-2f;
  for (int64_t i = 0; i < n; ++i) {
    Tensor xp = x, xm = x;
    xp[i] += eps;
    xm[i] -= eps;
    const double num = (loss(xp) - loss(xm)) / (static_cast<double>(xp[i]) - xm[i]);
    EXPECT_NEAR(dx[i], num, 1e-3 + 1e-2 * std::fabs(num)) << "element " << i;
  }
}

TEST(Activations, DerivativesMatchFiniteDifferences) {
  for (const auto& name : activation_names()) check_derivative(name);
  check_derivative("leaky_relu", 0.3f);
  check_derivative("elu", 0.7f);
}

TEST(Activations, BackwardMayAliasTheGradient) {
  const ActivationFn f = ActivationFn::parse("tanh");
  std::vector<float> x = {0.3f, -0.7f}, y(2), g = {1.0f, 2.0f};
  f.forward(x.data(), y.data(), 2, 2);
  f.backward(nullptr, y.data(), g.data(), g.data(), 2, 2);
  EXPECT_NEAR(g[0], 1.0 - std::tanh(0.3) * std::tanh(0.3), 1e-6);
  EXPECT_NEAR(g[1], 2.0 * (1.0 - std::tanh(0.7) * std::tanh(0.7)), 1e-6);
}

}  // namespace
}  // namespace tinyforge::nn
