// gemmlowp-style fixed point and the int16 tables, against double-precision math
// (tolerances are a few units in the last place of each format).
#include "../../../micro/src/kernels/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "../../../micro/src/kernels/activation_int16.h"

namespace tinyforge::micro {
namespace {

namespace fp = fixed_point;

double q(int32_t raw, int integer_bits) {
  return raw / std::ldexp(1.0, 31 - integer_bits);
}
int32_t raw(double x, int integer_bits) {
  return static_cast<int32_t>(std::lround(std::ldexp(x, 31 - integer_bits)));
}

TEST(FixedPoint, SaturatingPowerOfTwoMultiply) {
  EXPECT_EQ(fp::saturating_rounding_mul_by_pot<2>(1 << 20), 1 << 22);
  EXPECT_EQ(fp::saturating_rounding_mul_by_pot<2>(1 << 29), INT32_MAX);
  EXPECT_EQ(fp::saturating_rounding_mul_by_pot<2>(-(1 << 29) - 1), INT32_MIN);
  EXPECT_EQ(fp::saturating_rounding_mul_by_pot<-2>(6), 2);    // 1.5 rounds up
  EXPECT_EQ(fp::saturating_rounding_mul_by_pot<-2>(-6), -2);  // -1.5 rounds away from zero
}

TEST(FixedPoint, RoundingHalfSum) {
  EXPECT_EQ(fp::rounding_half_sum(1, 2), 2);
  EXPECT_EQ(fp::rounding_half_sum(-1, -2), -2);
  EXPECT_EQ(fp::rounding_half_sum(INT32_MAX, INT32_MAX), INT32_MAX);
}

TEST(FixedPoint, ExpOnNegativeValuesQ5) {
  EXPECT_EQ(fp::exp_on_negative_values<5>(0), INT32_MAX);
  for (double x : {-0.001, -0.1, -0.25, -0.3, -1.0, -2.5, -7.75, -15.9, -31.0}) {
    const double got = q(fp::exp_on_negative_values<5>(raw(x, 5)), 0);
    EXPECT_NEAR(got, std::exp(x), 5e-7) << x;  // 4th-order Taylor error ~2.5e-7
  }
}

TEST(FixedPoint, ExpOnNegativeValuesBelowMinus32IsZeroWithSixIntegerBits) {
  EXPECT_EQ(fp::exp_on_negative_values<6>(raw(-33.0, 6)), 0);
  EXPECT_NEAR(q(fp::exp_on_negative_values<6>(raw(-3.0, 6)), 0), std::exp(-3.0), 2e-7);
}

TEST(FixedPoint, OneOverOnePlusX) {
  for (double x : {0.01, 0.25, 0.5, 0.9}) {
    EXPECT_NEAR(q(fp::one_over_one_plus_x_for_x_in_0_1(raw(x, 0)), 0), 1.0 / (1.0 + x), 2e-8) << x;
    EXPECT_NEAR(q(fp::one_minus_x_over_one_plus_x_for_x_in_0_1(raw(x, 0)), 0), (1.0 - x) / (1.0 + x), 2e-8) << x;
  }
}

TEST(FixedPoint, LogisticAndTanhQ4) {
  EXPECT_EQ(fp::logistic<4>(0), 1 << 30);
  EXPECT_EQ(fp::tanh<4>(0), 0);
  for (double x : {-7.9, -3.0, -0.5, -0.01, 0.01, 0.5, 1.0, 3.0, 7.9}) {
    EXPECT_NEAR(q(fp::logistic<4>(raw(x, 4)), 0), 1.0 / (1.0 + std::exp(-x)), 3e-7) << x;
    EXPECT_NEAR(q(fp::tanh<4>(raw(x, 4)), 0), std::tanh(x), 5e-7) << x;
  }
}

TEST(FixedPoint, ReciprocalOfAQ12Value) {
  for (double x : {1.0, 1.25, 3.0, 100.5, 2047.0}) {
    int bits_over_unit = 0;
    const int32_t r = fp::reciprocal(raw(x, 12), 12, &bits_over_unit);
    EXPECT_NEAR(q(r, 0) / std::ldexp(1.0, bits_over_unit), 1.0 / x, 1e-8 / x) << x;
  }
}

TEST(SigmoidTable, IsSigmoidOfIOver24InQ016) {
  for (int i = 0; i < 256; ++i) {
    const double expected = 65536.0 / (1.0 + std::exp(-i / 24.0));
    // The table's own rounding is off by up to ~1.1 steps in places.
    EXPECT_NEAR(activation_int16::kSigmoidTable[i], std::min(expected, 65535.0), 1.5) << i;
    if (i > 0) EXPECT_GE(activation_int16::kSigmoidTable[i], activation_int16::kSigmoidTable[i - 1]) << i;
  }
}

TEST(Int16Activations, PowerOfTwoInputInQ3_12) {
  // multiplier 0 / shift 0: input scale 2^-12 (Q3.12), output Q0.15.
  const int16_t in[] = {0, 4096, -4096, 8192, 32767, -32768};
  int16_t sig[6];
  int16_t th[6];
  activation_int16::logistic(0, 0, 6, in, sig);
  activation_int16::tanh(0, 0, 6, in, th);
  for (int i = 0; i < 6; ++i) {
    const double x = in[i] / 4096.0;
    EXPECT_NEAR(sig[i], 32768.0 / (1.0 + std::exp(-x)), 3.0) << x;
    EXPECT_NEAR(th[i], std::min(32767.0, 32768.0 * std::tanh(x)), 4.0) << x;
  }
  EXPECT_EQ(sig[0], 16384);  // exactly one half
  EXPECT_EQ(th[0], 0);
}

TEST(Int16Lut, LookupInterpolatesBetweenEntries) {
  int16_t lut[activation_int16::kLutSize];
  for (int i = 0; i < activation_int16::kLutSize; ++i) lut[i] = static_cast<int16_t>(i * 10 - 2560);
  // value 0: segment 256, offset 0 -> lut[256] = 0; value 64: half way to lut[257] = 10 -> 5.
  EXPECT_EQ(activation_int16::lut_lookup(0, lut), 0);
  EXPECT_EQ(activation_int16::lut_lookup(64, lut), 5);
  EXPECT_EQ(activation_int16::lut_lookup(-128, lut), -10);
}

float identity(float x) {
  return x;
}

TEST(Int16Lut, PopulatedIdentityTableMapsValuesToThemselves) {
  int16_t lut[activation_int16::kLutSize];
  // Input and output both span [-1, 1) with 2^-15 steps: the table is the identity.
  activation_int16::populate_lut(1.0f / 32768, 0, 1.0f / 32768, 0, identity, lut);
  for (int v : {-32768, -1000, 0, 1, 777, 32767}) {
    EXPECT_NEAR(activation_int16::lut_lookup(static_cast<int16_t>(v), lut), v, 1) << v;
  }
}

}  // namespace
}  // namespace tinyforge::micro
