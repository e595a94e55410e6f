// Every shared model against TensorFlow Lite Micro's own outputs (reference/tflm_goldens.json):
// the input bytes, every operator's output bytes and the final outputs must hash the same,
// and the arena must be no larger than TFLM's.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

const nlohmann::json& goldens() {
  static const nlohmann::json j = [] {
    std::ifstream in(test::shared_path("reference/tflm_goldens.json"));
    return nlohmann::json::parse(in);
  }();
  return j;
}

ModelBytes load_model(const std::string& name) { return ModelBytes::load(test::shared_path("models/" + name + ".tflite")); }

class GoldenModel : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenModel, MatchesTflmByteForByte) {
  const std::string name = GetParam();
  const nlohmann::json& g = goldens()["models"][name];
  Runner runner(load_model(name));
  runner.fill_tflm_pattern();

  uint64_t input_hash = 0xcbf29ce484222325ull;
  for (uint32_t i = 0; i < runner.interpreter().num_inputs(); ++i) {
    const micro::TensorInfo info = runner.interpreter().input_info(i);
    input_hash = fnv1a64(runner.interpreter().input_data(i), info.bytes, input_hash);
  }
  EXPECT_EQ(hex16(input_hash), g["input_fnv1a64"].get<std::string>()) << "the input pattern differs";

  std::vector<OpTrace> trace;
  runner.invoke(&trace);
  const auto& per_op = g["per_op_output_fnv1a64"];
  ASSERT_EQ(trace.size(), per_op.size());
  for (size_t i = 0; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].output_tensor, per_op[i]["output_tensor"].get<int>()) << "op " << i;
    EXPECT_EQ(hex16(trace[i].output_fnv1a64), per_op[i]["fnv1a64"].get<std::string>())
        << "op " << i << " (" << trace[i].opcode << ") output differs from TFLM";
  }
  EXPECT_EQ(hex16(runner.outputs_fnv1a64()), g["output_fnv1a64"].get<std::string>());
  EXPECT_LE(runner.arena_bytes(), g["tflm_arena_used_bytes_x86_64"].get<size_t>()) << "arena larger than TFLM's";
}

INSTANTIATE_TEST_SUITE_P(SharedModels, GoldenModel,
                         ::testing::Values("hello_world_float", "hello_world_int8", "simple_add_model",
                                           "micro_speech_quantized", "trained_lstm", "trained_lstm_int8",
                                           "dtln_noise_suppression", "keyword_scrambled", "keyword_scrambled_8bit",
                                           "person_detect", "micro_speech_lstm", "magic_wand"));

TEST(GoldenModels, EveryModelInTheGoldensFileIsCovered) {
  // The list above plus the three models that must be rejected is the whole goldens file.
  EXPECT_EQ(goldens()["models"].size(), 15u);
}

void expect_rejected(const std::string& name, const std::vector<std::string>& words) {
  try {
    Runner runner(load_model(name));
    FAIL() << name << " was accepted";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const std::string& w : words) EXPECT_NE(msg.find(w), std::string::npos) << "'" << w << "' not in: " << msg;
  }
}

TEST(GoldenModels, VelaModelIsRejectedNamingTheEthosUOp) {
  expect_rejected("person_detect_vela", {"unsupported", "CUSTOM(ethos-u)"});
}

TEST(GoldenModels, AudioPreprocessorsAreRejectedNamingTheSignalOps) {
  expect_rejected("audio_preprocessor_float", {"unsupported", "CUSTOM(SignalWindow)", "CUSTOM(SignalRfft)"});
  expect_rejected("audio_preprocessor_int8", {"unsupported", "CUSTOM(SignalWindow)", "CUSTOM(SignalPCAN)"});
}

}  // namespace
}  // namespace tinyforge
