// The samples an image embeds: .npy shapes and dtypes, quantization of float samples with the
// input's scale and zero point, and the TFLM input pattern; and the host's predictions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "deploy/baremetal_test_support.h"
#include "support/test_support.h"
#include "tinyforge/deploy/baremetal.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"

namespace {

namespace dp = tinyforge::deploy;
using tinyforge::ModelBytes;
using tinyforge::test::shared_path;

ModelBytes shared_model(const std::string& name) {
  return ModelBytes::load(shared_path("models/" + name + ".tflite"));
}

void write_array(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
                 const std::vector<uint8_t>& bytes) {
  tinyforge::NpyArray a;
  a.dtype = dtype;
  a.shape = shape;
  a.data = bytes;
  tinyforge::write_npy(path, a);
}

std::vector<uint8_t> float_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

const nlohmann::json& golden(const std::string& model) {
  static const nlohmann::json j = [] {
    std::ifstream in(shared_path("reference/tflm_goldens.json"));
    return nlohmann::json::parse(in);
  }();
  return j["models"][model];
}

// hello_world_int8's input: int8, scale 0.0244801156, zero point -128 (tflm_goldens.json).
TEST(BaremetalSamples, FloatSamplesAreQuantizedWithTheInputScaleAndZeroPoint) {
  tinyforge::test::ScratchDir dir;
  // x / 0.0244801156: 0 -> 0, 1 -> 40.85 -> 41, 3.1 -> 126.63 -> 127; 100 saturates; -5 saturates.
  write_array(dir / "x.npy", "f4", {5, 1}, float_bytes({0.0f, 1.0f, 3.1f, 100.0f, -5.0f}));
  const dp::SampleSet s = dp::load_samples(shared_model("hello_world_int8"), dir / "x.npy");
  ASSERT_EQ(s.count, 5u);
  ASSERT_EQ(s.sample_bytes, 1u);
  const std::vector<int8_t> expected = {-128, 41 - 128, 127 - 128, 127, -128};
  ASSERT_EQ(s.bytes.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(static_cast<int8_t>(s.bytes[i]), expected[i]) << i;
}

TEST(BaremetalSamples, RawSamplesOfTheInputTypeAreTakenAsTheyAre) {
  tinyforge::test::ScratchDir dir;
  write_array(dir / "x.npy", "i1", {3, 1, 1}, {0x80, 0x00, 0x7f});  // [N, *input] with the batch dimension
  const dp::SampleSet s = dp::load_samples(shared_model("hello_world_int8"), dir / "x.npy");
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.bytes, (std::vector<uint8_t>{0x80, 0x00, 0x7f}));
}

TEST(BaremetalSamples, FloatModelsTakeFloatSamplesUnchanged) {
  tinyforge::test::ScratchDir dir;
  const std::vector<float> v =
      tinyforge::test::write_uniform_npy(dir / "x.npy", {2, 128, 3, 1}, -1.0f, 1.0f, /*seed=*/5);
  const dp::SampleSet s = dp::load_samples(shared_model("magic_wand"), dir / "x.npy");
  EXPECT_EQ(s.count, 2u);
  EXPECT_EQ(s.sample_bytes, 128u * 3u * 4u);
  EXPECT_EQ(s.bytes, float_bytes(v));
}

TEST(BaremetalSamples, WrongShapeDtypeOrInputCountIsNamed) {
  tinyforge::test::ScratchDir dir;
  const ModelBytes wand = shared_model("magic_wand");
  tinyforge::test::write_uniform_npy(dir / "short.npy", {2, 127, 3, 1}, -1.0f, 1.0f, 1);
  try {
    dp::load_samples(wand, dir / "short.npy");
    FAIL() << "a [2,127,3,1] sample set was accepted for a [1,128,3,1] input";
  } catch (const tinyforge::Error& e) {
    EXPECT_NE(std::string(e.what()).find("shape [2,127,3,1] does not fit input"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[N,128,3,1]"), std::string::npos) << e.what();
  }
  write_array(dir / "int.npy", "i4", {1, 1}, {1, 0, 0, 0});
  try {
    dp::load_samples(shared_model("hello_world_int8"), dir / "int.npy");
    FAIL() << "int32 samples were accepted for an int8 input";
  } catch (const tinyforge::Error& e) {
    EXPECT_NE(std::string(e.what()).find("dtype 'i4' does not fit"), std::string::npos) << e.what();
  }
  write_array(dir / "x.npy", "f4", {1, 1}, float_bytes({1.0f}));
  EXPECT_THROW(dp::load_samples(shared_model("simple_add_model"), dir / "x.npy"), tinyforge::Error);  // two inputs
  write_array(dir / "nan.npy", "f4", {1, 1}, float_bytes({NAN}));
  EXPECT_THROW(dp::load_samples(shared_model("hello_world_int8"), dir / "nan.npy"), tinyforge::Error);
  EXPECT_THROW(dp::load_samples(wand, dir / "missing.npy"), tinyforge::Error);
}

// The pattern of tflm_goldens.json: b = (7i + 3 + 11k) mod 256, int8 s = b - 128.
TEST(BaremetalSamples, TflmPatternCoversEveryInput) {
  const dp::SampleSet one = dp::tflm_pattern_samples(shared_model("hello_world_int8"));
  ASSERT_EQ(one.count, 1u);
  EXPECT_EQ(one.bytes, std::vector<uint8_t>{static_cast<uint8_t>(3 - 128)});
  const dp::SampleSet two = dp::tflm_pattern_samples(shared_model("simple_add_model"));
  ASSERT_EQ(two.sample_bytes, 2u * 128u * 128u);
  EXPECT_EQ(static_cast<int8_t>(two.bytes[1]), 10 - 128);                     // input 0, i = 1
  EXPECT_EQ(static_cast<int8_t>(two.bytes[128 * 128]), 14 - 128);             // input 1, i = 0
  EXPECT_EQ(static_cast<int8_t>(two.bytes[128 * 128 + 2]), (14 + 14) - 128);  // input 1, i = 2
}

// On the TFLM pattern, the host's prediction must be TFLM's output, formatted: hello_world_int8
// gives q = 12 with scale 0.00829095673 and zero point 5.
TEST(BaremetalSamples, HostPredictionsReproduceTflmGoldens) {
  const ModelBytes model = shared_model("hello_world_int8");
  const std::vector<dp::Prediction> p = dp::host_predictions(model, dp::tflm_pattern_samples(model), false);
  ASSERT_EQ(p.size(), 1u);
  const nlohmann::json& out = golden("hello_world_int8")["outputs"][0];
  char expected[64];
  std::snprintf(expected, sizeof expected, "values=%.6f",
                static_cast<double>(static_cast<float>(out["values"][0].get<int>() - out["zero_point"].get<int>()) *
                                    out["scale"].get<float>()));
  EXPECT_EQ(p[0].text, expected);
  EXPECT_EQ(p[0].output_fnv1a64, golden("hello_world_int8")["output_fnv1a64"].get<std::string>());
}

TEST(BaremetalSamples, PredictionModeFollowsTheOutputSize) {
  EXPECT_FALSE(dp::predicts_argmax(shared_model("hello_world_int8"), dp::PredictionMode::kAuto));  // [1,1]
  EXPECT_TRUE(dp::predicts_argmax(shared_model("magic_wand"), dp::PredictionMode::kAuto));         // [1,4]
  EXPECT_TRUE(dp::predicts_argmax(shared_model("hello_world_int8"), dp::PredictionMode::kArgmax));
  EXPECT_FALSE(dp::predicts_argmax(shared_model("magic_wand"), dp::PredictionMode::kValues));
  EXPECT_EQ(dp::parse_prediction_mode("values"), dp::PredictionMode::kValues);
  EXPECT_THROW(dp::parse_prediction_mode("softmax"), tinyforge::Error);
}

}  // namespace
