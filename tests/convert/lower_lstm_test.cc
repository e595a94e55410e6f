// LSTM lowering against what Google's converter wrote for a Keras LSTM:
// ../shared/models/trained_lstm.tflite is Keras' LSTM(20, return_sequences=True) + Flatten +
// Dense(10, softmax) on [28, 28] inputs (SOURCES.md). We rebuild that model in nn, load its
// weights out of Google's file (undoing the per-gate split and transposition by hand), lower it,
// and require the same ops, versions, options, absent inputs, state tensors and weight bytes,
// and bit-identical outputs in our runtime. A return_sequences=false LSTM must match predict.
#include <gtest/gtest.h>

#include <cstring>

#include "lower_test_util.h"
#include "support/test_support.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/recurrent.h"
#include "tinyforge/nn/layers/structural.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {
namespace {

namespace op = micro::op;

constexpr double kPredictTolerance = 5e-6;  // see lower_reference_models_test.cc

std::vector<float> floats(const GraphTensor& t) {
  std::vector<float> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), v.size() * 4);
  return v;
}

const GraphOp& find_op(const Graph& g, int32_t builtin) {
  for (const GraphOp& o : g.ops) {
    if (o.builtin == builtin) return o;
  }
  throw Error(std::string("no ") + micro::builtin_op_name(builtin) + " op");
}

// Keras' weights from Google's per-gate tensors: kernel[f][g*U + u] = W_g[u][f], etc.
std::shared_ptr<nn::Model> mnist_lstm_from(const Graph& google) {
  auto model = std::make_shared<nn::Sequential>(
      nn::Shape{28, 28}, std::vector<nn::LayerPtr>{nn::LSTM(20, {.return_sequences = true, .name = "lstm"}),
                                                   nn::Flatten("flatten"), nn::Dense(10, {.activation = "softmax"})});
  const GraphOp& lstm = find_op(google, op::kUnidirectionalSequenceLstm);
  const GraphOp& fc = find_op(google, op::kFullyConnected);
  const int64_t U = 20, F = 28;
  nn::Tensor kernel({F, 4 * U}), recurrent({U, 4 * U}), bias({4 * U});
  for (int64_t g = 0; g < 4; ++g) {
    const auto w = floats(google.tensors[static_cast<size_t>(lstm.inputs[static_cast<size_t>(1 + g)])]);
    const auto r = floats(google.tensors[static_cast<size_t>(lstm.inputs[static_cast<size_t>(5 + g)])]);
    const auto b = floats(google.tensors[static_cast<size_t>(lstm.inputs[static_cast<size_t>(12 + g)])]);
    for (int64_t u = 0; u < U; ++u) {
      for (int64_t f = 0; f < F; ++f) kernel[f * 4 * U + g * U + u] = w[static_cast<size_t>(u * F + f)];
      for (int64_t v = 0; v < U; ++v) recurrent[v * 4 * U + g * U + u] = r[static_cast<size_t>(u * U + v)];
      bias[g * U + u] = b[static_cast<size_t>(u)];
    }
  }
  const auto fw = floats(google.tensors[static_cast<size_t>(fc.inputs[1])]);  // [10, 560]
  const auto fb = floats(google.tensors[static_cast<size_t>(fc.inputs[2])]);
  nn::Tensor dense_kernel({560, 10}), dense_bias({10}, fb);
  for (int64_t o = 0; o < 10; ++o)
    for (int64_t k = 0; k < 560; ++k) dense_kernel[k * 10 + o] = fw[static_cast<size_t>(o * 560 + k)];
  model->set_weights({kernel, recurrent, bias, dense_kernel, dense_bias});
  return model;
}

class LowerLstm : public ::testing::Test {
 protected:
  void SetUp() override {
    google_bytes = test::read_file(test::shared_path("models/trained_lstm.tflite"));
    ASSERT_FALSE(google_bytes.empty());
    google = read_tflite(google_bytes);
    model = mnist_lstm_from(google);
    ours = lower_model(*model);
  }
  std::vector<uint8_t> google_bytes;
  Graph google, ours;
  std::shared_ptr<nn::Model> model;
};

TEST_F(LowerLstm, SameOpsVersionsAndOptionsAsGooglesConverter) {
  ASSERT_EQ(test_lower::op_names(ours), test_lower::op_names(google));
  for (size_t k = 0; k < ours.ops.size(); ++k) EXPECT_EQ(ours.ops[k].version, google.ops[k].version) << k;
  const GraphOp& a = find_op(ours, op::kUnidirectionalSequenceLstm);
  const GraphOp& b = find_op(google, op::kUnidirectionalSequenceLstm);
  EXPECT_EQ(a.options.activation, b.options.activation);
  EXPECT_EQ(a.options.cell_clip, b.options.cell_clip);
  EXPECT_EQ(a.options.proj_clip, b.options.proj_clip);
  EXPECT_EQ(a.options.time_major, b.options.time_major);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  for (size_t k = 0; k < a.inputs.size(); ++k) {
    ASSERT_EQ(a.inputs[k] < 0, b.inputs[k] < 0) << "input " << k << " present in one, absent in the other";
    if (a.inputs[k] < 0) continue;
    const GraphTensor& ta = ours.tensors[static_cast<size_t>(a.inputs[k])];
    const GraphTensor& tb = google.tensors[static_cast<size_t>(b.inputs[k])];
    EXPECT_EQ(ta.shape, tb.shape) << "input " << k;
    EXPECT_EQ(ta.is_variable, tb.is_variable) << "input " << k;
    EXPECT_EQ(ta.data, tb.data) << "input " << k << " (" << ta.name << ") bytes differ from Google's";
  }
  const GraphOp& fa = find_op(ours, op::kFullyConnected);
  const GraphOp& fb = find_op(google, op::kFullyConnected);
  EXPECT_EQ(fa.options.keep_num_dims, fb.options.keep_num_dims);
  EXPECT_EQ(ours.tensors[static_cast<size_t>(fa.inputs[1])].data,
            google.tensors[static_cast<size_t>(fb.inputs[1])].data);
  EXPECT_EQ(ours.tensors[static_cast<size_t>(ours.outputs[0])].shape, std::vector<int32_t>({1, 10}));
}

TEST_F(LowerLstm, RunsBitIdenticallyToGooglesFileAndMatchesPredict) {
  for (uint64_t seed : {1u, 2u}) {
    const auto inputs = test_lower::seeded_inputs(*model, seed);
    const auto mine = test_lower::run_micro(ours, inputs);
    const auto theirs = test_lower::run_micro(google, inputs);
    EXPECT_EQ(mine, theirs) << "seed " << seed;
    const auto want = test_lower::run_nn(*model, inputs);
    EXPECT_LE(test_lower::scaled_error(mine[0], want[0]), kPredictTolerance) << "seed " << seed;
  }
}

TEST(LowerLstmLastStep, ReturnSequencesFalseSlicesTheLastStep) {
  nn::set_random_seed(3);
  auto in = nn::Input({12, 6});
  auto h = nn::LSTM(8, {.name = "encoder"})(in);
  auto out = nn::Dense(3, {.activation = "tanh"})(h);
  nn::Model model({in}, {out});
  test_lower::randomize_weights(model, 4);
  const Graph g = lower_model(model);
  EXPECT_EQ(test_lower::op_names(g),
            std::vector<std::string>({"UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "FULLY_CONNECTED", "TANH"}));
  const GraphOp& slice = g.ops[1];
  EXPECT_EQ(slice.options.shrink_axis_mask, 2);
  for (uint64_t seed : {5u, 6u}) {
    const auto inputs = test_lower::seeded_inputs(model, seed);
    const auto mine = test_lower::run_micro(g, inputs);
    EXPECT_LE(test_lower::scaled_error(mine[0], test_lower::run_nn(model, inputs)[0]), kPredictTolerance);
  }
}

TEST(LowerLstmLastStep, RejectsWhatTheRuntimeCannotRun) {
  auto check = [](nn::LSTMOptions o, const std::string& needle) {
    auto in = nn::Input({4, 2});
    o.name = "rnn";
    nn::Model model({in}, {nn::LSTM(3, o)(in)});
    try {
      lower_model(model);
      ADD_FAILURE() << "expected an Error mentioning " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("LSTM 'rnn'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  check({.activation = "relu"}, "activation 'relu'");
  check({.recurrent_activation = "hard_sigmoid"}, "recurrent_activation");
  check({.go_backwards = true}, "go_backwards");
}

}  // namespace
}  // namespace tinyforge::convert
