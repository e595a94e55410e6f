// Replay samples: the default set starts with the TFLM golden pattern and is seeded; .npy
// samples are checked against the model input and float ones quantized by hand-worked values.
#include "deploy/replay_samples.h"

#include <gtest/gtest.h>

#include <cstring>

#include "deploy/deploy_test_support.h"
#include "support/test_support.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

TEST(ReplaySamples, DefaultSetStartsWithTheGoldenPattern) {
  Runner runner(ModelBytes::load(test::shared_path("models/micro_speech_quantized.tflite")));
  const micro::TensorInfo info = runner.interpreter().input_info(0);
  // The pattern by its definition in tflm_goldens.json: int8 element i = (7i + 3) mod 256 - 128.
  std::vector<uint8_t> pattern(info.bytes);
  for (uint32_t i = 0; i < info.bytes; ++i) pattern[i] = static_cast<uint8_t>((7 * i + 3) % 256 - 128);
  const auto set = deploy::default_replay_samples(pattern, info, 3, 5);
  ASSERT_EQ(set.count, 3u);
  ASSERT_EQ(set.bytes.size(), 3u * info.bytes);
  EXPECT_TRUE(std::equal(pattern.begin(), pattern.end(), set.bytes.begin()));
  // Seeded: the same seed repeats, another seed differs.
  EXPECT_EQ(deploy::default_replay_samples(pattern, info, 3, 5).bytes, set.bytes);
  EXPECT_NE(deploy::default_replay_samples(pattern, info, 3, 6).bytes, set.bytes);
}

TEST(ReplaySamples, NpyFloatSamplesAreQuantizedForAnInt8Input) {
  Runner runner(ModelBytes::load(test::shared_path("models/hello_world_int8.tflite")));
  const micro::TensorInfo info = runner.interpreter().input_info(0);  // INT8[1,1], s=0.02448, zp=-128
  NpyArray a;
  a.dtype = "f4";
  a.shape = {3, 1};
  const float values[] = {0.0f, 1.0f, 100.0f};
  a.data.resize(sizeof values);
  std::memcpy(a.data.data(), values, sizeof values);
  const auto set = deploy::replay_samples_from_npy(a, info, "x.npy");
  ASSERT_EQ(set.count, 3u);
  // 0 -> -128; 1 / 0.02448 = 40.8 -> 41 - 128 = -87; 100 -> saturates at 127.
  EXPECT_EQ(static_cast<int8_t>(set.bytes[0]), -128);
  EXPECT_EQ(static_cast<int8_t>(set.bytes[1]), -87);
  EXPECT_EQ(static_cast<int8_t>(set.bytes[2]), 127);
}

TEST(ReplaySamples, NpyMismatchesAreNamed) {
  Runner runner(ModelBytes::load(test::shared_path("models/micro_speech_quantized.tflite")));
  const micro::TensorInfo info = runner.interpreter().input_info(0);  // 1960 int8
  NpyArray wrong_size;
  wrong_size.dtype = "i1";
  wrong_size.shape = {100};
  wrong_size.data.resize(100);
  try {
    deploy::replay_samples_from_npy(wrong_size, info, "s.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("s.npy: 100 elements is not a whole number of model inputs of 1960"),
              std::string::npos)
        << e.what();
  }
  NpyArray wrong_type;
  wrong_type.dtype = "i2";
  wrong_type.shape = {1960};
  wrong_type.data.resize(2 * 1960);
  try {
    deploy::replay_samples_from_npy(wrong_type, info, "s.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dtype 'i2' does not match"), std::string::npos) << e.what();
  }
}

TEST(ReplaySamples, SourceHoldsTheBytes) {
  deploy::ReplaySampleSet set;
  set.bytes = {0x00, 0x7f, 0x80, 0xff};
  set.sample_bytes = 2;
  set.count = 2;
  const std::string src = deploy::replay_samples_source(set);
  EXPECT_EQ(test::parse_c_array(src, "kSampleBytes"), set.bytes);
  EXPECT_NE(src.find("{kSampleBytes, 2u, 2u}"), std::string::npos);
}

}  // namespace
}  // namespace tinyforge
