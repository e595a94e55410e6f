// SVDF arithmetic on small cases worked out by hand (the arithmetic in each comment).
// Whole-model bit-exactness against TFLite Micro is the golden test's job
// (keyword_scrambled and keyword_scrambled_8bit run seven SVDFs each).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "../../../micro/src/kernels/svdf_math.h"

namespace tinyforge::micro {
namespace {

SvdfDims dims(int32_t batches, int32_t input_size, int32_t filters, int32_t rank, int32_t memory) {
  SvdfDims d;
  d.batches = batches;
  d.input_size = input_size;
  d.num_filters = filters;
  d.rank = rank;
  d.num_units = filters / rank;
  d.memory_size = memory;
  return d;
}

TEST(SvdfFloat, RankTwoSumsBothFiltersAndKeepsHistory) {
  const SvdfDims d = dims(1, 2, 2, 2, 2);
  const float wf[] = {1.0f, 2.0f, 0.5f, -1.0f};  // filter 0, filter 1
  const float wt[] = {1.0f, 10.0f, 2.0f, 3.0f};  // per filter: oldest, newest
  const float bias[] = {0.25f};
  float state[4] = {};
  float out[1] = {};

  // features: 1+2 = 3, 0.5-1 = -0.5; time: 10*3 = 30, 3*-0.5 = -1.5; 0.25+30-1.5
  const float x1[] = {1.0f, 1.0f};
  svdf_eval_float(d, Activation::kNone, x1, wf, wt, bias, state, out);
  EXPECT_FLOAT_EQ(out[0], 28.75f);
  const float state1[] = {0.0f, 3.0f, 0.0f, -0.5f};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(state[i], state1[i]) << i;

  // features: 2-2 = 0, 1+1 = 2; time: 1*3 + 10*0 = 3, 2*-0.5 + 3*2 = 5; 0.25+3+5
  const float x2[] = {2.0f, -1.0f};
  svdf_eval_float(d, Activation::kNone, x2, wf, wt, bias, state, out);
  EXPECT_FLOAT_EQ(out[0], 8.25f);
  const float state2[] = {3.0f, 0.0f, -0.5f, 2.0f};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(state[i], state2[i]) << i;
}

TEST(SvdfFloat, BatchesKeepSeparateStateAndReluApplies) {
  const SvdfDims d = dims(2, 1, 1, 1, 2);
  const float wf[] = {2.0f};
  const float wt[] = {-1.0f, 1.0f};
  float state[4] = {};
  float out[2] = {};

  // batch 0: x=1 -> feature 2, -0 + 2 = 2; batch 1: x=3 -> feature 6 -> 6
  const float x1[] = {1.0f, 3.0f};
  svdf_eval_float(d, Activation::kRelu, x1, wf, wt, /*bias=*/nullptr, state, out);
  EXPECT_FLOAT_EQ(out[0], 2.0f);
  EXPECT_FLOAT_EQ(out[1], 6.0f);

  // batch 0: x=3 -> history [2, 6] -> -2+6 = 4; batch 1: x=1 -> [6, 2] -> -4 -> relu 0
  const float x2[] = {3.0f, 1.0f};
  svdf_eval_float(d, Activation::kRelu, x2, wf, wt, nullptr, state, out);
  EXPECT_FLOAT_EQ(out[0], 4.0f);
  EXPECT_FLOAT_EQ(out[1], 0.0f);
}

TEST(SvdfFloat, FusedActivations) {
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kRelu6, 7.5f), 6.0f);
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kRelu6, -2.0f), 0.0f);
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kReluN1To1, -3.0f), -1.0f);
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kReluN1To1, 0.5f), 0.5f);
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kTanh, 0.5f), std::tanh(0.5f));
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kSignBit, -0.0f), 1.0f);
  EXPECT_FLOAT_EQ(svdf_activation_float(Activation::kSignBit, 2.0f), 0.0f);
}

SvdfQuantParams quant(double feature_scale, double output_scale, int32_t input_zp, int32_t state_zp,
                      int32_t output_zp) {
  SvdfQuantParams q;
  int shift = 0;
  quantize_multiplier(feature_scale, &q.feature_multiplier, &shift);
  q.feature_shift = shift;
  quantize_multiplier(output_scale, &q.output_multiplier, &shift);
  q.output_shift = shift;
  q.input_zero_point = input_zp;
  q.state_zero_point = state_zp;
  q.output_zero_point = output_zp;
  return q;
}

TEST(SvdfInteger, Int16StateTwoSteps) {
  const SvdfDims d = dims(1, 2, 2, 1, 2);
  const SvdfQuantParams q = quant(0.5, 0.25, /*input_zp=*/1, /*state_zp=*/0, /*output_zp=*/-3);
  const int8_t wf[] = {2, -1, 3, 4};
  const int16_t wt[] = {1, 2, -3, 5};
  const int32_t bias[] = {8, -6};
  int16_t state[4] = {};
  int8_t out[2] = {};

  // x - zp = [4, -4]; features 8+4 = 12 -> 6, 12-16 = -4 -> -2
  // time: 2*6 = 12, 5*-2 = -10; units (8+12)/4 - 3 = 2, (-6-10)/4 - 3 = -7
  const int8_t x1[] = {5, -3};
  svdf_eval_integer<int16_t>(d, q, x1, wf, wt, bias, state, out);
  EXPECT_EQ(int{out[0]}, 2);
  EXPECT_EQ(int{out[1]}, -7);
  const int16_t state1[] = {0, 6, 0, -2};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(int{state[i]}, int{state1[i]}) << i;

  // x - zp = [0, 2]; features -2 -> -1, 8 -> 4; time: 6 + 2*-1 = 4, -3*-2 + 5*4 = 26
  // units (8+4)/4 - 3 = 0, (-6+26)/4 - 3 = 2
  const int8_t x2[] = {1, 3};
  svdf_eval_integer<int16_t>(d, q, x2, wf, wt, bias, state, out);
  EXPECT_EQ(int{out[0]}, 0);
  EXPECT_EQ(int{out[1]}, 2);
  const int16_t state2[] = {6, -1, -2, 4};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(int{state[i]}, int{state2[i]}) << i;
}

TEST(SvdfInteger, Int8StateAddsZeroPointBeforeSaturating) {
  const SvdfDims d = dims(1, 1, 1, 1, 2);
  const SvdfQuantParams q = quant(2.0, 0.125, /*input_zp=*/0, /*state_zp=*/-50, /*output_zp=*/100);
  const int8_t wf[] = {1};
  const int8_t wt[] = {2, 1};
  int8_t state[2] = {-50, -50};  // int8 state starts at its zero point
  int8_t out[1] = {};

  // feature 2*75 = 150, stored 150-50 = 100 (clamping first would give 127-50 = 77)
  // time: 2*(-50+50) + 1*(100+50) = 150; 150/8 = 18.75 -> 19; +100
  const int8_t x1[] = {75};
  svdf_eval_integer<int8_t>(d, q, x1, wf, wt, /*bias=*/nullptr, state, out);
  EXPECT_EQ(int{state[0]}, -50);
  EXPECT_EQ(int{state[1]}, 100);
  EXPECT_EQ(int{out[0]}, 119);

  // feature 254 - 50 = 204 saturates to 127; time 2*150 + 1*177 = 477; 477/8 = 59.6 -> 60;
  // 60 + 100 = 160 saturates to 127
  const int8_t x2[] = {127};
  svdf_eval_integer<int8_t>(d, q, x2, wf, wt, nullptr, state, out);
  EXPECT_EQ(int{state[0]}, 100);
  EXPECT_EQ(int{state[1]}, 127);
  EXPECT_EQ(int{out[0]}, 127);
}

}  // namespace
}  // namespace tinyforge::micro
