// Functional models (several inputs and outputs, Add/Multiply/Concatenate, every pooling and
// activation the runtime has) lowered and run: op lists, model-order inputs/outputs with layer
// names, outputs equal to predict and to Arm NN; rejections name the layer; lower_model_file and
// determinism.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "lower_test_util.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/recurrent.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::convert {
namespace {

constexpr double kPredictTolerance = 5e-6;  // see lower_reference_models_test.cc
constexpr double kArmnnTolerance = 1e-5;    // test_lower::armnn_error

std::shared_ptr<nn::Model> two_input_model() {
  nn::set_random_seed(21);
  auto image = nn::Input({8, 8, 3}, "image");
  auto side = nn::Input({8, 8, 3}, "side");
  auto a = nn::Conv2D(4, 3, {.padding = "same", .activation = "relu", .name = "conv_a"})(image);
  auto b = nn::Conv2D(4, 3, {.padding = "same", .name = "conv_b"})(side);
  auto sum = nn::Add("sum")({a, b});
  auto prod = nn::Multiply("prod")({sum, b});
  auto joined = nn::Concatenate(-1, "joined")({sum, prod});                       // [8, 8, 8]
  auto padded = nn::ZeroPadding2D(nn::Padding2D({1, 0}, {0, 1}), "pad")(joined);  // [9, 9, 8]
  auto dw = nn::DepthwiseConv2D(3, {.depth_multiplier = 2, .strides = 2, .activation = "relu6", .name = "dw"})(padded);
  auto sep = nn::SeparableConv2D(6, 2, {.padding = "same", .activation = "hard_swish", .name = "sep"})(dw);  // [4,4,6]
  auto pooled = nn::AveragePooling2D(2, {.strides = 1, .padding = "same", .name = "avg"})(sep);
  auto maxed = nn::MaxPooling2D(3, {.strides = 2, .padding = "same", .name = "max"})(pooled);  // [2, 2, 6]
  auto gap = nn::GlobalAveragePooling2D({.name = "gap"})(sep);
  auto gmp = nn::GlobalMaxPooling2D({.name = "gmp"})(maxed);
  auto both = nn::Concatenate(-1, "both")({gap, gmp});  // [12]
  auto logits = nn::Dense(5, {.use_bias = false, .name = "logits"})(both);
  auto probs = nn::Activation("softmax", {.name = "probs"})(logits);
  auto leaky = nn::Activation("leaky_relu", {.alpha = 0.1f, .name = "leaky"})(nn::Flatten("flat")(maxed));
  auto score = nn::Dense(2, {.activation = "sigmoid", .name = "score"})(leaky);
  return std::make_shared<nn::Model>(std::vector<nn::SymbolicTensor>{image, side},
                                     std::vector<nn::SymbolicTensor>{probs, score}, "two_inputs");
}

TEST(LowerFunctional, OpsInputsAndOutputsInModelOrder) {
  auto model = two_input_model();
  test_lower::randomize_weights(*model, 22);
  const Graph g = lower_model(*model);
  EXPECT_EQ(test_lower::op_names(g), std::vector<std::string>({"CONV_2D",
                                                               "CONV_2D",
                                                               "ADD",
                                                               "MUL",
                                                               "CONCATENATION",
                                                               "PAD",
                                                               "DEPTHWISE_CONV_2D",
                                                               "DEPTHWISE_CONV_2D",
                                                               "CONV_2D",
                                                               "HARD_SWISH",
                                                               "MEAN",
                                                               "AVERAGE_POOL_2D",
                                                               "MAX_POOL_2D",
                                                               "MAX_POOL_2D",
                                                               "RESHAPE",
                                                               "CONCATENATION",
                                                               "FULLY_CONNECTED",
                                                               "SOFTMAX",
                                                               "RESHAPE",
                                                               "LEAKY_RELU",
                                                               "FULLY_CONNECTED",
                                                               "LOGISTIC"}));
  ASSERT_EQ(g.inputs.size(), 2u);
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.inputs[0])].name, "image");
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.inputs[1])].name, "side");
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.outputs[0])].name, "probs");
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.outputs[0])].shape, std::vector<int32_t>({1, 5}));
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.outputs[1])].shape, std::vector<int32_t>({1, 2}));
  // Dense without a bias keeps the bias input absent, as Google's converter writes it.
  EXPECT_EQ(g.ops[16].inputs[2], -1);
  EXPECT_FALSE(g.ops[20].options.keep_num_dims);
  EXPECT_EQ(g.ops[6].options.depth_multiplier, 2);
  EXPECT_EQ(g.ops[6].options.activation, micro::Activation::kRelu6);
  EXPECT_EQ(g.ops[0].options.activation, micro::Activation::kRelu);
  EXPECT_FLOAT_EQ(g.ops[19].options.alpha, 0.1f);
}

// Arm NN 20.08 rejects an absent (-1) optional input, which is how Google's converter writes a
// Dense without bias: the default lowering shows that, the zero-bias option lets it run the rest.
TEST(LowerFunctional, ArmNNRejectsAbsentDenseBias) {
  auto model = two_input_model();
  std::string error;
  EXPECT_TRUE(test_lower::run_armnn(lower_model(*model), test_lower::seeded_inputs(*model, 1), &error).empty());
  EXPECT_NE(error.find("must be non-negative, received: -1"), std::string::npos) << error;
}

TEST(LowerFunctional, MicroRuntimeAndArmNNMatchPredict) {
  auto model = two_input_model();
  test_lower::randomize_weights(*model, 22);
  const Graph g = lower_model(*model, {.dense_zero_bias = true});
  for (uint64_t seed : {1u, 2u}) {
    const auto inputs = test_lower::seeded_inputs(*model, seed);
    const auto ours = test_lower::run_micro(g, inputs);
    const auto want = test_lower::run_nn(*model, inputs);
    ASSERT_EQ(ours.size(), 2u);
    for (size_t k = 0; k < 2; ++k) EXPECT_LE(test_lower::scaled_error(ours[k], want[k]), kPredictTolerance) << k;
    std::string error;
    const auto armnn = test_lower::run_armnn(g, inputs, &error);
    ASSERT_EQ(armnn.size(), 2u) << error;
    for (size_t k = 0; k < 2; ++k) {
      EXPECT_LE(test_lower::armnn_error(armnn[k], ours[k]), kArmnnTolerance) << k;
    }
  }
}

// Keras applies Dense to the last axis; TF keeps the leading axes: FULLY_CONNECTED with
// keep_num_dims, version 5. Arm NN 20.08 ignores keep_num_dims (its output would be [4, 2]), so it
// rejects the model at load time; our runtime and predict agree.
TEST(LowerFunctional, DenseOnSequenceKeepsNumDims) {
  nn::set_random_seed(4);
  nn::Sequential model({4, 6}, {nn::Dense(2, {.activation = "relu"})});
  test_lower::randomize_weights(model, 5);
  const Graph g = lower_model(model);
  ASSERT_EQ(test_lower::op_names(g), std::vector<std::string>({"FULLY_CONNECTED"}));
  EXPECT_TRUE(g.ops[0].options.keep_num_dims);
  EXPECT_EQ(g.ops[0].version, 5);
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.outputs[0])].shape, std::vector<int32_t>({1, 4, 2}));
  const auto inputs = test_lower::seeded_inputs(model, 6);
  EXPECT_LE(test_lower::scaled_error(test_lower::run_micro(g, inputs)[0], test_lower::run_nn(model, inputs)[0]),
            kPredictTolerance);
  std::string error;
  EXPECT_TRUE(test_lower::run_armnn(g, inputs, &error).empty());
  EXPECT_NE(error.find("[1,4,2] != [4,2]"), std::string::npos) << error;
}

// op_version.cc: a dilated DEPTHWISE_CONV_2D is version 2 (CONV_2D stays 1).
TEST(LowerFunctional, DilatedDepthwiseIsVersion2) {
  nn::set_random_seed(6);
  nn::Sequential model({9, 9, 2},
                       {nn::DepthwiseConv2D(3, {.dilation_rate = 2}), nn::Conv2D(3, 2, {.dilation_rate = 2})});
  test_lower::randomize_weights(model, 7);
  const Graph g = lower_model(model);
  ASSERT_EQ(test_lower::op_names(g), std::vector<std::string>({"DEPTHWISE_CONV_2D", "CONV_2D"}));
  EXPECT_EQ(g.ops[0].version, 2);
  EXPECT_EQ(g.ops[0].options.dilation_h, 2);
  EXPECT_EQ(g.ops[1].version, 1);
  const auto inputs = test_lower::seeded_inputs(model, 8);
  const auto ours = test_lower::run_micro(g, inputs);
  EXPECT_LE(test_lower::scaled_error(ours[0], test_lower::run_nn(model, inputs)[0]), kPredictTolerance);
  std::string error;
  const auto armnn = test_lower::run_armnn(g, inputs, &error);
  ASSERT_EQ(armnn.size(), 1u) << error;
  EXPECT_LE(test_lower::armnn_error(armnn[0], ours[0]), kArmnnTolerance);
}

TEST(LowerFunctional, GlobalAverageAsAveragePoolOption) {
  nn::set_random_seed(2);
  nn::Sequential model({6, 5, 3}, {nn::GlobalAveragePooling2D({.keepdims = true}), nn::Flatten()});
  const Graph mean = lower_model(model);
  EXPECT_EQ(test_lower::op_names(mean), std::vector<std::string>({"MEAN", "RESHAPE"}));
  EXPECT_TRUE(mean.ops[0].options.keep_dims);
  const Graph pool = lower_model(model, {.global_average_as_mean = false});
  EXPECT_EQ(test_lower::op_names(pool), std::vector<std::string>({"AVERAGE_POOL_2D", "RESHAPE"}));
  const auto inputs = test_lower::seeded_inputs(model, 3);
  const auto want = test_lower::run_nn(model, inputs);
  EXPECT_LE(test_lower::scaled_error(test_lower::run_micro(mean, inputs)[0], want[0]), kPredictTolerance);
  EXPECT_LE(test_lower::scaled_error(test_lower::run_micro(pool, inputs)[0], want[0]), kPredictTolerance);
}

TEST(LowerFunctional, Conv1DVariantsAndPooling1D) {
  nn::set_random_seed(8);
  nn::Sequential model({20, 3},
                       {nn::Conv1D(4, 3, {.padding = "causal", .dilation_rate = 2, .activation = "tanh"}),
                        nn::ZeroPadding1D(nn::Padding1D(1, 2)), nn::Conv1D(5, 2, {.strides = 2, .padding = "same"}),
                        nn::AveragePooling1D(2, {.padding = "same"}), nn::GlobalMaxPooling1D()});
  test_lower::randomize_weights(model, 9);
  const Graph g = lower_model(model);
  EXPECT_EQ(test_lower::op_names(g),
            std::vector<std::string>({"PAD", "RESHAPE", "CONV_2D", "RESHAPE", "TANH", "PAD", "RESHAPE", "CONV_2D",
                                      "RESHAPE", "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE"}))
      << "the average pool's [1, T, 1, C] goes straight into the global max pool (reshapes merged away)";
  const auto inputs = test_lower::seeded_inputs(model, 10);
  const auto ours = test_lower::run_micro(g, inputs);
  EXPECT_LE(test_lower::scaled_error(ours[0], test_lower::run_nn(model, inputs)[0]), kPredictTolerance);
  std::string error;
  const auto armnn = test_lower::run_armnn(g, inputs, &error);
  ASSERT_EQ(armnn.size(), 1u) << error;
  EXPECT_LE(test_lower::armnn_error(armnn[0], ours[0]), kArmnnTolerance);
}

void expect_rejected(nn::Model& model, const std::string& layer, const std::string& reason) {
  try {
    lower_model(model);
    ADD_FAILURE() << "expected lowering to fail for " << layer;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(layer), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
}

TEST(LowerRejects, GruEluAndNamesTheLayer) {
  {
    auto in = nn::Input({5, 3});
    nn::Model m({in}, {nn::GRU(4, {.name = "my_gru"})(in)});
    expect_rejected(m, "GRU 'my_gru'", "no GRU builtin");
  }
  {
    auto in = nn::Input({4});
    nn::Model m({in}, {nn::Activation("elu", {.name = "smooth"})(in)});
    expect_rejected(m, "Activation 'smooth'", "'elu'");
  }
  {
    auto in = nn::Input({4});
    nn::Model m({in}, {nn::Dense(2, {.activation = "elu", .name = "head"})(in)});
    expect_rejected(m, "Dense 'head'", "'elu'");
  }
}

// A layer called twice gets its weights written twice (one op per call) under distinct names.
TEST(LowerFunctional, SharedLayerTensorNamesAreUnique) {
  nn::set_random_seed(9);
  auto in = nn::Input({3}, "x");
  auto shared = nn::Dense(3, {.activation = "tanh", .name = "shared"});
  nn::Model model({in}, {shared(shared(in))});
  test_lower::randomize_weights(model, 10);
  const Graph g = lower_model(model);
  std::set<std::string> names;
  for (const GraphTensor& t : g.tensors) EXPECT_TRUE(names.insert(t.name).second) << "duplicate name " << t.name;
  EXPECT_EQ(names.count("shared/kernel_1"), 1u);
  const auto inputs = test_lower::seeded_inputs(model, 11);
  EXPECT_LE(test_lower::scaled_error(test_lower::run_micro(g, inputs)[0], test_lower::run_nn(model, inputs)[0]),
            kPredictTolerance);
}

TEST(LowerModelFile, SameBytesAsLoweringTheModelAndDeterministic) {
  auto model = two_input_model();
  test_lower::randomize_weights(*model, 22);
  const auto path = (std::filesystem::temp_directory_path() / "tinyforge_lower_test.tfm").string();
  model->save(path);
  const std::vector<uint8_t> from_file = write_tflite(lower_model_file(path));
  std::filesystem::remove(path);
  EXPECT_EQ(from_file, write_tflite(lower_model(*model)));
  EXPECT_EQ(write_tflite(lower_model(*model)), write_tflite(lower_model(*model)));
  EXPECT_THROW(lower_model_file(path + ".missing"), Error);
}

}  // namespace
}  // namespace tinyforge::convert
