// The portable app core (firmware/app) on the host: postprocessing per app kind, the replay
// source, tensor filling and text lines, against hand-worked values.
#include <gtest/gtest.h>

#include <cstring>

#include "support/test_support.h"
#include "tinyforge/app/postprocess.h"
#include "tinyforge/app/replay_source.h"
#include "tinyforge/app/tensor_fill.h"
#include "tinyforge/app/text_line.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

using app::AppKind;
using app::AppParams;
using app::Postprocessor;
using app::Prediction;
using micro::TensorType;

micro::TensorInfo info_of(TensorType type, int32_t n) {
  micro::TensorInfo info;
  info.type = type;
  info.shape.rank = 1;
  info.shape.dims[0] = n;
  info.bytes = static_cast<uint32_t>(n) * (type == TensorType::kFloat32 ? 4 : type == TensorType::kInt16 ? 2 : 1);
  return info;
}

TEST(AppArgmax, OrdersFloatsIncludingNegatives) {
  const float v[] = {-3.5f, -0.25f, -7.0f, -0.5f};
  EXPECT_EQ(app::argmax(TensorType::kFloat32, v, 4), 1);
  const float w[] = {-1.0f, 2.0f, 0.0f, 2.5f};
  EXPECT_EQ(app::argmax(TensorType::kFloat32, w, 4), 3);
  const int8_t q[] = {-128, 5, 5, -3};
  EXPECT_EQ(app::argmax(TensorType::kInt8, q, 4), 1);  // first of equal maxima
  const uint8_t u[] = {200, 10, 255};
  EXPECT_EQ(app::argmax(TensorType::kUInt8, u, 3), 2);
  EXPECT_EQ(app::argmax(TensorType::kBool, u, 3), -1);
}

TEST(AppPostprocess, ClassifyGivesTopClassAndRawScore) {
  AppParams params;
  params.kind = AppKind::kClassify;
  Postprocessor post(params);
  const int8_t out[] = {-100, 40, 90, 12};
  Prediction p;
  ASSERT_TRUE(post.run(info_of(TensorType::kInt8, 4), out, info_of(TensorType::kInt8, 4), nullptr, &p));
  EXPECT_EQ(p.label, 2);
  EXPECT_EQ(p.score_raw, 90);
  EXPECT_TRUE(p.detected);
}

TEST(AppPostprocess, KwsAveragesOverAFullWindow) {
  // Output zero point -128, threshold 100 steps, window 3: detection needs sum >= 300 over 3 results.
  micro::TensorInfo out = info_of(TensorType::kInt8, 3);
  AppParams params;
  params.kind = AppKind::kKws;
  params.kws_window = 3;
  params.kws_threshold_q = 100;
  Postprocessor post(params);
  // A quantization record is read from the model; here zero_point() of an empty record is 0,
  // so feed values already relative to zero point 0.
  const int8_t r1[] = {10, 120, 0}, r2[] = {10, 110, 0}, r3[] = {10, 80, 0}, r4[] = {90, 0, 0};
  Prediction p;
  ASSERT_TRUE(post.run(out, r1, out, nullptr, &p));
  EXPECT_EQ(p.label, 1);
  EXPECT_EQ(p.window_sum, 120);
  EXPECT_EQ(p.window_count, 1u);
  EXPECT_FALSE(p.detected);  // window not full yet
  ASSERT_TRUE(post.run(out, r2, out, nullptr, &p));
  EXPECT_EQ(p.window_sum, 230);
  EXPECT_FALSE(p.detected);
  ASSERT_TRUE(post.run(out, r3, out, nullptr, &p));
  EXPECT_EQ(p.window_sum, 310);  // 120 + 110 + 80 >= 3 x 100
  EXPECT_TRUE(p.detected);
  ASSERT_TRUE(post.run(out, r4, out, nullptr, &p));
  // r1 left the window: class 1 = 110 + 80 + 0 = 190, class 0 = 10 + 10 + 90 = 110.
  EXPECT_EQ(p.label, 1);
  EXPECT_EQ(p.window_sum, 190);
  EXPECT_EQ(p.window_count, 3u);
  EXPECT_FALSE(p.detected);
  post.reset();
  ASSERT_TRUE(post.run(out, r4, out, nullptr, &p));
  EXPECT_EQ(p.label, 0);
  EXPECT_EQ(p.window_count, 1u);
}

TEST(AppPostprocess, AnomalyIsTheSumOfSquaredDifferences) {
  // Float autoencoder: (1.5 - 1)^2 + (-2 - 0)^2 + (0.25 - 0.25)^2 = 0.25 + 4 + 0 = 4.25.
  const float in[] = {1.0f, 0.0f, 0.25f};
  const float out[] = {1.5f, -2.0f, 0.25f};
  AppParams params;
  params.kind = AppKind::kAnomaly;
  float threshold = 4.0f;
  std::memcpy(&params.anomaly_threshold_sum_bits, &threshold, 4);
  Postprocessor post(params);
  Prediction p;
  ASSERT_TRUE(post.run(info_of(TensorType::kFloat32, 3), out, info_of(TensorType::kFloat32, 3), in, &p));
  float error;
  std::memcpy(&error, &p.error_bits, 4);
  EXPECT_EQ(error, 4.25f);
  EXPECT_TRUE(p.detected);
  threshold = 4.5f;
  std::memcpy(&params.anomaly_threshold_sum_bits, &threshold, 4);
  Postprocessor strict(params);
  ASSERT_TRUE(strict.run(info_of(TensorType::kFloat32, 3), out, info_of(TensorType::kFloat32, 3), in, &p));
  EXPECT_FALSE(p.detected);
}

TEST(AppPostprocess, CheckNamesWhatTheModelLacks) {
  AppParams params;
  params.kind = AppKind::kKws;
  params.kws_window = 3;
  const char* error = "";
  EXPECT_FALSE(Postprocessor(params).check(info_of(TensorType::kInt8, 4), info_of(TensorType::kFloat32, 4), &error));
  EXPECT_NE(std::strstr(error, "quantized"), nullptr);
  params.kind = AppKind::kAnomaly;
  EXPECT_FALSE(Postprocessor(params).check(info_of(TensorType::kFloat32, 4), info_of(TensorType::kFloat32, 2), &error));
  EXPECT_NE(std::strstr(error, "autoencoder"), nullptr);
}

TEST(AppReplaySource, CyclesThroughTheSamples) {
  const uint8_t data[] = {1, 2, 3, 4, 5, 6};
  app::ReplaySource source({data, 2, 3});
  const micro::TensorInfo info = info_of(TensorType::kInt8, 2);
  uint8_t got[2];
  for (int round = 0; round < 2; ++round) {
    for (uint8_t s = 0; s < 3; ++s) {
      ASSERT_TRUE(source.read(info, got));
      EXPECT_EQ(got[0], 2 * s + 1);
      EXPECT_EQ(got[1], 2 * s + 2);
    }
  }
  EXPECT_FALSE(source.read(info_of(TensorType::kInt8, 3), got));
  EXPECT_NE(std::strstr(source.error(), "size"), nullptr);
}

TEST(AppTensorFill, QuantizesWithTheInputParameters) {
  // magic_wand has a float input; person_detect's is int8 with scale 0.007843 (2/255), zero point -1.
  Runner runner(ModelBytes::load(test::shared_path("models/person_detect.tflite")));
  const micro::TensorInfo info = runner.interpreter().input_info(0);
  int8_t out[3];
  micro::TensorInfo three = info;
  three.shape.rank = 1;
  three.shape.dims[0] = 3;
  const float values[] = {0.0f, 0.5f, -1.0f};
  ASSERT_TRUE(app::quantize_into(three, values, 3, out));
  // 0 -> -1; 0.5 / (2/255) = 63.75 -> 64 - 1 = 63; -1 -> about -127.5 - 1 -> saturates at -128.
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(out[1], 63);
  EXPECT_EQ(out[2], -128);
  EXPECT_FALSE(app::quantize_into(three, values, 2, out));  // count mismatch
}

TEST(AppTextLine, FormatsWithoutPrintf) {
  app::TextLine line;
  line.str("prediction");
  line.key("a").i32(-2147483647 - 1);
  line.key("b").u64(18446744073709551615ull);
  line.key("c").hex32(0xdeadbeef);
  line.key("d").hex64(0x0123456789abcdefull);
  EXPECT_STREQ(line.c_str(), "prediction a=-2147483648 b=18446744073709551615 c=deadbeef d=0123456789abcdef");
  EXPECT_FALSE(line.truncated());
  app::TextLine long_line;
  for (int i = 0; i < 100; ++i) long_line.str("xyz");
  EXPECT_TRUE(long_line.truncated());
  EXPECT_EQ(long_line.size(), app::TextLine::kCapacity);
}

}  // namespace
}  // namespace tinyforge
