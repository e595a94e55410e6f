// Folding rules: BatchNormalization into the Dense/Conv before it (and when it must stay MUL +
// ADD), Normalization/Rescaling into the Dense or 'valid' conv after them (and when they must
// stay SUB/MUL/ADD ops). Hand-worked weights for the simplest cases; predict and Arm NN for the
// rest (BN with non-trivial moving statistics everywhere).
#include <gtest/gtest.h>

#include <cstring>

#include "lower_test_util.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::convert {
namespace {

constexpr double kPredictTolerance = 5e-6;  // see lower_reference_models_test.cc

std::vector<float> floats(const Graph& g, int32_t t) {
  const GraphTensor& x = g.tensors[static_cast<size_t>(t)];
  std::vector<float> v(x.data.size() / 4);
  std::memcpy(v.data(), x.data.data(), v.size() * 4);
  return v;
}

// Lowers, then checks ops, predict and Arm NN on seeded inputs.
Graph check(nn::Model& model, const std::vector<std::string>& ops, const LowerOptions& options = {}) {
  const Graph g = lower_model(model, options);
  EXPECT_EQ(test_lower::op_names(g), ops);
  const auto inputs = test_lower::seeded_inputs(model, 77);
  const auto ours = test_lower::run_micro(g, inputs);
  const auto want = test_lower::run_nn(model, inputs);
  for (size_t k = 0; k < ours.size(); ++k) EXPECT_LE(test_lower::scaled_error(ours[k], want[k]), kPredictTolerance);
  std::string error;
  const auto armnn = test_lower::run_armnn(g, inputs, &error);
  EXPECT_EQ(armnn.size(), ours.size()) << error;
  for (size_t k = 0; k < armnn.size() && k < ours.size(); ++k) {
    EXPECT_LE(test_lower::armnn_error(armnn[k], ours[k]), 1e-5);
  }
  return g;
}

// Dense 1 -> 1 (w 2, b 1), then BN gamma 3, beta 0.5, mean 1, var + eps = 4: scale 3 / 2.
// Folded: w' = 2 * 1.5 = 3, b' = (1 - 1) * 1.5 + 0.5 = 0.5.
TEST(LowerFoldBatchNorm, HandWorkedDense) {
  nn::Sequential model({1}, {nn::Dense(1), nn::BatchNormalization({.epsilon = 0.5f})});
  model.set_weights({nn::Tensor({1, 1}, {2.0f}), nn::Tensor({1}, {1.0f}), nn::Tensor({1}, {3.0f}),
                     nn::Tensor({1}, {0.5f}), nn::Tensor({1}, {1.0f}), nn::Tensor({1}, {3.5f})});
  const Graph g = check(model, {"FULLY_CONNECTED"});
  EXPECT_EQ(floats(g, g.ops[0].inputs[1]), std::vector<float>({3.0f}));
  EXPECT_EQ(floats(g, g.ops[0].inputs[2]), std::vector<float>({0.5f}));
}

TEST(LowerFoldBatchNorm, IntoConvThenReluFuses) {
  nn::set_random_seed(1);
  nn::Sequential model({6, 6, 2},
                       {nn::Conv2D(3, 3, {.padding = "same"}), nn::BatchNormalization(), nn::Activation("relu"),
                        nn::DepthwiseConv2D(3), nn::BatchNormalization(), nn::Flatten()});
  test_lower::randomize_weights(model, 2);
  const Graph g = check(model, {"CONV_2D", "DEPTHWISE_CONV_2D", "RESHAPE"});
  EXPECT_EQ(g.ops[0].options.activation, micro::Activation::kRelu);
}

TEST(LowerFoldBatchNorm, IntoConv1DThroughItsReshape) {
  nn::set_random_seed(3);
  nn::Sequential model({10, 3}, {nn::Conv1D(4, 3), nn::BatchNormalization(), nn::Activation("relu6")});
  test_lower::randomize_weights(model, 4);
  const Graph g = check(model, {"RESHAPE", "CONV_2D", "RESHAPE"});
  EXPECT_EQ(g.ops[1].options.activation, micro::Activation::kRelu6);
}

TEST(LowerFoldBatchNorm, StaysMulAddWhenItCannotFold) {
  nn::set_random_seed(5);
  {  // an activation sits between the conv and the BN
    nn::Sequential m({5, 5, 2}, {nn::Conv2D(3, 2, {.activation = "relu"}), nn::BatchNormalization()});
    test_lower::randomize_weights(m, 6);
    check(m, {"CONV_2D", "MUL", "ADD"});
  }
  {  // nothing before it
    nn::Sequential m({4}, {nn::BatchNormalization(), nn::Dense(2)});
    test_lower::randomize_weights(m, 7);
    check(m, {"MUL", "ADD", "FULLY_CONNECTED"});
  }
  {  // the Dense output is read twice
    auto in = nn::Input({4});
    auto d = nn::Dense(3)(in);
    auto bn = nn::BatchNormalization()(d);
    nn::Model m({in}, {nn::Add()({d, bn})});
    test_lower::randomize_weights(m, 8);
    check(m, {"FULLY_CONNECTED", "MUL", "ADD", "ADD"});
  }
  {  // folding switched off
    nn::Sequential m({4}, {nn::Dense(3), nn::BatchNormalization()});
    test_lower::randomize_weights(m, 9);
    check(m, {"FULLY_CONNECTED", "MUL", "ADD"}, {.fold_batch_norm = false});
  }
}

// Normalization mean (1, 2), variance (4, 16), then Dense 2 -> 1 with w (1, 1), b 0:
// (x0 - 1) / 2 + (x1 - 2) / 4 = 0.5 x0 + 0.25 x1 - 1.
TEST(LowerFoldPreprocessing, HandWorkedNormalizationIntoDense) {
  nn::Sequential model({2}, {nn::Normalization({.mean = {1.0f, 2.0f}, .variance = {4.0f, 16.0f}}), nn::Dense(1)});
  model.set_weights({nn::Tensor({2}, {1.0f, 2.0f}), nn::Tensor({2}, {4.0f, 16.0f}), nn::Tensor({2, 1}, {1.0f, 1.0f}),
                     nn::Tensor({1}, {0.0f})});
  const Graph g = check(model, {"FULLY_CONNECTED"});
  EXPECT_EQ(floats(g, g.ops[0].inputs[1]), std::vector<float>({0.5f, 0.25f}));
  EXPECT_EQ(floats(g, g.ops[0].inputs[2]), std::vector<float>({-1.0f}));
}

TEST(LowerFoldPreprocessing, FoldsOnlyWhereExact) {
  nn::set_random_seed(10);
  {  // Rescaling into a 'valid' conv
    nn::Sequential m({6, 6, 3}, {nn::Rescaling(1.0f / 255, {.offset = -0.5f}), nn::Conv2D(2, 3)});
    test_lower::randomize_weights(m, 11);
    check(m, {"CONV_2D"});
  }
  {  // 'same' padding would shift the padded zeros: SUB + MUL stay
    nn::Sequential m({6, 6, 3}, {nn::Normalization({.mean = {0.1f, -0.2f, 0.3f}, .variance = {2.0f, 0.5f, 1.5f}}),
                                 nn::Conv2D(2, 3, {.padding = "same"})});
    test_lower::randomize_weights(m, 12);
    check(m, {"SUB", "MUL", "CONV_2D"});
  }
  {  // into a valid Conv1D
    nn::Sequential m({8, 2}, {nn::Normalization({.mean = {0.5f, -1.0f}, .variance = {3.0f, 0.25f}}), nn::Conv1D(3, 2)});
    test_lower::randomize_weights(m, 13);
    check(m, {"RESHAPE", "CONV_2D", "RESHAPE"});
  }
  {  // before a pool: MUL + ADD
    nn::Sequential m({4, 4, 1}, {nn::Rescaling(2.0f, {.offset = 1.0f}), nn::MaxPooling2D(2)});
    check(m, {"MUL", "ADD", "MAX_POOL_2D"});
  }
  {  // the model output itself
    nn::Sequential m({3}, {nn::Normalization({.mean = {1.0f, 2.0f, 3.0f}, .variance = {1.0f, 4.0f, 9.0f}})});
    check(m, {"SUB", "MUL"});
  }
  {  // switched off
    nn::Sequential m({3}, {nn::Rescaling(0.5f), nn::Dense(2)});
    test_lower::randomize_weights(m, 14);
    check(m, {"MUL", "FULLY_CONNECTED"}, {.fold_preprocessing = false});
  }
}

}  // namespace
}  // namespace tinyforge::convert
