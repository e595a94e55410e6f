// The prediction line a deployed image prints (firmware/deploy/prediction.h): the six-decimal
// formatter against the C library's printf("%.6f"), and argmax/values on hand-worked outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "deploy/prediction.h"

namespace {

namespace fw = tinyforge::firmware;
using tinyforge::micro::TensorType;

std::string fixed6(float f) {
  char buf[64];
  fw::Text t(buf, sizeof buf);
  t.add_fixed6(f);
  return t.c_str();
}

std::string printf6(float f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(f));
  return buf;
}

std::string predict(const fw::OutputView& out, bool argmax) {
  char buf[512];
  fw::Text t(buf, sizeof buf);
  EXPECT_TRUE(fw::format_prediction(out, argmax, &t));
  return t.c_str();
}

TEST(PredictionFormat, SixDecimalsMatchPrintfOnChosenValues) {
  const float values[] = {0.0f,   -0.0f,       1.0f,     0.5f,         -0.5f,      0.0000005f,  0.0000015f,
                          1e-7f,  -2.5e-6f,    123.456f, 0.058036697f, 8388607.5f, 16777215.0f, 1e12f,
                          -1e12f, 3.14159265f, 0.1f,     0.999999f,    0.9999995f, 1e-30f,      1.4e-45f};
  for (float f : values) EXPECT_EQ(fixed6(f), printf6(f)) << "bits of " << f;
}

TEST(PredictionFormat, SixDecimalsMatchPrintfOnRandomFloats) {
  std::mt19937 gen(2026);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    float f;
    if (i % 2 == 0) {
      const uint32_t bits = gen();
      std::memcpy(&f, &bits, sizeof f);
    } else {
      f = static_cast<float>(static_cast<int32_t>(gen())) / 1048576.0f;  // |f| < 2048, many decimals
    }
    if (!std::isfinite(f) || std::fabs(f) >= 8796093022208.0f) continue;  // 2^43: printed as bits
    ASSERT_EQ(fixed6(f), printf6(f)) << "value " << f;
    ++checked;
  }
  EXPECT_GT(checked, 100000);
}

TEST(PredictionFormat, HugeAndNonFiniteValues) {
  EXPECT_EQ(fixed6(8796093022208.0f), "0x55000000");  // 2^43 = 1.0 * 2^(170-127)
  EXPECT_EQ(fixed6(INFINITY), "inf");
  EXPECT_EQ(fixed6(-INFINITY), "-inf");
  EXPECT_EQ(fixed6(NAN), "nan");
}

TEST(PredictionFormat, TextNeverWritesPastItsCapacity) {
  char buf[8];
  std::memset(buf, 'x', sizeof buf);
  fw::Text t(buf, 6);
  t.add("abcdefghij");
  t.add_u64(12345);
  EXPECT_STREQ(buf, "abcde");
  EXPECT_EQ(buf[6], 'x');
}

TEST(PredictionArgmax, QuantizedInt8PicksTheFirstLargestAndDequantizesIt) {
  const int8_t q[] = {-3, 7, 7, 2};
  fw::OutputView out;
  out.type = TensorType::kInt8;
  out.data = q;
  out.count = 4;
  out.quantized = true;
  out.scale = 0.25f;
  out.zero_point = -1;
  EXPECT_EQ(predict(out, true), "class=1 score=2.000000");  // (7 - (-1)) * 0.25
}

TEST(PredictionArgmax, FloatOrderHandlesNegativesAndSignedZero) {
  const float v[] = {-0.5f, -0.25f, -1.0f};
  fw::OutputView out;
  out.type = TensorType::kFloat32;
  out.data = v;
  out.count = 3;
  EXPECT_EQ(predict(out, true), "class=1 score=-0.250000");
  const float zeros[] = {-0.0f, 0.0f, -3.0f};
  out.data = zeros;
  EXPECT_EQ(fw::argmax(out), 0u);  // -0 and +0 are equal: the first wins
  EXPECT_LT(fw::float_order_key(-2.0f), fw::float_order_key(-1.0f));
  EXPECT_LT(fw::float_order_key(-1.0f), fw::float_order_key(0.5f));
}

TEST(PredictionValues, Int16QuantizedAndInt32Plain) {
  const int16_t q16[] = {1000, -200};
  fw::OutputView out;
  out.type = TensorType::kInt16;
  out.data = q16;
  out.count = 2;
  out.quantized = true;
  out.scale = 0.5f;
  out.zero_point = 0;
  EXPECT_EQ(predict(out, false), "values=500.000000,-100.000000");
  const int32_t q32[] = {-7};
  out.type = TensorType::kInt32;
  out.data = q32;
  out.count = 1;
  out.quantized = false;
  EXPECT_EQ(predict(out, false), "values=-7.000000");
}

TEST(PredictionValues, LongOutputsAreCutAfterSixteenValues) {
  uint8_t q[20];
  for (int i = 0; i < 20; ++i) q[i] = static_cast<uint8_t>(i);
  fw::OutputView out;
  out.type = TensorType::kUInt8;
  out.data = q;
  out.count = 20;
  std::string expected = "values=";
  for (int i = 0; i < 16; ++i) expected += std::to_string(i) + ".000000,";
  expected += "...(20 values)";
  EXPECT_EQ(predict(out, false), expected);
}

TEST(PredictionValues, UnsupportedTypesAppendNothing) {
  const uint8_t b[] = {1, 0};
  fw::OutputView out;
  out.type = TensorType::kBool;
  out.data = b;
  out.count = 2;
  char buf[32];
  fw::Text t(buf, sizeof buf);
  EXPECT_FALSE(fw::format_prediction(out, true, &t));
  EXPECT_STREQ(t.c_str(), "");
}

}  // namespace
