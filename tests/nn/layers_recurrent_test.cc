// LSTM and GRU: hand-computed steps (values from the Keras equations evaluated separately in
// double precision), finite-difference gradients for the input and every weight, agreement
// of the reference and cpu backends, Keras' initial weights, and the error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <string>

#include "nn/layers/recurrent_util.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/recurrent.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/metrics.h"
#include "tinyforge/nn/model.h"
#include "tinyforge/nn/optimizers.h"
#include "tinyforge/nn/regularizers.h"

namespace tinyforge::nn {
namespace {

Tensor random_tensor(Shape shape, uint64_t seed, float scale = 1.0f) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  for (float& v : t.values()) v = rng.uniform(-scale, scale);
  return t;
}

void set_param(Layer& layer, const std::string& name, const Tensor& value) {
  Param* p = layer.param(name);
  ASSERT_NE(p, nullptr) << name;
  ASSERT_EQ(p->value.shape(), value.shape()) << name;
  p->value = value;
}

Tensor forward(Layer& layer, const Tensor& x, LayerCall& call, bool training) {
  call.training = training;
  call.inputs = {&x};
  return layer.forward(call);
}

// Restores the process-wide backend when a test switches it.
class BackendGuard {
 public:
  BackendGuard() : name_(backend().name()) {}
  ~BackendGuard() { set_backend(name_); }

 private:
  std::string name_;
};

// --- hand-computed steps (units = 1, features = 1, x = [0.5, -1.0]) ---

TEST(LstmTest, HandComputedSteps) {
  LayerRef lstm = LSTM(1, {.return_sequences = true});
  Rng rng(1);
  lstm->build({{2, 1}}, rng);
  set_param(*lstm.ptr(), "kernel", Tensor({1, 4}, {0.1f, 0.2f, 0.3f, 0.4f}));
  set_param(*lstm.ptr(), "recurrent_kernel", Tensor({1, 4}, {0.5f, 0.6f, 0.7f, 0.8f}));
  set_param(*lstm.ptr(), "bias", Tensor({4}, {0.01f, 1.0f, -0.02f, 0.03f}));
  Tensor x({1, 2, 1}, {0.5f, -1.0f});
  LayerCall call;
  Tensor y = forward(*lstm.ptr(), x, call, false);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 1}));
  // Step 0 by hand: c = sigmoid(0.06) * tanh(0.13), h = sigmoid(0.23) * tanh(c).
  const double c0 = 1 / (1 + std::exp(-0.06)) * std::tanh(0.13);
  EXPECT_NEAR(y[0], 1 / (1 + std::exp(-0.23)) * std::tanh(c0), 1e-6);
  EXPECT_NEAR(y[0], 0.037043951, 1e-6);
  EXPECT_NEAR(y[1], -0.037966268, 1e-6);  // step 1 uses h_0 through the recurrent kernel
}

TEST(GruTest, HandComputedStepsResetAfter) {
  LayerRef gru = GRU(1, {.return_sequences = true});
  Rng rng(1);
  gru->build({{2, 1}}, rng);
  set_param(*gru.ptr(), "kernel", Tensor({1, 3}, {0.1f, 0.2f, 0.3f}));
  set_param(*gru.ptr(), "recurrent_kernel", Tensor({1, 3}, {0.4f, 0.5f, 0.6f}));
  set_param(*gru.ptr(), "bias", Tensor({2, 3}, {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f}));
  Tensor x({1, 2, 1}, {0.5f, -1.0f});
  LayerCall call;
  Tensor y = forward(*gru.ptr(), x, call, false);
  // Step 0 by hand: z = sigmoid(0.10), r = sigmoid(0.17), hh = tanh(0.18 + 0.06 r), h = (1 - z) hh.
  const double z = 1 / (1 + std::exp(-0.10)), r = 1 / (1 + std::exp(-0.17));
  EXPECT_NEAR(y[0], (1 - z) * std::tanh(0.18 + 0.06 * r), 1e-6);
  EXPECT_NEAR(y[0], 0.099469416, 1e-6);
  EXPECT_NEAR(y[1], -0.055761395, 1e-6);
}

TEST(GruTest, HandComputedStepsResetBefore) {
  LayerRef gru = GRU(1, {.return_sequences = true, .reset_after = false});
  Rng rng(1);
  gru->build({{2, 1}}, rng);
  ASSERT_EQ(gru->param("bias")->value.shape(), (Shape{3}));
  set_param(*gru.ptr(), "kernel", Tensor({1, 3}, {0.1f, 0.2f, 0.3f}));
  set_param(*gru.ptr(), "recurrent_kernel", Tensor({1, 3}, {0.4f, 0.5f, 0.6f}));
  set_param(*gru.ptr(), "bias", Tensor({3}, {0.01f, 0.02f, 0.03f}));
  Tensor x({1, 2, 1}, {0.5f, -1.0f});
  LayerCall call;
  Tensor y = forward(*gru.ptr(), x, call, false);
  const double z = 1 / (1 + std::exp(-0.06));
  EXPECT_NEAR(y[0], (1 - z) * std::tanh(0.18), 1e-6);
  EXPECT_NEAR(y[0], 0.086370022, 1e-6);
  EXPECT_NEAR(y[1], -0.081863403, 1e-6);
}

TEST(RecurrentTest, ReturnsLastStepAndGoesBackwards) {
  // The last output of return_sequences=false equals the last row of the full sequence, and
  // go_backwards on x equals a forward pass over x reversed in time.
  Tensor x = random_tensor({2, 4, 3}, 7);
  LayerRef seq = GRU(5, {.return_sequences = true});
  LayerRef last = GRU(5);
  LayerRef back = GRU(5, {.return_sequences = true, .go_backwards = true});
  for (LayerRef* l : {&seq, &last, &back}) {
    Rng rng(3);
    (*l)->build({{4, 3}}, rng);
  }
  LayerCall c1, c2, c3, c4;
  Tensor ys = forward(*seq.ptr(), x, c1, false);
  Tensor yl = forward(*last.ptr(), x, c2, false);
  ASSERT_EQ(yl.shape(), (Shape{2, 5}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t j = 0; j < 5; ++j) EXPECT_FLOAT_EQ(yl[b * 5 + j], ys[(b * 4 + 3) * 5 + j]);
  Tensor xr = recurrent::reverse_time(x);
  Tensor yb = forward(*back.ptr(), x, c3, false);
  Tensor yf = forward(*seq.ptr(), xr, c4, false);
  for (int64_t i = 0; i < yb.size(); ++i) EXPECT_FLOAT_EQ(yb[i], yf[i]);
}

// --- finite-difference gradient checks ---

// Loss L = sum(y * r) for a fixed random r; compares backward() with central differences for
// every input element and every weight.
void check_gradients(Layer& layer, const Tensor& x0, uint64_t seed) {
  Tensor x = x0;
  LayerCall call;
  Tensor y = forward(layer, x, call, true);
  const Tensor r = random_tensor(y.shape(), seed);
  for (Param& p : layer.params()) p.grad = Tensor(p.value.shape(), 0.0f);
  std::vector<Tensor> dx = layer.backward(call, r);
  ASSERT_EQ(dx.size(), 1u);
  ASSERT_EQ(dx[0].shape(), x.shape());

  auto loss = [&]() {
    LayerCall c;
    Tensor out = forward(layer, x, c, false);
    double s = 0;
    for (int64_t i = 0; i < out.size(); ++i) s += static_cast<double>(out[i]) * r[i];
    return s;
  };
  const float eps = 5e-3f;
  auto check = [&](float& v, float analytic, const std::string& what) {
    const float saved = v;
    v = saved + eps;
    const double plus = loss();
    v = saved - eps;
    const double minus = loss();
    v = saved;
    const double numeric = (plus - minus) / (2.0 * eps);
    EXPECT_NEAR(analytic, numeric, 2e-3 + 1e-2 * std::fabs(numeric)) << what;
  };
  for (int64_t i = 0; i < x.size(); ++i) check(x[i], dx[0][i], "input[" + std::to_string(i) + "]");
  for (Param& p : layer.params())
    for (int64_t i = 0; i < p.value.size(); ++i) check(p.value[i], p.grad[i], p.name + "[" + std::to_string(i) + "]");
}

// Non-zero biases so their gradients and the paths through them are exercised.
void randomize_bias(Layer& layer, uint64_t seed) {
  Param* b = layer.param("bias");
  ASSERT_NE(b, nullptr);
  b->value = random_tensor(b->value.shape(), seed, 0.5f);
}

struct GradCase {
  std::string layer;
  bool return_sequences;
  bool go_backwards;
  bool reset_after;
};
void PrintTo(const GradCase& c, std::ostream* os) {
  *os << c.layer << " return_sequences=" << c.return_sequences << " go_backwards=" << c.go_backwards
      << " reset_after=" << c.reset_after;
}

class RecurrentGradientTest : public ::testing::TestWithParam<GradCase> {};

TEST_P(RecurrentGradientTest, MatchesFiniteDifferences) {
  const GradCase c = GetParam();
  BackendGuard guard;
  set_backend("reference");
  LayerPtr layer;
  if (c.layer == "LSTM")
    layer = LSTM(3, {.return_sequences = c.return_sequences, .go_backwards = c.go_backwards});
  else
    layer =
        GRU(3, {.return_sequences = c.return_sequences, .go_backwards = c.go_backwards, .reset_after = c.reset_after});
  Rng rng(11);
  layer->build({{4, 2}}, rng);
  randomize_bias(*layer, 12);
  check_gradients(*layer, random_tensor({2, 4, 2}, 13), 14);
}

INSTANTIATE_TEST_SUITE_P(Recurrent, RecurrentGradientTest,
                         ::testing::Values(GradCase{"LSTM", false, false, true}, GradCase{"LSTM", true, false, true},
                                           GradCase{"LSTM", true, true, true}, GradCase{"GRU", false, false, true},
                                           GradCase{"GRU", true, false, true}, GradCase{"GRU", true, true, true},
                                           GradCase{"GRU", false, false, false}, GradCase{"GRU", true, false, false},
                                           GradCase{"GRU", true, true, false}),
                         [](const auto& info) {
                           const GradCase& c = info.param;
                           return c.layer + (c.return_sequences ? "_seq" : "_last") +
                                  (c.go_backwards ? "_backwards" : "") +
                                  (c.layer == "GRU" ? (c.reset_after ? "_reset_after" : "_reset_before") : "");
                         });

TEST(RecurrentTest, OtherActivationsMatchFiniteDifferences) {
  BackendGuard guard;
  set_backend("reference");
  LayerPtr lstm = LSTM(2, {.activation = "relu", .recurrent_activation = "hard_sigmoid", .return_sequences = true});
  Rng rng(5);
  lstm->build({{3, 2}}, rng);
  randomize_bias(*lstm, 6);
  check_gradients(*lstm, random_tensor({2, 3, 2}, 7), 8);
}

// --- backends ---

struct Result {
  Tensor y;
  std::vector<Tensor> grads;  // input gradient, then every param gradient
};

Result run_on(const std::string& backend_name, LayerPtr layer, const Tensor& x) {
  set_backend(backend_name);
  LayerCall call;
  Result res;
  res.y = forward(*layer, x, call, true);
  for (Param& p : layer->params()) p.grad = Tensor(p.value.shape(), 0.0f);
  res.grads = layer->backward(call, random_tensor(res.y.shape(), 99));
  for (Param& p : layer->params()) res.grads.push_back(p.grad);
  return res;
}

void expect_backends_agree(LayerPtr layer, const Tensor& x) {
  BackendGuard guard;
  const Result ref = run_on("reference", layer, x);
  const Result cpu = run_on("cpu", layer, x);
  ASSERT_EQ(ref.y.shape(), cpu.y.shape());
  for (int64_t i = 0; i < ref.y.size(); ++i) ASSERT_NEAR(ref.y[i], cpu.y[i], 1e-5) << layer->type() << " y " << i;
  ASSERT_EQ(ref.grads.size(), cpu.grads.size());
  for (size_t k = 0; k < ref.grads.size(); ++k)
    for (int64_t i = 0; i < ref.grads[k].size(); ++i)
      ASSERT_NEAR(ref.grads[k][i], cpu.grads[k][i], 1e-4 + 1e-4 * std::fabs(ref.grads[k][i]))
          << layer->type() << " gradient " << k << " element " << i;
}

TEST(RecurrentTest, BackendsAgree) {
  const Tensor x = random_tensor({5, 7, 6}, 21);
  std::vector<LayerPtr> layers = {LSTM(8, {.return_sequences = true}), LSTM(8, {.go_backwards = true}),
                                  GRU(8, {.return_sequences = true}), GRU(8, {.reset_after = false}),
                                  GRU(8, {.return_sequences = true, .go_backwards = true, .reset_after = false})};
  for (LayerPtr& l : layers) {
    Rng rng(22);
    l->build({{7, 6}}, rng);
    randomize_bias(*l, 23);
    expect_backends_agree(l, x);
  }
}

// --- initial weights, freezing, errors ---

TEST(RecurrentTest, KerasInitialWeights) {
  const int64_t u = 6, f = 5;
  LayerPtr lstm = LSTM(u);
  Rng rng(31);
  lstm->build({{10, f}}, rng);
  ASSERT_EQ(lstm->params().size(), 3u);
  EXPECT_EQ(lstm->param("kernel")->value.shape(), (Shape{f, 4 * u}));
  const Tensor& rec = lstm->param("recurrent_kernel")->value;
  ASSERT_EQ(rec.shape(), (Shape{u, 4 * u}));
  const Tensor& bias = lstm->param("bias")->value;
  for (int64_t j = 0; j < 4 * u; ++j) EXPECT_EQ(bias[j], (j >= u && j < 2 * u) ? 1.0f : 0.0f) << j;  // unit_forget_bias
  // Orthogonal [u, 4u]: the rows are orthonormal.
  for (int64_t a = 0; a < u; ++a)
    for (int64_t b = 0; b < u; ++b) {
      double dot = 0;
      for (int64_t k = 0; k < 4 * u; ++k) dot += rec[a * 4 * u + k] * rec[b * 4 * u + k];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-5);
    }
  // Glorot uniform bound sqrt(6 / (fan_in + fan_out)).
  const float limit = std::sqrt(6.0f / static_cast<float>(f + 4 * u));
  for (float v : lstm->param("kernel")->value.values()) EXPECT_LE(std::fabs(v), limit);

  LayerPtr gru = GRU(u);
  gru->build({{10, f}}, rng);
  EXPECT_EQ(gru->param("bias")->value.shape(), (Shape{2, 3 * u}));
  EXPECT_EQ(gru->param("recurrent_kernel")->value.shape(), (Shape{u, 3 * u}));
  EXPECT_EQ(gru->output_shape({{10, f}}), (Shape{u}));
  EXPECT_EQ(GRU(u, {.return_sequences = true})->output_shape({{10, f}}), (Shape{10, u}));
}

TEST(RecurrentTest, OrthogonalTallMatrixHasOrthonormalColumns) {
  Tensor t({7, 3});
  Rng rng(41);
  recurrent::orthogonal(t, rng);
  for (int64_t a = 0; a < 3; ++a)
    for (int64_t b = 0; b < 3; ++b) {
      double dot = 0;
      for (int64_t k = 0; k < 7; ++k) dot += t[k * 3 + a] * t[k * 3 + b];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-5);
    }
}

TEST(RecurrentTest, FrozenLayerLeavesGradientsAlone) {
  LayerPtr gru = GRU(3);
  Rng rng(51);
  gru->build({{4, 2}}, rng);
  gru->set_trainable(false);
  for (Param& p : gru->params()) p.grad = Tensor(p.value.shape(), 0.0f);
  Tensor x = random_tensor({2, 4, 2}, 52);
  LayerCall call;
  Tensor y = forward(*gru, x, call, true);
  std::vector<Tensor> dx = gru->backward(call, Tensor(y.shape(), 1.0f));
  EXPECT_EQ(dx[0].shape(), x.shape());
  for (const Param& p : gru->params())
    for (float g : p.grad.values()) EXPECT_EQ(g, 0.0f) << p.name;
}

TEST(RecurrentTest, ConfigRoundTripsThroughMakeLayer) {
  auto reg = std::make_shared<L2>(0.02);
  LayerPtr lstm =
      LSTM(4, {.return_sequences = true, .unit_forget_bias = false, .recurrent_regularizer = reg, .name = "enc"});
  const nlohmann::json c = lstm->config();
  EXPECT_EQ(c.at("units"), 4);
  EXPECT_EQ(c.at("return_sequences"), true);
  EXPECT_EQ(c.at("unit_forget_bias"), false);
  EXPECT_EQ(c.at("recurrent_initializer"), "orthogonal");
  EXPECT_EQ(c.at("name"), "enc");
  LayerPtr copy = make_layer("LSTM", c);
  EXPECT_EQ(copy->type(), "LSTM");
  EXPECT_EQ(copy->config(), c);

  LayerPtr gru = GRU(2, {.reset_after = false, .kernel_initializer = "he_normal"});
  EXPECT_EQ(gru->config().at("reset_after"), false);
  EXPECT_EQ(make_layer("GRU", gru->config())->config(), gru->config());

  // Regularizers go onto the matching weights.
  Rng rng(61);
  lstm->build({{3, 2}}, rng);
  EXPECT_EQ(lstm->param("recurrent_kernel")->regularizer, reg);
  EXPECT_EQ(lstm->param("kernel")->regularizer, nullptr);
}

TEST(RecurrentTest, AutomaticNames) {
  const std::string a = LSTM(2)->name(), b = LSTM(2)->name();
  EXPECT_EQ(a.rfind("lstm", 0), 0u) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(GRU(2)->name().rfind("gru", 0), 0u);
}

TEST(RecurrentTest, BadInputsNameTheLayer) {
  LayerPtr lstm = LSTM(4, {.name = "enc"});
  try {
    lstm->output_shape({{28, 28, 1}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("enc"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(28, 28, 1)"), std::string::npos) << e.what();
  }
  Rng rng(1);
  lstm->build({{5, 3}}, rng);
  LayerCall call;
  Tensor wrong({2, 5, 4});
  EXPECT_THROW(forward(*lstm, wrong, call, false), Error);
  EXPECT_THROW(GRU(0), Error);
  EXPECT_THROW(GRU(3, {.activation = "softmax"}), Error);
  LayerPtr bad_init = GRU(3, {.kernel_initializer = "no_such_init", .name = "g"});
  try {
    bad_init->build({{5, 3}}, rng);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'g'"), std::string::npos) << e.what();
  }
}

// --- in a model ---

// Sequences of +-1 steps; the label says whether their sum is positive. A recurrent layer has
// to count across time to solve it, so a high accuracy shows that BPTT trains end to end.
void sign_of_sum_data(int64_t n, int64_t steps, uint64_t seed, Tensor& x, Tensor& y) {
  Rng rng(seed);
  x = Tensor({n, steps, 1});
  y = Tensor({n, 1});
  for (int64_t i = 0; i < n; ++i) {
    float sum = 0;
    for (int64_t t = 0; t < steps; ++t) sum += x[i * steps + t] = rng.uniform() < 0.5f ? -1.0f : 1.0f;
    y[i] = sum > 0 ? 1.0f : 0.0f;
  }
}

TEST(RecurrentModelTest, LearnsAndSurvivesSaveLoad) {
  Tensor x, y, x_test, y_test;
  sign_of_sum_data(512, 7, 71, x, y);  // odd length: the sum is never 0
  sign_of_sum_data(256, 7, 72, x_test, y_test);
  for (const std::string kind : {"LSTM", "GRU"}) {
    auto in = Input({7, 1});
    LayerRef rnn = kind == "LSTM" ? LSTM(8, {.return_sequences = true}) : GRU(8, {.return_sequences = true});
    auto h = GRU(8, {.go_backwards = true})(rnn(in));
    auto out = Dense(1, {.activation = "sigmoid"})(h);
    Model model({in}, {out});
    model.compile(make_optimizer("adam", 0.02), make_loss("binary_crossentropy"), {make_metric("accuracy")});
    model.fit(x, y, {.epochs = 25, .batch_size = 32, .verbose = 0, .seed = 73});
    const Logs logs = model.evaluate(x_test, y_test);
    EXPECT_GT(logs.at("accuracy"), 0.9) << kind;

    const std::string path = ::testing::TempDir() + "/recurrent_" + kind + ".tfm";
    model.save(path);
    auto loaded = Model::load(path);
    const Tensor a = model.predict(x_test), b = loaded->predict(x_test);
    ASSERT_EQ(a.shape(), b.shape());
    for (int64_t i = 0; i < a.size(); ++i) ASSERT_FLOAT_EQ(a[i], b[i]) << kind;
  }
}

}  // namespace
}  // namespace tinyforge::nn
