// The five reference architectures (bench/reference_models) lowered with seeded non-trivial
// weights: the op list Google's converter writes for the same Keras model, outputs of our micro
// runtime equal to nn::Model::predict, and outputs of Arm NN (an independent TFLite
// implementation) equal to ours.
//
// Tolerances. Ours vs predict: both compute in float32 but sum in different orders (Eigen GEMM
// blocking vs the kernels' loops), and folded BatchNormalization rounds W*s once instead of
// rounding W x + b and then scaling. Rounding errors scale with the magnitude of the terms, not
// with each output (an output near zero is a difference of large terms), so the error is
// measured as max|ours - predict| / max|predict|: measured 1.5e-7 .. 5e-7 (1 to 4 float32 ulps of
// the output scale) over these models and seeds; we allow 5e-6 (~40 ulps). Ours vs Arm NN: the
// same graph and weights run by another implementation: 1e-5 relative per value, where values
// within a thousandth of the output's largest magnitude are measured against that thousandth
// (test_lower::armnn_error).
#include <gtest/gtest.h>

#include <ostream>

#include "lower_test_util.h"
#include "reference_models.h"
#include "tinyforge/convert/lower.h"

namespace tinyforge::convert {
namespace {

// See the file comment.
constexpr double kPredictTolerance = 5e-6;

std::vector<std::string> op_summary(const Graph& g) {
  std::vector<std::string> out;
  for (const GraphOp& op : g.ops) {
    std::string s = micro::builtin_op_name(op.builtin);
    if (op.options.activation == micro::Activation::kRelu) s += "+RELU";
    if (op.options.activation == micro::Activation::kRelu6) s += "+RELU6";
    out.push_back(s);
  }
  return out;
}

struct Case {
  std::string name;
  std::vector<std::string> ops;  // as Google's converter writes the Keras model (see each comment)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      // Conv2D(relu) fuses its activation; Flatten is a RESHAPE; the logits have no activation.
      {"fmnist_cnn",
       {"CONV_2D+RELU", "MAX_POOL_2D", "CONV_2D+RELU", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED+RELU",
        "FULLY_CONNECTED"}},
      // Dropout disappears at inference.
      {"fmnist_mlp", {"RESHAPE", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED"}},
      // Every BatchNormalization folds into the conv before it and every ReLU fuses; the global
      // average pool is MEAN over H and W.
      {"kws_dscnn",
       {"CONV_2D+RELU", "DEPTHWISE_CONV_2D+RELU", "CONV_2D+RELU", "DEPTHWISE_CONV_2D+RELU", "CONV_2D+RELU",
        "DEPTHWISE_CONV_2D+RELU", "CONV_2D+RELU", "DEPTHWISE_CONV_2D+RELU", "CONV_2D+RELU", "MEAN", "FULLY_CONNECTED"}},
      // Dense + BN + ReLU nine times: one FULLY_CONNECTED each.
      {"ad_autoencoder",
       {"FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU",
        "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU",
        "FULLY_CONNECTED+RELU", "FULLY_CONNECTED"}},
      // Conv1D is a height-1 CONV_2D between reshapes; MaxPooling1D pools [1, T, 1, C]; adjacent
      // reshapes merge into one.
      {"gesture_conv1d",
       {"RESHAPE", "CONV_2D+RELU", "RESHAPE", "MAX_POOL_2D", "RESHAPE", "CONV_2D+RELU", "RESHAPE", "MEAN",
        "FULLY_CONNECTED+RELU", "FULLY_CONNECTED"}},
  };
  return kCases;
}

class LowerReferenceModel : public ::testing::TestWithParam<Case> {};

TEST_P(LowerReferenceModel, OpListMatchesGooglesConverter) {
  const Case& c = GetParam();
  auto model = bench::build_reference_model(c.name, 7);
  test_lower::randomize_weights(*model, 11);
  const Graph g = lower_model(*model);
  EXPECT_EQ(op_summary(g), c.ops);
  for (const GraphOp& op : g.ops) {
    EXPECT_EQ(op.version, 1) << micro::builtin_op_name(op.builtin) << ": every op here is float32 version 1";
  }
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.inputs[0])].shape[0], 1) << "batch fixed to 1";
}

TEST_P(LowerReferenceModel, MicroRuntimeMatchesPredict) {
  const Case& c = GetParam();
  auto model = bench::build_reference_model(c.name, 7);
  test_lower::randomize_weights(*model, 11);
  const Graph g = lower_model(*model);
  for (uint64_t seed : {1u, 2u, 3u}) {
    const auto inputs = test_lower::seeded_inputs(*model, seed);
    const auto ours = test_lower::run_micro(g, inputs);
    const auto want = test_lower::run_nn(*model, inputs);
    ASSERT_EQ(ours.size(), want.size());
    for (size_t k = 0; k < ours.size(); ++k) {
      EXPECT_LE(test_lower::scaled_error(ours[k], want[k]), kPredictTolerance)
          << c.name << " output " << k << " seed " << seed;
    }
  }
}

TEST_P(LowerReferenceModel, ArmNNMatchesMicroRuntime) {
  const Case& c = GetParam();
  auto model = bench::build_reference_model(c.name, 7);
  test_lower::randomize_weights(*model, 11);
  const Graph g = lower_model(*model);
  const auto inputs = test_lower::seeded_inputs(*model, 5);
  std::string error;
  const auto armnn = test_lower::run_armnn(g, inputs, &error);
  ASSERT_FALSE(armnn.empty()) << error;
  const auto ours = test_lower::run_micro(g, inputs);
  ASSERT_EQ(armnn.size(), ours.size());
  for (size_t k = 0; k < ours.size(); ++k) {
    EXPECT_LE(test_lower::armnn_error(armnn[k], ours[k]), 1e-5) << c.name << " output " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(All, LowerReferenceModel, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace tinyforge::convert
