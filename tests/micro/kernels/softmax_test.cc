// SOFTMAX arithmetic: hand-worked rows and a float reference (tolerance 1 output step).
// Whole-model bit-exactness is checked by the golden test (micro_speech, person_detect,
// magic_wand, the LSTM models and keyword_scrambled's int8 -> int16 softmax).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "../../../micro/src/kernels/softmax_ref.h"

namespace tinyforge::micro {
namespace {

std::vector<double> reference(const std::vector<double>& x, double beta) {
  double max = x[0];
  for (double v : x) max = std::max(max, v);
  double sum = 0;
  std::vector<double> e;
  for (double v : x) {
    e.push_back(std::exp((v - max) * beta));
    sum += e.back();
  }
  for (double& v : e) v /= sum;
  return e;
}

TEST(SoftmaxFloat, MatchesHandComputedRows) {
  softmax::Params p;
  p.beta = 1.0f;
  const float in[] = {1.0f, 2.0f, 3.0f, 0.0f, 0.0f, 0.0f};
  float out[6];
  softmax::run_float(p, 2, 3, in, out);
  // e^-2, e^-1, 1 over their sum 1.503214724
  EXPECT_NEAR(out[0], 0.09003057f, 1e-7f);
  EXPECT_NEAR(out[1], 0.24472847f, 1e-7f);
  EXPECT_NEAR(out[2], 0.66524096f, 1e-7f);
  for (int i = 3; i < 6; ++i) EXPECT_FLOAT_EQ(out[i], 1.0f / 3.0f);
}

TEST(SoftmaxInt8, PrepareForScaleOneSixteenth) {
  softmax::Params p;
  // beta * scale * 2^26 = 2^22 -> multiplier 2^30 (0.5 in Q0.31) with shift 23;
  // radius 31 * 2^26 / 2^23 = 248.
  ASSERT_TRUE(softmax::prepare_int8_input(1.0, 1.0 / 16, &p));
  EXPECT_EQ(p.input_multiplier, 1 << 30);
  EXPECT_EQ(p.input_left_shift, 23);
  EXPECT_EQ(p.diff_min, -248);
  EXPECT_FALSE(softmax::prepare_int8_input(1.0, 1e-9, &p));  // multiplier not above one
}

TEST(SoftmaxInt8, EqualInputsSplitEvenly) {
  softmax::Params p;
  ASSERT_TRUE(softmax::prepare_int8_input(1.0, 0.1, &p));
  const int8_t in[] = {5, 5, 5, 5};
  int8_t out8[4];
  softmax::run_int8(p, 1, 4, in, out8);
  for (int8_t v : out8) EXPECT_EQ(v, -64);  // 0.25 * 256 - 128
  int16_t out16[2];
  softmax::run_int8(p, 1, 2, in, out16);
  for (int16_t v : out16) EXPECT_EQ(v, 0);  // 0.5 * 65536 - 32768
}

TEST(SoftmaxInt8, FollowsTheRealSoftmaxWithinOneStep) {
  const double scale = 0.0625;
  softmax::Params p;
  ASSERT_TRUE(softmax::prepare_int8_input(1.0, scale, &p));
  const std::vector<int8_t> in = {-128, -40, 0, 3, 17, 20, 127, 90};
  std::vector<double> x;
  for (int8_t v : in) x.push_back(v * scale);
  const std::vector<double> expected = reference(x, 1.0);
  std::vector<int8_t> out8(in.size());
  std::vector<int16_t> out16(in.size());
  softmax::run_int8(p, 1, static_cast<int32_t>(in.size()), in.data(), out8.data());
  softmax::run_int8(p, 1, static_cast<int32_t>(in.size()), in.data(), out16.data());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_NEAR(out8[i], std::min(127.0, std::round(expected[i] * 256) - 128), 1.0) << i;
    EXPECT_NEAR(out16[i], std::min(32767.0, std::round(expected[i] * 65536) - 32768), 2.0) << i;
  }
}

TEST(SoftmaxInt8, DifferencesBeyondTheRadiusGiveZero) {
  softmax::Params p;
  ASSERT_TRUE(softmax::prepare_int8_input(1.0, 1.0, &p));  // diff_min is small: -31
  const int8_t in[] = {100, 60, -100};
  int8_t out[3];
  softmax::run_int8(p, 1, 3, in, out);
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -128);
  EXPECT_EQ(out[2], -128);
}

TEST(SoftmaxInt16, FollowsTheRealSoftmax) {
  int16_t luts[2 * activation_int16::kLutSize];
  softmax::Params p;
  softmax::populate_int16_luts(luts, luts + activation_int16::kLutSize);
  p.exp_lut = luts;
  p.one_over_one_plus_x_lut = luts + activation_int16::kLutSize;
  const double scale = 1.0 / 4096;
  softmax::prepare_int16_input(1.0, scale, &p);
  const std::vector<int16_t> in = {0, 0, 4096, -4096, 2048, 12000};
  std::vector<double> x;
  for (int16_t v : in) x.push_back(v * scale);
  const std::vector<double> expected = reference(x, 1.0);
  std::vector<int16_t> out(in.size());
  softmax::run_int16(p, 1, static_cast<int32_t>(in.size()), in.data(), out.data());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_NEAR(out[i], expected[i] * 32768, 40.0) << i;
}

}  // namespace
}  // namespace tinyforge::micro
