// Layer fusion: BatchNormalization applying the ReLU (or ReLU6) that follows it. The fused layer
// must give the bytes the two layers give, the model must fuse only where nothing else sees the
// normalized values, and BatchNormalization's blocked statistics must hold their precision.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/structural.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/model.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {
namespace {

Tensor uniform(Shape shape, uint64_t seed, float lo, float hi) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

void expect_same_bytes(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  ASSERT_EQ(std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())), 0) << what;
}

struct Pass {
  Tensor y, dx, d_gamma, d_beta;
};

// A BatchNormalization with fixed non-trivial gamma and beta (so the activation's mask cuts
// through every channel), built for x.
LayerPtr batch_norm_for(const Tensor& x, int axis) {
  LayerPtr bn = BatchNormalization({.axis = axis, .momentum = 0.9f}).ptr();
  Rng rng(1);
  bn->build({x.sample_shape()}, rng);
  Tensor& gamma = bn->param("gamma")->value;
  Tensor& beta = bn->param("beta")->value;
  for (int64_t c = 0; c < gamma.size(); ++c) {
    gamma[c] = 0.5f + 0.25f * static_cast<float>(c % 5);
    beta[c] = -0.3f + 0.2f * static_cast<float>(c % 4);
  }
  return bn;
}

// BatchNormalization with the activation fused into it.
Pass fused_pass(const Tensor& x, const Tensor& dy, const ActivationFn& act, int axis) {
  LayerPtr bn = batch_norm_for(x, axis);
  LayerCall call;
  call.training = true;
  call.inputs = {&x};
  call.fused_activation = &act;
  Pass p;
  p.y = bn->forward(call);
  p.dx = bn->backward(call, dy)[0];
  p.d_gamma = bn->param("gamma")->grad;
  p.d_beta = bn->param("beta")->grad;
  return p;
}

// The same two layers run one after the other, as without fusion.
Pass separate_pass(const Tensor& x, const Tensor& dy, const ActivationFn& act, int axis) {
  LayerPtr bn = batch_norm_for(x, axis);
  LayerPtr activation = Activation(act.name()).ptr();
  LayerCall bn_call, act_call;
  bn_call.training = act_call.training = true;
  bn_call.inputs = {&x};
  const Tensor z = bn->forward(bn_call);
  act_call.inputs = {&z};
  Pass p;
  p.y = activation->forward(act_call);
  act_call.output = &p.y;
  const Tensor dz = activation->backward(act_call, dy)[0];
  p.dx = bn->backward(bn_call, dz)[0];
  p.d_gamma = bn->param("gamma")->grad;
  p.d_beta = bn->param("beta")->grad;
  return p;
}

TEST(LayerFusion, BatchNormWithFusedActivationGivesTheTwoLayersBytes) {
  struct Case {
    Shape shape;
    int axis;
  };
  // Channels last (kws_dscnn's shape, and 37 channels: vector remainders), a feature vector
  // (ad_autoencoder's), and channels on axis 1 (the inner-loop variant).
  const std::vector<Case> cases = {{{16, 25, 5, 64}, -1}, {{300, 37}, -1}, {{512, 128}, -1}, {{6, 3, 50}, 1}};
  for (const char* name : {"relu", "relu6"}) {
    const ActivationFn act = ActivationFn::parse(name);
    for (const Case& c : cases) {
      const std::string what = std::string(name) + " " + shape_str(c.shape) + " axis " + std::to_string(c.axis);
      const Tensor x = uniform(c.shape, 3, -4.0f, 9.0f), dy = uniform(c.shape, 4, -1.0f, 1.0f);
      const Pass fused = fused_pass(x, dy, act, c.axis), separate = separate_pass(x, dy, act, c.axis);
      expect_same_bytes(fused.y, separate.y, what + " output");
      expect_same_bytes(fused.dx, separate.dx, what + " d_input");
      expect_same_bytes(fused.d_gamma, separate.d_gamma, what + " d_gamma");
      expect_same_bytes(fused.d_beta, separate.d_beta, what + " d_beta");
      // The mask did cut: some outputs are clamped, some are not.
      int64_t zeros = 0;
      for (int64_t i = 0; i < fused.y.size(); ++i) zeros += fused.y[i] == 0.0f;
      EXPECT_GT(zeros, fused.y.size() / 10) << what;
      EXPECT_LT(zeros, fused.y.size() * 9 / 10) << what;
    }
  }
}

TEST(LayerFusion, ModelFusesOnlyAnActivationThatIsTheSoleConsumer) {
  auto in = Input({4});
  auto bn1 = BatchNormalization({.name = "bn1"}).ptr();
  auto relu1 = Activation("relu", {.name = "relu1"}).ptr();
  auto bn2 = BatchNormalization({.name = "bn2"}).ptr();  // feeds an activation and an Add
  auto relu2 = Activation("relu", {.name = "relu2"}).ptr();
  auto bn3 = BatchNormalization({.name = "bn3"}).ptr();  // followed by an activation it cannot fuse
  auto tanh3 = Activation("tanh", {.name = "tanh3"}).ptr();
  auto bn4 = BatchNormalization({.name = "bn4"}).ptr();  // its output is also a model output
  auto relu4 = Activation("relu6", {.name = "relu4"}).ptr();
  auto a = call(relu1, {call(bn1, {in})});
  auto b_norm = call(bn2, {a});
  auto b = Add("add")({call(relu2, {b_norm}), b_norm});
  auto c = call(tanh3, {call(bn3, {b})});
  auto d_norm = call(bn4, {c});
  Model model({in}, {call(relu4, {d_norm}), d_norm});
  const std::vector<std::pair<std::string, std::string>> want = {{"bn1", "relu1"}};
  EXPECT_EQ(model.fused_activations(), want);

  Sequential seq({4}, {Dense(3).ptr(), BatchNormalization({.name = "bn"}).ptr(),
                       Activation("relu6", {.name = "act"}).ptr(), Dense(2).ptr()});
  const std::vector<std::pair<std::string, std::string>> want_seq = {{"bn", "act"}};
  EXPECT_EQ(seq.fused_activations(), want_seq);
}

class LayerFusionTraining : public ::testing::Test {
 protected:
  void TearDown() override { set_layer_fusion(true); }
};

// Conv2D -> BatchNormalization -> ReLU twice, then a classifier: a few epochs with and without
// fusion end with the same weights and predictions, byte for byte.
TEST_F(LayerFusionTraining, FitGivesTheSameBytesWithAndWithoutFusion) {
  const Tensor x = uniform({64, 8, 8, 2}, 11, -1.0f, 1.0f);
  Tensor y({64});
  for (int64_t i = 0; i < 64; ++i) y[i] = static_cast<float>(i % 3);
  auto train = [&](bool fuse) {
    set_layer_fusion(fuse);
    set_random_seed(5);
    Sequential m({8, 8, 2}, {Conv2D(8, 3, {.padding = "same"}).ptr(), BatchNormalization().ptr(),
                             Activation("relu").ptr(), Conv2D(8, 3).ptr(), BatchNormalization().ptr(),
                             Activation("relu").ptr(), Flatten().ptr(), Dense(3).ptr()});
    EXPECT_EQ(m.fused_activations().size(), 2u);
    m.compile(std::make_shared<Adam>(AdamOptions{.learning_rate = 1e-2}),
              std::make_shared<SparseCategoricalCrossentropy>(true));
    FitOptions o;
    o.epochs = 3;
    o.batch_size = 16;
    o.verbose = 0;
    o.seed = 9;
    m.fit(x, y, o);
    std::vector<Tensor> out = m.get_weights();
    out.push_back(m.predict(x));
    return out;
  };
  const std::vector<Tensor> fused = train(true), separate = train(false);
  ASSERT_EQ(fused.size(), separate.size());
  for (size_t i = 0; i < fused.size(); ++i) expect_same_bytes(fused[i], separate[i], "tensor " + std::to_string(i));
  // Training moved the weights (the comparison is not between two untouched initializations).
  set_random_seed(5);
  Sequential fresh({8, 8, 2}, {Conv2D(8, 3, {.padding = "same"}).ptr()});
  EXPECT_NE(std::memcmp(fresh.get_weights()[0].data(), fused[0].data(), sizeof(float) * 8), 0);
}

// Statistics over many blocks of rows, of values far from zero: the blocked, merged mean and
// variance match a two-pass computation in double (a one-pass sum of squares in float would
// lose the variance entirely here).
TEST(LayerFusion, BatchNormStatisticsKeepTheirPrecisionAcrossBlocks) {
  const int64_t rows = 20000, C = 3;
  Tensor x({rows, C});
  Rng rng(21);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) x[r * C + c] = 1000.0f * static_cast<float>(c + 1) + rng.uniform(-1.0f, 1.0f);
  LayerPtr bn = BatchNormalization({.momentum = 0.0f}).ptr();  // moving statistics = this batch's
  Rng build_rng(1);
  bn->build({{C}}, build_rng);
  LayerCall call;
  call.training = true;
  call.inputs = {&x};
  bn->forward(call);
  for (int64_t c = 0; c < C; ++c) {
    double mean = 0, m2 = 0;
    for (int64_t r = 0; r < rows; ++r) mean += x[r * C + c];
    mean /= rows;
    for (int64_t r = 0; r < rows; ++r) m2 += (x[r * C + c] - mean) * (x[r * C + c] - mean);
    const double variance = m2 / rows;  // ~1/3
    EXPECT_NEAR(bn->param("moving_mean")->value[c], mean, std::fabs(mean) * 1e-7) << c;
    EXPECT_NEAR(bn->param("moving_variance")->value[c], variance, variance * 1e-6) << c;
  }
}

}  // namespace
}  // namespace tinyforge::nn
