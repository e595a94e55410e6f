// Quantization parameters worked out by hand from TF's rules (asymmetric nudging, symmetric
// narrow-range weights, bias scale products), and float16 rounding of known bit patterns.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "convert/quantize/tensor_data.h"
#include "tinyforge/convert/quantize.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {
namespace {

GraphTensor float_constant(std::vector<int32_t> shape, const std::vector<float>& v) {
  GraphTensor t;
  t.name = "w";
  t.shape = std::move(shape);
  t.data.resize(v.size() * 4);
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

TEST(QuantParams, AsymmetricInt8MinusOneToThree) {
  // scale = (3 - -1) / 255; zero point = -128 - (-1) / (4/255) = -128 + 63.75 = -64.25 -> -64.
  const QuantParams q = asymmetric_params(-1.0f, 3.0f, -128, 127);
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_FLOAT_EQ(q.scales.at(0), 4.0f / 255.0f);
  EXPECT_EQ(q.zero_points.at(0), -64);
}

TEST(QuantParams, AsymmetricRoundsZeroPointToNearest) {
  // [-0.3, 1]: scale 1.3/255, zero point -128 + 0.3 * 255 / 1.3 = -128 + 58.846 = -69.15 -> -69.
  const QuantParams q = asymmetric_params(-0.3f, 1.0f, -128, 127);
  EXPECT_FLOAT_EQ(q.scales.at(0), 1.3f / 255.0f);
  EXPECT_EQ(q.zero_points.at(0), -69);
}

TEST(QuantParams, RangeExcludingZeroIsWidenedToHoldIt) {
  // [2, 6] -> [0, 6]: scale 6/255, zero point at qmin.
  QuantParams q = asymmetric_params(2.0f, 6.0f, -128, 127);
  EXPECT_FLOAT_EQ(q.scales.at(0), 6.0f / 255.0f);
  EXPECT_EQ(q.zero_points.at(0), -128);
  // [-5, -1] -> [-5, 0]: zero point -128 + 5 / (5/255) = 127.
  q = asymmetric_params(-5.0f, -1.0f, -128, 127);
  EXPECT_FLOAT_EQ(q.scales.at(0), 5.0f / 255.0f);
  EXPECT_EQ(q.zero_points.at(0), 127);
  // Nothing but zero: any scale represents it; TF uses 1.
  q = asymmetric_params(0.0f, 0.0f, -128, 127);
  EXPECT_EQ(q.scales.at(0), 1.0f);
  EXPECT_EQ(q.zero_points.at(0), 0);
}

TEST(QuantParams, SymmetricInt16) {
  const QuantParams q = symmetric_params(-3.0f, 1.0f, 32767);
  EXPECT_FLOAT_EQ(q.scales.at(0), 3.0f / 32767.0f);
  EXPECT_EQ(q.zero_points.at(0), 0);
}

TEST(QuantParams, PerChannelWeightsAxis0) {
  // Channel 0: max |w| = 2.54 -> scale 0.02; 0.5 -> 25, -2.54 -> -127, 0.1 -> 5.
  // Channel 1: max |w| = 127 -> scale 1; 64.4 -> 64.
  const GraphTensor w = float_constant({2, 3}, {0.5f, -2.54f, 0.1f, 127.0f, -3.0f, 64.4f});
  QuantParams q;
  const std::vector<int8_t> data = quantize_weights_symmetric(w, 0, &q);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_FLOAT_EQ(q.scales.at(0), 0.02f);
  EXPECT_FLOAT_EQ(q.scales[1], 1.0f);
  EXPECT_EQ(q.zero_points, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(q.axis, 0);
  EXPECT_EQ(data, (std::vector<int8_t>{25, -127, 5, 127, -3, 64}));
}

TEST(QuantParams, PerChannelWeightsAxis3LikeDepthwise) {
  // [1, 1, 2, 2] in memory order (w, c): c0 = {0.5, -1.27} -> scale 0.01; c1 = {-2, 8} -> 8/127.
  const GraphTensor w = float_constant({1, 1, 2, 2}, {0.5f, -2.0f, -1.27f, 8.0f});
  QuantParams q;
  const std::vector<int8_t> data = quantize_weights_symmetric(w, 3, &q);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_FLOAT_EQ(q.scales.at(0), 0.01f);
  EXPECT_FLOAT_EQ(q.scales[1], 8.0f / 127.0f);
  EXPECT_EQ(q.axis, 3);
  // -2 / (8/127) = -31.75 -> -32.
  EXPECT_EQ(data, (std::vector<int8_t>{50, -32, -127, 127}));
}

TEST(QuantParams, PerTensorWeightsAndAllZeroChannel) {
  const GraphTensor w = float_constant({2, 2}, {0.0f, 0.0f, 0.0f, 0.0f});
  QuantParams q;
  EXPECT_EQ(quantize_weights_symmetric(w, -1, &q), (std::vector<int8_t>{0, 0, 0, 0}));
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_EQ(q.scales.at(0), 1.0f);
}

TEST(QuantParams, BiasScaleIsInputScaleTimesWeightScale) {
  // scales 0.5 * {0.01, 0.02} = {0.005, 0.01}; 1.0 / 0.005 = 200, -3.0 / 0.01 = -300.
  QuantParams q;
  const std::vector<uint8_t> bytes = quantize_bias({1.0f, -3.0f}, 0.5f, {0.01f, 0.02f}, TensorType::kInt32, &q);
  ASSERT_EQ(bytes.size(), 8u);
  int32_t v[2];
  std::memcpy(v, bytes.data(), 8);
  EXPECT_EQ(v[0], 200);
  EXPECT_EQ(v[1], -300);
  EXPECT_FLOAT_EQ(q.scales.at(0), 0.005f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.01f);
  EXPECT_EQ(q.zero_points, (std::vector<int64_t>{0, 0}));
  // int64 for int16 activations: 3e5 / (1e-3 * 1e-3) = 3e11 does not fit int32.
  const std::vector<uint8_t> wide = quantize_bias({3e5f}, 1e-3f, {1e-3f}, TensorType::kInt64, &q);
  ASSERT_EQ(wide.size(), 8u);
  int64_t w64;
  std::memcpy(&w64, wide.data(), 8);
  EXPECT_NEAR(static_cast<double>(w64), 3e11, 3e11 * 1e-6);
}

TEST(QuantParams, Float16RoundingOfKnownValues) {
  using detail::float_to_half;
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(1.0f / 3.0f), 0x3555);                   // 0.33325195..., the nearest half
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);                      // largest half
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);                      // halfway to 2^16 rounds (to even) up: infinity
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);         // smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);         // half of it: tie to even 0
  EXPECT_EQ(float_to_half(3.0f * std::ldexp(1.0f, -25)), 0x0002);  // 1.5 ulp: tie to even 2
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie: stays even
  EXPECT_EQ(float_to_half(1.0f + 3.0f * std::ldexp(1.0f, -11)), 0x3c02);  // tie: up to even
  EXPECT_EQ(detail::half_to_float(0x3555), 0.333251953125f);
}

TEST(QuantParams, ModeAndObserverNames) {
  EXPECT_EQ(parse_quant_mode("int16x8"), QuantMode::kInt16x8);
  EXPECT_EQ(parse_observer("mse"), Observer::kMse);
  try {
    parse_quant_mode("int4");
    FAIL() << "int4 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("float16, dynamic, int8, int16x8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_observer("kl"), Error);
}

}  // namespace
}  // namespace tinyforge::convert
