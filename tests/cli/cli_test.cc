// The `tinyforge` binary as a user runs it: exit codes, stderr messages, JSON shape.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "tinyforge/npy.h"

namespace tinyforge {
namespace {

using Result = test::CommandResult;

Result run_cli(const std::string& args) {
  return test::run_tinyforge(args);
}

std::string model_path(const std::string& name) {
  return test::shared_path("models/" + name + ".tflite");
}

nlohmann::json golden(const std::string& name) {
  std::ifstream in(test::shared_path("reference/tflm_goldens.json"));
  return nlohmann::json::parse(in)["models"][name];
}

TEST(Cli, RunJsonMatchesTheGoldenOutputs) {
  const Result r = run_cli("run " + model_path("micro_speech_quantized") + " --pattern tflm --json --trace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto g = golden("micro_speech_quantized");
  EXPECT_EQ(j["output_fnv1a64"], g["output_fnv1a64"]);
  ASSERT_EQ(j["outputs"].size(), 1u);
  EXPECT_EQ(j["outputs"][0]["index"], 0);
  EXPECT_EQ(j["outputs"][0]["type"], "INT8");
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json({1, 4}));
  EXPECT_EQ(j["outputs"][0]["values"], g["outputs"][0]["values"]);
  EXPECT_EQ(j["outputs"][0]["fnv1a64"], g["outputs"][0]["fnv1a64"]);
  ASSERT_EQ(j["ops"].size(), g["per_op_output_fnv1a64"].size());
  EXPECT_EQ(j["ops"][1]["opcode"], "DEPTHWISE_CONV_2D");
  EXPECT_EQ(j["ops"][1]["fnv1a64"], g["per_op_output_fnv1a64"][1]["fnv1a64"]);
  EXPECT_LE(j["arena_bytes"].get<int>(), g["tflm_arena_used_bytes_x86_64"].get<int>());
}

TEST(Cli, RunFromNpyEqualsThePattern) {
  // The pattern for a FLOAT32 input is s/128 with s = (7i + 3) mod 256 - 128, written by hand here.
  NpyArray a;
  a.dtype = "f4";
  a.shape = {1, 128, 3, 1};
  a.data.resize(128 * 3 * 4);
  for (int i = 0; i < 128 * 3; ++i) {
    const float v = static_cast<float>((7 * i + 3) % 256 - 128) / 128.0f;
    std::memcpy(a.data.data() + 4 * i, &v, 4);
  }
  const std::string path = ::testing::TempDir() + "magic_wand_in.npy";
  write_npy(path, a);
  const Result r = run_cli("run " + model_path("magic_wand") + " --input " + path + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["output_fnv1a64"], golden("magic_wand")["output_fnv1a64"]);
}

TEST(Cli, WrongNpyShapeIsAClearError) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = {5};
  a.data.resize(20);
  const std::string path = ::testing::TempDir() + "short.npy";
  write_npy(path, a);
  const Result r = run_cli("run " + model_path("magic_wand") + " --input " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has 5 elements"), std::string::npos) << r.err;
}

TEST(Cli, MissingModelFileIsAClearError) {
  const Result r = run_cli("run /nonexistent/model.tflite --pattern tflm");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/model.tflite"), std::string::npos) << r.err;
}

TEST(Cli, RunWithoutInputsSaysWhatToGive) {
  const Result r = run_cli("run " + model_path("hello_world_int8"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--pattern tflm"), std::string::npos) << r.err;
}

TEST(Cli, NotATfliteFileIsRejected) {
  const std::string path = ::testing::TempDir() + "garbage.tflite";
  std::ofstream(path) << "this is not a model, just some text of reasonable length";
  const Result r = run_cli("inspect " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid model"), std::string::npos) << r.err;
}

TEST(Cli, InspectListsUnsupportedOpsAndFails) {
  const Result r = run_cli("inspect " + model_path("person_detect_vela"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("unsupported operators: CUSTOM(ethos-u)"), std::string::npos) << r.out;
}

TEST(Cli, InspectJsonGivesSizesAndQuantization) {
  const Result r = run_cli("inspect " + model_path("hello_world_int8") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["file_bytes"], 2704);
  // Weights: 16 + 256 + 16 int8 plus 16 + 16 + 1 int32 biases = 288 + 132 bytes.
  EXPECT_EQ(j["weight_bytes"], 420);
  EXPECT_EQ(j["tensors"].size(), 10u);
  EXPECT_EQ(j["operators"].size(), 3u);
  EXPECT_EQ(j["operators"][0]["opcode"], "FULLY_CONNECTED");
  EXPECT_EQ(j["inputs"][0]["quantization"]["zero_points"][0], -128);
  EXPECT_TRUE(j["runnable"].get<bool>());
  EXPECT_GT(j["arena_bytes"].get<int>(), 0);
  EXPECT_GE(j["arena_bytes_preserve_inputs"].get<int>(), j["arena_bytes"].get<int>());
}

TEST(Cli, BenchPrintsRateAndPerOpTable) {
  const Result r = run_cli("bench " + model_path("hello_world_float") + " --seconds 0.2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["invokes_per_s"].get<double>(), 0);
  EXPECT_EQ(j["ops"].size(), 3u);
}

}  // namespace
}  // namespace tinyforge
