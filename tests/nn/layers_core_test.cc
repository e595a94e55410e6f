// Dense, Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Activation: hand-computed outputs
// and shapes, finite-difference gradients on both backends, backend agreement, config round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "nn/layer_training_pass.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

// Builds a layer for per-sample input `in` with a fixed seed.
LayerPtr built(LayerPtr layer, const Shape& in, uint64_t seed = 1) {
  Rng rng(seed);
  layer->build({in}, rng);
  return layer;
}

Tensor run(Layer& layer, const Tensor& x) {
  LayerCall call;
  call.inputs = {&x};
  return layer.forward(call);
}

Tensor random_tensor(Shape s, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Rng rng(seed);
  Tensor t(std::move(s));
  for (auto& v : t.values()) v = rng.uniform(lo, hi);
  return t;
}

void set_param(Layer& layer, const std::string& name, std::vector<float> values) {
  Param* p = layer.param(name);
  ASSERT_NE(p, nullptr) << name;
  p->value = Tensor(p->value.shape(), std::move(values));
}

void expect_values(const Tensor& t, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(t.size(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t[static_cast<int64_t>(i)], want[i], tol) << "index " << i;
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases.

TEST(CoreLayers, DenseKnownValues) {
  auto d = built(Dense(2), {3});
  set_param(*d, "kernel", {1, 2, 3, 4, 5, 6});  // [in=3, units=2]
  set_param(*d, "bias", {0.5f, -1.0f});
  // x = [1, 0, -1]: [1*1 + 0*3 - 1*5 + 0.5, 1*2 + 0*4 - 1*6 - 1] = [-3.5, -5].
  Tensor y = run(*d, Tensor({1, 3}, {1, 0, -1}));
  EXPECT_EQ(y.shape(), (Shape{1, 2}));
  expect_values(y, {-3.5f, -5.0f});
  auto r = built(Dense(2, {.activation = "relu", .use_bias = false}), {3});
  set_param(*r, "kernel", {1, 2, 3, 4, 5, 6});
  expect_values(run(*r, Tensor({1, 3}, {0, 1, 0})), {3, 4});
  expect_values(run(*r, Tensor({1, 3}, {0, -1, 0})), {0, 0});
}

TEST(CoreLayers, DenseAppliesToTheLastAxis) {
  auto d = built(Dense(2, {.use_bias = false}), {2, 3});
  EXPECT_EQ(d->output_shape({{2, 3}}), (Shape{2, 2}));
  set_param(*d, "kernel", {1, 0, 0, 1, 1, 1});  // y = [x0 + x2, x1 + x2]
  Tensor y = run(*d, Tensor({1, 2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2}));
  expect_values(y, {4, 5, 10, 11});
  EXPECT_EQ(d->macs({{2, 3}}), 2 * 3 * 2);
}

TEST(CoreLayers, Conv2DKnownValues) {
  // 3x3 input 1..9, one channel, 2x2 kernel of ones, bias 1.
  Tensor x({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto valid = built(Conv2D(1, 2, {.bias_initializer = Constant(1.0)}), {3, 3, 1});
  set_param(*valid, "kernel", {1, 1, 1, 1});
  expect_values(run(*valid, x), {13, 17, 25, 29});
  // 'same' with an even kernel pads only bottom/right (TensorFlow): windows start at each pixel.
  auto same = built(Conv2D(1, 2, {.padding = "same", .use_bias = false}), {3, 3, 1});
  set_param(*same, "kernel", {1, 1, 1, 1});
  expect_values(run(*same, x), {12, 16, 9, 24, 28, 15, 15, 17, 9});
  // Two output channels: kernel [1, 1, 1, 2] = [2, -1].
  auto two = built(Conv2D(2, 1, {.use_bias = false}), {3, 3, 1});
  set_param(*two, "kernel", {2, -1});
  Tensor y = run(*two, Tensor({1, 1, 1, 1}, {3}).reshaped({1, 1, 1, 1}));
  expect_values(y, {6, -3});
}

TEST(CoreLayers, Conv1DCausalKnownValues) {
  // kernel [K=2, 1, 1] = [1, 10]: tap 0 sees x[t-1], tap 1 sees x[t]; x[-1] = 0.
  auto c = built(Conv1D(1, 2, {.padding = "causal", .use_bias = false}), {4, 1});
  set_param(*c, "kernel", {1, 10});
  expect_values(run(*c, Tensor({1, 4, 1}, {1, 2, 3, 4})), {10, 21, 32, 43});
  // Dilation 2: y[t] = x[t-2] + 10 x[t].
  auto d = built(Conv1D(1, 2, {.padding = "causal", .dilation_rate = 2, .use_bias = false}), {4, 1});
  set_param(*d, "kernel", {1, 10});
  expect_values(run(*d, Tensor({1, 4, 1}, {1, 2, 3, 4})), {10, 20, 31, 42});
  // 'valid': y[t] = x[t] + 10 x[t+1].
  auto v = built(Conv1D(1, 2, {.use_bias = false}), {4, 1});
  set_param(*v, "kernel", {1, 10});
  expect_values(run(*v, Tensor({1, 4, 1}, {1, 2, 3, 4})), {21, 32, 43});
}

TEST(CoreLayers, DepthwiseChannelOrderIsCTimesMPlusM) {
  // Two channels, depth multiplier 2, 1x1 kernel [1, 1, C=2, M=2] = [[a, b], [c, d]] = [[1, 2], [3, 4]].
  auto d = built(DepthwiseConv2D(1, {.depth_multiplier = 2, .bias_initializer = Constant(0.5)}), {1, 1, 2});
  EXPECT_EQ(d->param("kernel")->value.shape(), (Shape{1, 1, 2, 2}));
  set_param(*d, "kernel", {1, 2, 3, 4});
  // x = [10, 100] -> [10*1, 10*2, 100*3, 100*4] + 0.5.
  expect_values(run(*d, Tensor({1, 1, 1, 2}, {10, 100})), {10.5f, 20.5f, 300.5f, 400.5f});
  // 3x3 kernel of ones on a 3x3 channel with 'valid': the sum.
  auto s = built(DepthwiseConv2D(3, {.use_bias = false}), {3, 3, 1});
  s->param("kernel")->value.fill(1.0f);
  expect_values(run(*s, Tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9})), {45});
}

TEST(CoreLayers, SeparableKnownValues) {
  // 1x1 depthwise [C=2, M=1] = [2, 3], pointwise [2 -> 1] = [1, -1], bias 0.25.
  auto s = built(SeparableConv2D(1, 1, {.bias_initializer = Constant(0.25)}), {1, 1, 2});
  EXPECT_EQ(s->param("depthwise_kernel")->value.shape(), (Shape{1, 1, 2, 1}));
  EXPECT_EQ(s->param("pointwise_kernel")->value.shape(), (Shape{1, 1, 2, 1}));
  set_param(*s, "depthwise_kernel", {2, 3});
  set_param(*s, "pointwise_kernel", {1, -1});
  // x = [5, 1]: 2*5*1 + 3*1*(-1) + 0.25 = 7.25.
  expect_values(run(*s, Tensor({1, 1, 1, 2}, {5, 1})), {7.25f});
}

TEST(CoreLayers, ActivationLayerKnownValues) {
  auto a = built(Activation("relu"), {3});
  expect_values(run(*a, Tensor({1, 3}, {-1, 0.5f, 2})), {0, 0.5f, 2});
  auto l = built(Activation("leaky_relu", {.alpha = 0.5f}), {2});
  expect_values(run(*l, Tensor({1, 2}, {-4, 4})), {-2, 4});
  EXPECT_TRUE(a->params().empty());
}

// ---------------------------------------------------------------------------------------------
// Output shapes against hand-computed sizes (TensorFlow's rules: valid = ceil((n - span + 1) / s),
// same = ceil(n / s), span = (k - 1) * d + 1).

TEST(CoreLayers, Conv2DOutputShapes) {
  const Shape in = {7, 7, 3};
  EXPECT_EQ(Conv2D(4, 3)->output_shape({in}), (Shape{5, 5, 4}));
  EXPECT_EQ(Conv2D(4, 3, {.strides = 2})->output_shape({in}), (Shape{3, 3, 4}));
  EXPECT_EQ(Conv2D(4, 3, {.strides = 2, .padding = "same"})->output_shape({in}), (Shape{4, 4, 4}));
  EXPECT_EQ(Conv2D(4, 3, {.dilation_rate = 2})->output_shape({in}), (Shape{3, 3, 4}));
  EXPECT_EQ(Conv2D(4, 3, {.padding = "same", .dilation_rate = 2})->output_shape({in}), (Shape{7, 7, 4}));
  EXPECT_EQ(Conv2D(4, {3, 1}, {.strides = {1, 2}})->output_shape({in}), (Shape{5, 4, 4}));
  EXPECT_EQ(Conv2D(4, {2, 4}, {.strides = {3, 2}, .padding = "same"})->output_shape({in}), (Shape{3, 4, 4}));
  EXPECT_EQ(Conv2D(8, 3)->macs({in}), 5 * 5 * 8 * 3 * 3 * 3);
}

TEST(CoreLayers, Conv1DOutputShapes) {
  const Shape in = {10, 2};
  EXPECT_EQ(Conv1D(3, 3)->output_shape({in}), (Shape{8, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.padding = "same"})->output_shape({in}), (Shape{10, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.padding = "causal"})->output_shape({in}), (Shape{10, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.strides = 2})->output_shape({in}), (Shape{4, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.strides = 2, .padding = "same"})->output_shape({in}), (Shape{5, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.strides = 3, .padding = "causal"})->output_shape({in}), (Shape{4, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.dilation_rate = 2})->output_shape({in}), (Shape{6, 3}));
  EXPECT_EQ(Conv1D(3, 3, {.padding = "causal", .dilation_rate = 4})->output_shape({in}), (Shape{10, 3}));
}

TEST(CoreLayers, DepthwiseAndSeparableOutputShapes) {
  const Shape in = {6, 6, 3};
  EXPECT_EQ(DepthwiseConv2D(3, {.depth_multiplier = 2})->output_shape({in}), (Shape{4, 4, 6}));
  EXPECT_EQ(DepthwiseConv2D(3, {.strides = 2, .padding = "same"})->output_shape({in}), (Shape{3, 3, 3}));
  EXPECT_EQ(DepthwiseConv2D(3, {.padding = "valid", .dilation_rate = 2})->output_shape({in}), (Shape{2, 2, 3}));
  EXPECT_EQ(SeparableConv2D(5, 3)->output_shape({in}), (Shape{4, 4, 5}));
  EXPECT_EQ(SeparableConv2D(5, 3, {.strides = 2, .padding = "same", .depth_multiplier = 2})->output_shape({in}),
            (Shape{3, 3, 5}));
  EXPECT_EQ(DepthwiseConv2D(3, {.depth_multiplier = 2})->macs({in}), 4 * 4 * 6 * 9);
  EXPECT_EQ(SeparableConv2D(5, 3)->macs({in}), 4 * 4 * 3 * 9 + 4 * 4 * 3 * 5);
}

TEST(CoreLayers, BadArgumentsAndInputsNameTheLayer) {
  EXPECT_THROW(Conv2D(4, 3, {.padding = "full"}), Error);
  EXPECT_THROW(Conv1D(4, 3, {.strides = 0, .padding = "causal"}), Error);
  EXPECT_THROW(Conv2D(4, 3, {.strides = 2, .dilation_rate = 2}), Error);
  EXPECT_THROW(Dense(0), Error);
  EXPECT_THROW(Dense(3, {.activation = "nope"}), Error);
  try {
    Conv2D(4, 5, {.name = "c1"})->output_shape({{3, 3, 1}});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(3, 3, 1)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Conv2D(4, 3)->output_shape({{8, 8}}), Error);
  auto d = built(Dense(2), {3});
  EXPECT_THROW(run(*d, Tensor({2, 4})), Error);
}

// ---------------------------------------------------------------------------------------------
// Gradients: L = sum(r * layer(x)) with fixed random r, accumulated in double; central
// differences with eps 1e-2 on float32 against backward(), for the input and every weight.

void check_tensor_grad(const std::string& what, Tensor& v, const Tensor& analytic,
                       const std::function<double()>& loss) {
  ASSERT_EQ(v.shape(), analytic.shape()) << what;
  const float eps = 1e-2f;
  // All elements for small tensors, an even spread for large ones.
  const int64_t step = std::max<int64_t>(1, v.size() / 150);
  for (int64_t i = 0; i < v.size(); i += step) {
    const float old = v[i];
    const float plus = old + eps, minus = old - eps;
    v[i] = plus;
    const double lp = loss();
    v[i] = minus;
    const double lm = loss();
    v[i] = old;
    const double num = (lp - lm) / (static_cast<double>(plus) - minus);
    EXPECT_NEAR(analytic[i], num, 2e-3 + 1e-2 * std::fabs(num)) << what << " element " << i;
  }
}

void check_layer_gradients(LayerPtr layer, Shape batch_in, uint64_t seed = 3) {
  Shape sample(batch_in.begin() + 1, batch_in.end());
  built(layer, sample, seed);
  Tensor x = random_tensor(batch_in, seed + 1);
  LayerCall call;
  call.training = true;
  call.inputs = {&x};
  Tensor y = layer->forward(call);
  call.output = &y;
  EXPECT_EQ(y.sample_shape(), layer->output_shape({sample}));
  Tensor r = random_tensor(y.shape(), seed + 2);
  std::vector<Tensor> dx = layer->backward(call, r);
  ASSERT_EQ(dx.size(), 1u);
  auto loss = [&] {
    Tensor out = run(*layer, x);
    double s = 0;
    for (int64_t i = 0; i < out.size(); ++i) s += static_cast<double>(r[i]) * out[i];
    return s;
  };
  check_tensor_grad("input", x, dx[0], loss);
  for (auto& p : layer->params()) check_tensor_grad(p.name, p.value, p.grad, loss);
}

class CoreLayerGradients : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { set_backend(GetParam()); }
  void TearDown() override { set_backend("cpu"); }
};

TEST_P(CoreLayerGradients, Dense) {
  check_layer_gradients(Dense(4), {3, 5});
  check_layer_gradients(Dense(3, {.activation = "tanh"}), {2, 3, 4});
  check_layer_gradients(Dense(4, {.activation = "softmax", .bias_initializer = "random_normal"}), {3, 5});
  check_layer_gradients(Dense(3, {.activation = "hard_swish", .use_bias = false}), {2, 6});
  check_layer_gradients(Dense(3, {.activation = "elu"}), {4, 2});
}

TEST_P(CoreLayerGradients, Conv2D) {
  check_layer_gradients(Conv2D(3, 3, {.activation = "tanh", .bias_initializer = "random_uniform"}), {2, 5, 5, 2});
  check_layer_gradients(Conv2D(2, 3, {.strides = 2, .padding = "same"}), {2, 6, 5, 3});
  check_layer_gradients(Conv2D(2, 3, {.padding = "same", .dilation_rate = 2, .activation = "sigmoid"}), {1, 6, 6, 2});
  check_layer_gradients(Conv2D(3, {2, 3}, {.strides = {1, 2}, .use_bias = false}), {2, 4, 7, 2});
  check_layer_gradients(Conv2D(2, 1, {.activation = "hard_swish"}), {2, 3, 3, 4});
}

TEST_P(CoreLayerGradients, Conv1D) {
  check_layer_gradients(Conv1D(3, 3), {2, 8, 2});
  check_layer_gradients(Conv1D(2, 3, {.strides = 2, .padding = "same", .activation = "tanh"}), {2, 9, 3});
  check_layer_gradients(Conv1D(2, 2, {.padding = "causal", .dilation_rate = 2, .activation = "elu"}), {2, 7, 2});
}

TEST_P(CoreLayerGradients, DepthwiseConv2D) {
  check_layer_gradients(DepthwiseConv2D(3, {.bias_initializer = "random_normal"}), {2, 5, 5, 3});
  check_layer_gradients(
      DepthwiseConv2D(3, {.depth_multiplier = 2, .strides = 2, .padding = "same", .activation = "sigmoid"}),
      {2, 6, 5, 2});
  check_layer_gradients(DepthwiseConv2D({2, 3}, {.padding = "same", .dilation_rate = 2, .use_bias = false}),
                        {1, 6, 6, 2});
}

TEST_P(CoreLayerGradients, SeparableConv2D) {
  check_layer_gradients(SeparableConv2D(3, 3, {.bias_initializer = "random_normal"}), {2, 5, 5, 2});
  check_layer_gradients(
      SeparableConv2D(2, 3, {.strides = 2, .padding = "same", .depth_multiplier = 2, .activation = "hard_swish"}),
      {2, 6, 5, 3});
  check_layer_gradients(SeparableConv2D(4, 2, {.dilation_rate = 2, .activation = "tanh", .use_bias = false}),
                        {1, 6, 6, 2});
}

TEST_P(CoreLayerGradients, Activation) {
  // Inputs in [-1, 1] scaled by 5 keep clear of the kinks often enough; use smooth or kink-free
  // draws: the activations test covers the piecewise ones away from their kinks.
  for (const char* a : {"linear", "sigmoid", "tanh", "softmax", "elu"}) {
    SCOPED_TRACE(a);
    check_layer_gradients(Activation(a), {3, 4});
  }
  check_layer_gradients(Activation("softmax"), {2, 3, 5});
}

INSTANTIATE_TEST_SUITE_P(Backends, CoreLayerGradients, ::testing::Values("reference", "cpu"));

// ---------------------------------------------------------------------------------------------
// The two backends agree on every layer's forward and backward.

void expect_close(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4 + 1e-4 * std::fabs(a[i])) << what << " " << i;
}

TEST(CoreLayers, BackendsAgree) {
  const std::vector<std::pair<std::function<LayerPtr()>, Shape>> cases = {
      {[] { return LayerPtr(Dense(7, {.activation = "relu"})); }, {5, 9}},
      {[] { return LayerPtr(Conv2D(6, 3, {.strides = 2, .padding = "same", .activation = "relu6"})); }, {3, 9, 8, 4}},
      {[] { return LayerPtr(Conv1D(4, 3, {.padding = "causal", .dilation_rate = 2})); }, {2, 11, 3}},
      {[] { return LayerPtr(DepthwiseConv2D(3, {.depth_multiplier = 2, .padding = "same"})); }, {2, 7, 7, 3}},
      {[] { return LayerPtr(SeparableConv2D(5, 3, {.strides = 2, .activation = "relu"})); }, {2, 9, 9, 3}},
      {[] { return LayerPtr(Activation("softmax")); }, {4, 6}},
  };
  for (const auto& [make, shape] : cases) {
    set_backend("reference");
    const auto ref = test_support::layer_training_pass(make, shape, 11, 1.0f);
    set_backend("cpu");
    const auto cpu = test_support::layer_training_pass(make, shape, 11, 1.0f);
    const std::string type = make()->type();
    expect_close(ref.y, cpu.y, type + " output");
    expect_close(ref.dx, cpu.dx, type + " d_input");
    ASSERT_EQ(ref.grads.size(), cpu.grads.size());
    for (size_t i = 0; i < ref.grads.size(); ++i) expect_close(ref.grads[i], cpu.grads[i], type + " grad");
  }
}

// ---------------------------------------------------------------------------------------------
// Training details: accumulation, frozen layers, regularizers attached to the weights.

TEST(CoreLayers, BackwardAccumulatesAndRespectsTrainable) {
  auto d = built(Dense(2), {3});
  Tensor x = random_tensor({4, 3}, 5);
  LayerCall call;
  call.training = true;
  call.inputs = {&x};
  Tensor y = d->forward(call);
  call.output = &y;
  Tensor g = random_tensor(y.shape(), 6);
  d->backward(call, g);
  const Tensor once = d->param("kernel")->grad;
  d->backward(call, g);
  for (int64_t i = 0; i < once.size(); ++i) EXPECT_NEAR(d->param("kernel")->grad[i], 2 * once[i], 1e-5);
  // Bias gradient = column sums of g.
  for (int64_t u = 0; u < 2; ++u) {
    double s = 0;
    for (int64_t r = 0; r < 4; ++r) s += g[r * 2 + u];
    EXPECT_NEAR(d->param("bias")->grad[u], 2 * s, 1e-5);
  }

  auto frozen = built(Conv2D(2, 3), {5, 5, 1});
  frozen->set_trainable(false);
  Tensor xc = random_tensor({1, 5, 5, 1}, 7);
  LayerCall c2;
  c2.training = true;
  c2.inputs = {&xc};
  Tensor yc = frozen->forward(c2);
  c2.output = &yc;
  auto dx = frozen->backward(c2, random_tensor(yc.shape(), 8));
  EXPECT_EQ(dx[0].shape(), xc.shape());
  for (auto& p : frozen->params()) {
    for (float v : p.grad.values()) EXPECT_EQ(v, 0.0f) << p.name;
  }
}

TEST(CoreLayers, RegularizersAreAttachedToTheirWeights) {
  auto l2 = std::make_shared<L2>(0.01);
  auto d = built(Dense(2, {.kernel_regularizer = l2}), {3});
  EXPECT_EQ(d->param("kernel")->regularizer, l2);
  EXPECT_EQ(d->param("bias")->regularizer, nullptr);
  auto s = built(SeparableConv2D(2, 3, {.pointwise_regularizer = l2}), {5, 5, 2});
  EXPECT_EQ(s->param("pointwise_kernel")->regularizer, l2);
  EXPECT_EQ(s->param("depthwise_kernel")->regularizer, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Names, config() -> make_layer round trip, the registry.

TEST(CoreLayers, AutomaticNamesFollowKeras) {
  const std::string a = Conv1D(1, 1)->name(), b = Conv1D(1, 1)->name();
  EXPECT_EQ(a.rfind("conv1d", 0), 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(Dense(1, {.name = "head"})->name(), "head");
}

void expect_round_trip(LayerPtr layer, const Shape& in) {
  SCOPED_TRACE(layer->type());
  layer->set_trainable(false);
  const nlohmann::json cfg = layer->config();
  LayerPtr copy = make_layer(layer->type(), cfg);
  EXPECT_EQ(copy->type(), layer->type());
  EXPECT_EQ(copy->name(), layer->name());
  EXPECT_FALSE(copy->trainable());
  EXPECT_EQ(copy->config(), cfg);
  EXPECT_EQ(copy->output_shape({in}), layer->output_shape({in}));
  // Same seed, same initializers -> same weights; then the same outputs.
  built(layer, in, 21);
  built(copy, in, 21);
  ASSERT_EQ(copy->params().size(), layer->params().size());
  for (size_t i = 0; i < layer->params().size(); ++i) {
    EXPECT_EQ(copy->params()[i].name, layer->params()[i].name);
    EXPECT_EQ(copy->params()[i].value.values(), layer->params()[i].value.values());
  }
  Shape batch = in;
  batch.insert(batch.begin(), 2);
  Tensor x = random_tensor(batch, 22);
  EXPECT_EQ(run(*copy, x).values(), run(*layer, x).values());
}

TEST(CoreLayers, ConfigRoundTrip) {
  expect_round_trip(Dense(3, {.activation = "leaky_relu",
                              .kernel_initializer = "he_normal",
                              .bias_initializer = Constant(0.1),
                              .kernel_regularizer = std::make_shared<L2>(0.02),
                              .name = "d0"}),
                    {4});
  expect_round_trip(Conv2D(4, {3, 2},
                           {.strides = {2, 1},
                            .padding = "same",
                            .activation = "relu6",
                            .use_bias = false,
                            .kernel_initializer = RandomNormal(0.0, 0.3)}),
                    {7, 6, 2});
  expect_round_trip(Conv1D(2, 3, {.padding = "causal", .dilation_rate = 2, .activation = "elu"}), {9, 3});
  expect_round_trip(DepthwiseConv2D(3, {.depth_multiplier = 2,
                                        .padding = "same",
                                        .dilation_rate = 2,
                                        .depthwise_initializer = "lecun_uniform",
                                        .bias_initializer = RandomUniform(-1, 1)}),
                    {6, 6, 2});
  expect_round_trip(
      SeparableConv2D(
          3, 3,
          {.strides = 2, .depth_multiplier = 2, .activation = "hard_swish", .pointwise_initializer = "glorot_normal"}),
      {7, 7, 2});
  expect_round_trip(Activation("leaky_relu", {.alpha = 0.1f}), {5});
  expect_round_trip(Activation("softmax"), {5});
}

TEST(CoreLayers, ConfigUsesKerasKeys) {
  const nlohmann::json c = Conv2D(8, 3, {.strides = 2, .padding = "same", .activation = "relu"})->config();
  EXPECT_EQ(c["filters"], 8);
  EXPECT_EQ(c["kernel_size"], nlohmann::json::array({3, 3}));
  EXPECT_EQ(c["strides"], nlohmann::json::array({2, 2}));
  EXPECT_EQ(c["padding"], "same");
  EXPECT_EQ(c["activation"], "relu");
  EXPECT_EQ(c["kernel_initializer"], "glorot_uniform");
  // Keras-style input also parses: scalar sizes and class-name initializers.
  LayerPtr l = make_layer("Conv2D", {{"filters", 2}, {"kernel_size", 3}, {"kernel_initializer", "HeUniform"}});
  EXPECT_EQ(l->config()["kernel_size"], nlohmann::json::array({3, 3}));
  EXPECT_EQ(l->config()["kernel_initializer"], "he_uniform");
}

TEST(LayerRegistry, KnowsTheCoreTypesAndRejectsUnknownOnes) {
  const auto types = registered_layer_types();
  for (const char* t : {"Dense", "Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Activation"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
  }
  try {
    make_layer("Dense3D", nlohmann::json::object());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Dense3D"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Conv2D"), std::string::npos);
  }
  EXPECT_THROW(make_layer("Dense", {{"name", "no_units"}}), Error);
  EXPECT_THROW(register_layer("Dense", [](const nlohmann::json&) -> LayerPtr { return nullptr; }), Error);
}

}  // namespace
}  // namespace tinyforge::nn
