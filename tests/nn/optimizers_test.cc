// Optimizers against Keras 3's update formulas worked out step by step (the multi-step values
// were computed separately in double precision from the formulas in optimizers.h), clipping,
// state round trips, and the learning-rate schedules.
#include "tinyforge/nn/optimizers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>

#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/schedules.h"

namespace tinyforge::nn {
namespace {

Param scalar_param(float w) {
  Param p;
  p.name = "w";
  p.value = Tensor({1}, {w});
  p.grad = Tensor({1}, {0});
  return p;
}

// Applies `grads` one per step to a scalar weight starting at w0; returns the weight after each.
std::vector<float> run(Optimizer& opt, float w0, const std::vector<float>& grads) {
  Param p = scalar_param(w0);
  std::vector<Param*> ps{&p};
  std::vector<float> out;
  for (float g : grads) {
    p.grad[0] = g;
    opt.apply(ps);
    out.push_back(p.value[0]);
  }
  return out;
}

void expect_steps(const std::vector<float>& got, const std::vector<double>& want, double tol = 2e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "step " << i + 1;
}

TEST(Optimizers, SgdPlainMomentumNesterov) {
  SGD plain(0.1);
  expect_steps(run(plain, 1, {0.5f, 0.5f}), {0.95, 0.90});
  // m = 0.9 m - 0.1 g with g = 1: m = -0.1, -0.19, -0.271; w += m.
  SGD mom(0.1, 0.9);
  expect_steps(run(mom, 1, {1, 1, 1}), {0.9, 0.71, 0.439});
  // Nesterov: w += 0.9 m - 0.1 g: 1 - 0.09 - 0.1 = 0.81; 0.81 - 0.171 - 0.1 = 0.539.
  SGD nes(0.1, 0.9, true);
  expect_steps(run(nes, 1, {1, 1}), {0.81, 0.539});
  EXPECT_EQ(nes.iterations(), 2);
  EXPECT_DOUBLE_EQ(SGD().learning_rate(), 0.01);  // Keras default
}

TEST(Optimizers, AdamKerasFormula) {
  // Step 1 by hand: m = 0.1, v = 0.001, alpha = 0.1 * sqrt(0.001) / 0.1,
  // w = 1 - alpha * 0.1 / (sqrt(0.001) + 1e-7) = 1 - 0.1 * sqrt(0.001) / (sqrt(0.001) + 1e-7).
  const double step1 = 1 - 0.1 * std::sqrt(0.001) / (std::sqrt(0.001) + 1e-7);
  Adam adam(0.1);
  expect_steps(run(adam, 1, {1, -2, 0.5f}), {step1, 0.936610617, 0.950279665});
  EXPECT_DOUBLE_EQ(Adam().learning_rate(), 1e-3);
  EXPECT_DOUBLE_EQ(Adam().options().epsilon, 1e-7);
}

TEST(Optimizers, AmsgradKeepsTheMaximumVelocity) {
  // beta_2 = 0.5 so v falls after the first step and v_hat differs from v.
  Adam ams({.learning_rate = 0.1, .beta_2 = 0.5, .amsgrad = true});
  expect_steps(run(ams, 1, {1, 0.1f, 0.1f}), {0.900000014, 0.835539767, 0.786725174});
  Adam plain({.learning_rate = 0.1, .beta_2 = 0.5});
  expect_steps(run(plain, 1, {1, 0.1f, 0.1f}), {0.900000014, 0.809737619, 0.714911783});
}

TEST(Optimizers, AdamWDecaysWeightsDecoupled) {
  // Each step first w -= w * 0.4 * 0.1, then the Adam update.
  AdamW adamw(0.1, 0.4);
  expect_steps(run(adamw, 1, {1, -2, 0.5f}), {0.860000316, 0.862210605, 0.841391228});
  EXPECT_DOUBLE_EQ(AdamW().options().weight_decay, 0.004);
  // With a zero gradient only the decay acts: 2 * (1 - 0.004 * 0.001).
  AdamW d;
  Param p = scalar_param(2);
  std::vector<Param*> ps{&p};
  d.apply(ps);
  EXPECT_NEAR(p.value[0], 2 * (1 - 0.004 * 0.001), 1e-7);
}

TEST(Optimizers, RmspropKerasFormula) {
  // Step 1 by hand: v = 0.1, w = 1 - 0.01 / sqrt(0.1 + 1e-7).
  RMSprop rms(0.01);
  expect_steps(run(rms, 1, {1, -2, 0.5f}), {1 - 0.01 / std::sqrt(0.1 + 1e-7), 0.996948665, 0.989624181});
  RMSprop centered({.learning_rate = 0.01, .momentum = 0.5, .centered = true});
  // Step 1 by hand: v = 0.1, a = 0.1, d = 0.1 - 0.01 + 1e-7, m = 0.01 / sqrt(d).
  expect_steps(run(centered, 1, {1, -2, 0.5f}), {1 - 0.01 / std::sqrt(0.09 + 1e-7), 0.978930894, 0.977719572});
}

// The vectorized, thread-split updates over a large tensor (vector bodies, remainders, two
// threads) against the same formulas evaluated per weight in double precision.
struct LargeCase {
  std::string what;
  std::shared_ptr<Optimizer> opt;
  bool adam = false, amsgrad = false, centered = false, momentum = false;  // which formula applies
};

TEST(Optimizers, LargeTensorsMatchTheFormulas) {
  constexpr int64_t n = 40003;  // several parallel chunks and a vector remainder
  constexpr int kSteps = 3;
  auto grad = [](int64_t i, int t) { return std::sin(0.37 * static_cast<double>(i) + t) * (1 + (i % 7)); };
  const std::vector<LargeCase> cases = {
      {"adam", std::make_shared<Adam>(AdamOptions{.learning_rate = 0.01}), true, false, false, false},
      {"amsgrad", std::make_shared<Adam>(AdamOptions{.learning_rate = 0.01, .amsgrad = true}), true, true, false,
       false},
      {"rmsprop", std::make_shared<RMSprop>(0.01)},
      {"rmsprop centered", std::make_shared<RMSprop>(RMSpropOptions{.learning_rate = 0.01, .centered = true}), false,
       false, true, false},
      {"rmsprop momentum", std::make_shared<RMSprop>(RMSpropOptions{.learning_rate = 0.01, .momentum = 0.5}), false,
       false, false, true},
      {"rmsprop centered momentum",
       std::make_shared<RMSprop>(RMSpropOptions{.learning_rate = 0.01, .momentum = 0.5, .centered = true}), false,
       false, true, true},
  };
  set_backend("cpu");
  set_threads(2);
  for (const LargeCase& c : cases) {
    Param p;
    p.name = "w";
    p.value = Tensor({n}, 0.5f);
    p.grad = Tensor({n});
    std::vector<Param*> ps{&p};
    // The formulas of optimizers.h, per weight, in double.
    std::vector<double> w(n, 0.5), m(n, 0.0), v(n, 0.0), vh(n, 0.0), a(n, 0.0);
    for (int t = 1; t <= kSteps; ++t) {
      for (int64_t i = 0; i < n; ++i) p.grad[i] = static_cast<float>(grad(i, t));
      c.opt->apply(ps);
      for (int64_t i = 0; i < n; ++i) {
        const double g = static_cast<float>(grad(i, t));
        if (c.adam) {
          m[i] += (g - m[i]) * 0.1;
          v[i] += (g * g - v[i]) * 0.001;
          vh[i] = std::max(vh[i], v[i]);
          const double alpha = 0.01 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
          w[i] -= alpha * m[i] / (std::sqrt(c.amsgrad ? vh[i] : v[i]) + 1e-7);
        } else {
          v[i] = 0.9 * v[i] + 0.1 * g * g;
          double d = v[i] + 1e-7;
          if (c.centered) {
            a[i] = 0.9 * a[i] + 0.1 * g;
            d = v[i] - a[i] * a[i] + 1e-7;
          }
          const double inc = 0.01 * g / std::sqrt(d);
          if (c.momentum) {
            m[i] = 0.5 * m[i] + inc;
            w[i] -= m[i];
          } else {
            w[i] -= inc;
          }
        }
      }
    }
    int bad = 0;
    for (int64_t i = 0; i < n && bad < 5; ++i)
      if (std::abs(p.value[i] - w[i]) > 2e-6 + 1e-5 * std::abs(w[i])) {
        ADD_FAILURE() << c.what << ": weight " << i << " is " << p.value[i] << ", formula " << w[i];
        ++bad;
      }
  }
  set_threads(0);
}

TEST(Optimizers, Clipping) {
  auto two = [](float a, float b) {
    Param p;
    p.value = Tensor({2});
    p.grad = Tensor({2}, {a, b});
    return p;
  };
  {  // clipnorm per param: [3, 4] has norm 5 -> [0.6, 0.8]; SGD lr 1 moves by -g.
    SGD sgd(1.0);
    sgd.clipnorm = 1;
    Param p = two(3, 4), q = two(0.3f, 0.4f);
    std::vector<Param*> ps{&p, &q};
    sgd.apply(ps);
    EXPECT_NEAR(p.value[0], -0.6, 1e-6);
    EXPECT_NEAR(p.value[1], -0.8, 1e-6);
    EXPECT_NEAR(q.value[0], -0.3, 1e-6);  // under the norm: untouched
  }
  {  // global: norms 5 and 0 -> total 5, everything scaled by 1/5.
    SGD sgd(1.0);
    sgd.global_clipnorm = 1;
    Param p = two(3, 0), q = two(0, 4);
    std::vector<Param*> ps{&p, &q};
    sgd.apply(ps);
    EXPECT_NEAR(p.value[0], -0.6, 1e-6);
    EXPECT_NEAR(q.value[1], -0.8, 1e-6);
  }
  {  // by value
    SGD sgd({.learning_rate = 1.0, .clipvalue = 0.5});
    Param p = two(3, -0.2f);
    std::vector<Param*> ps{&p};
    sgd.apply(ps);
    EXPECT_NEAR(p.value[0], -0.5, 1e-7);
    EXPECT_NEAR(p.value[1], 0.2, 1e-7);
  }
  SGD both(1.0);
  both.clipnorm = 1;
  both.clipvalue = 1;
  Param p = scalar_param(0);
  std::vector<Param*> ps{&p};
  EXPECT_THROW(both.apply(ps), Error);
}

TEST(Optimizers, FrozenParamsAreNotUpdated) {
  Param a = scalar_param(1), frozen = scalar_param(1);
  frozen.trainable = false;
  a.grad[0] = frozen.grad[0] = 1;
  std::vector<Param*> ps{&a, &frozen};
  Adam adam(0.1);
  adam.apply(ps);
  EXPECT_LT(a.value[0], 1.0f);
  EXPECT_EQ(frozen.value[0], 1.0f);
  EXPECT_EQ(adam.state().at("momentums").size(), 1u);  // slots only for trainable params
}

TEST(Optimizers, StateRoundTripContinuesIdentically) {
  Param a = scalar_param(1), b = scalar_param(-1);
  std::vector<Param*> ps{&a, &b};
  Adam first({.learning_rate = 0.05, .amsgrad = true});
  first.set_schedule(std::make_shared<ExponentialDecay>(0.05, 3, 0.5));
  for (float g : {0.3f, -0.7f}) {
    a.grad[0] = g;
    b.grad[0] = -g;
    first.apply(ps);
  }
  Param a2 = a, b2 = b;
  std::vector<Param*> ps2{&a2, &b2};
  Adam second({.learning_rate = 0.05, .amsgrad = true});
  second.set_schedule(std::make_shared<ExponentialDecay>(0.05, 3, 0.5));
  second.set_state(first.state());
  EXPECT_EQ(second.iterations(), 2);
  for (auto* v : {&a, &a2}) v->grad[0] = 0.9f;
  for (auto* v : {&b, &b2}) v->grad[0] = 0.1f;
  first.apply(ps);
  second.apply(ps2);
  EXPECT_EQ(a.value[0], a2.value[0]);
  EXPECT_EQ(b.value[0], b2.value[0]);

  // Slots that do not fit the params are an error, not silent garbage.
  Param c;
  c.name = "c";
  c.value = Tensor({3});
  c.grad = Tensor({3});
  std::vector<Param*> other{&c};
  EXPECT_THROW(second.apply(other), Error);

  // Learning rate survives the float32 state exactly enough for a double.
  RMSprop r(0.0123456789);
  RMSprop r2;
  r2.set_state(r.state());
  EXPECT_NEAR(r2.learning_rate(), 0.0123456789, 1e-15);
}

TEST(Optimizers, ScheduleDrivesTheLearningRate) {
  SGD sgd(1.0);
  sgd.set_schedule(std::make_shared<PiecewiseConstantDecay>(std::vector<int64_t>{1}, std::vector<double>{0.1, 0.01}));
  // Steps 0 and 1 use 0.1 (step <= boundary), step 2 uses 0.01.
  expect_steps(run(sgd, 0, {1, 1, 1}), {-0.1, -0.2, -0.21});
  EXPECT_DOUBLE_EQ(sgd.learning_rate(), 0.01);
  EXPECT_THROW(sgd.set_learning_rate(0.5), Error);
  SGD plain;
  plain.set_learning_rate(0.5);
  EXPECT_DOUBLE_EQ(plain.learning_rate(), 0.5);
}

TEST(Optimizers, FactoryAndJson) {
  EXPECT_EQ(make_optimizer("adam")->name(), "Adam");
  EXPECT_EQ(make_optimizer("SGD", 0.1)->name(), "SGD");
  EXPECT_DOUBLE_EQ(make_optimizer("sgd", 0.1)->learning_rate(), 0.1);
  EXPECT_DOUBLE_EQ(make_optimizer("rmsprop")->learning_rate(), 1e-3);
  EXPECT_EQ(make_optimizer("adamw")->name(), "AdamW");
  EXPECT_THROW(make_optimizer("adagrad_plus"), Error);
  SGD sgd({.learning_rate = 0.2, .momentum = 0.8, .nesterov = true, .clipnorm = 2});
  auto back = std::dynamic_pointer_cast<SGD>(optimizer_from_json(optimizer_to_json(sgd)));
  ASSERT_TRUE(back);
  EXPECT_DOUBLE_EQ(back->learning_rate(), 0.2);
  EXPECT_DOUBLE_EQ(back->options().momentum, 0.8);
  EXPECT_TRUE(back->options().nesterov);
  EXPECT_DOUBLE_EQ(back->clipnorm, 2);
  auto w = std::dynamic_pointer_cast<AdamW>(optimizer_from_json(optimizer_to_json(AdamW(0.01, 0.1))));
  ASSERT_TRUE(w);
  EXPECT_DOUBLE_EQ(w->options().weight_decay, 0.1);
}

TEST(Schedules, ExponentialAndPiecewise) {
  ExponentialDecay e(0.1, 10, 0.5);
  EXPECT_NEAR(e.at(0), 0.1, 1e-12);
  EXPECT_NEAR(e.at(5), 0.1 * std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(e.at(20), 0.025, 1e-12);
  ExponentialDecay s(0.1, 10, 0.5, true);
  EXPECT_NEAR(s.at(9), 0.1, 1e-12);
  EXPECT_NEAR(s.at(15), 0.05, 1e-12);
  PiecewiseConstantDecay p({10, 20}, {1.0, 0.5, 0.1});
  EXPECT_EQ(p.at(0), 1.0);
  EXPECT_EQ(p.at(10), 1.0);
  EXPECT_EQ(p.at(11), 0.5);
  EXPECT_EQ(p.at(20), 0.5);
  EXPECT_EQ(p.at(21), 0.1);
  EXPECT_THROW(PiecewiseConstantDecay({10}, {1.0}), Error);
  StepDecay st(1.0, 3, 0.1);
  EXPECT_NEAR(st.at(2), 1.0, 1e-12);
  EXPECT_NEAR(st.at(3), 0.1, 1e-12);
  EXPECT_NEAR(st.at(7), 0.01, 1e-12);
}

TEST(Schedules, CosineAndWarmup) {
  CosineDecay c(1.0, 100);
  EXPECT_NEAR(c.at(0), 1.0, 1e-12);
  EXPECT_NEAR(c.at(50), 0.5, 1e-12);
  EXPECT_NEAR(c.at(25), 0.5 * (1 + std::cos(std::numbers::pi / 4)), 1e-12);
  EXPECT_NEAR(c.at(100), 0.0, 1e-12);
  EXPECT_NEAR(c.at(1000), 0.0, 1e-12);
  CosineDecay a(1.0, 100, 0.1);
  EXPECT_NEAR(a.at(50), 0.9 * 0.5 + 0.1, 1e-12);
  EXPECT_NEAR(a.at(100), 0.1, 1e-12);
  // Keras 3 warmup: 0 -> 1 linearly over 10 steps, then cosine from 1 over 100 steps.
  CosineDecay w(0.0, 100, 0.0, 1.0, 10);
  EXPECT_NEAR(w.at(0), 0.0, 1e-12);
  EXPECT_NEAR(w.at(5), 0.5, 1e-12);
  EXPECT_NEAR(w.at(10), 1.0, 1e-12);
  EXPECT_NEAR(w.at(60), 0.5, 1e-12);
  EXPECT_NEAR(w.at(110), 0.0, 1e-12);
  EXPECT_NEAR(w.at(500), 0.0, 1e-12);
  WarmUp up(std::make_shared<ExponentialDecay>(0.4, 10, 0.5), 4);
  EXPECT_NEAR(up.at(0), 0.0, 1e-12);
  EXPECT_NEAR(up.at(2), 0.2, 1e-12);
  EXPECT_NEAR(up.at(4), 0.4, 1e-12);
  EXPECT_NEAR(up.at(14), 0.2, 1e-12);
}

}  // namespace
}  // namespace tinyforge::nn
