// Fixed-point math on int32 raw values in the style of gemmlowp's FixedPoint, which
// TFLite's integer softmax, logistic and tanh kernels are built on. A value is a raw
// int32 plus a compile-time count of integer bits IB (format Q IB.(31-IB)); products add
// the integer bits, exactly as gemmlowp does. Every function reproduces gemmlowp's
// rounding, saturation and wrap-around so results match TFLite bit for bit.
//
// Only int32 raw values are provided (all the TFLM kernels we mirror use int32 here);
// the int16 activations of LSTMs go through the table-driven functions in
// activation_int16.h instead.
#pragma once

#include <limits.h>
#include <stdint.h>

#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace fixed_point {

// gemmlowp adds and negates without saturation; the hardware wraps. Doing it on uint32
// gives the same bits without signed-overflow undefined behaviour.
inline int32_t wrap_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrap_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t wrap_neg(int32_t a) {
  return static_cast<int32_t>(0u - static_cast<uint32_t>(a));
}

// Product of two fixed-point numbers: the raw values multiply as Q0.31 numbers.
inline int32_t mul(int32_t a, int32_t b) {
  return saturating_rounding_doubling_high_mul(a, b);
}

// x * 2^Exponent: a saturating left shift for Exponent > 0, a round-to-nearest right
// shift for Exponent < 0.
template <int Exponent>
inline int32_t saturating_rounding_mul_by_pot(int32_t x) {
  if (Exponent == 0) return x;
  if (Exponent < 0) return rounding_divide_by_pot(x, Exponent < 0 ? -Exponent : 0);
  constexpr int kShift = Exponent > 0 ? Exponent : 0;
  constexpr int32_t kThreshold = static_cast<int32_t>((int64_t{1} << (31 - kShift)) - 1);
  if (x > kThreshold) return INT32_MAX;
  if (x < -kThreshold) return INT32_MIN;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << kShift);
}

// Changes the format of a raw value from Q Src.(31-Src) to Q Dst.(31-Dst).
template <int DstIntegerBits, int SrcIntegerBits>
inline int32_t rescale(int32_t x) {
  return saturating_rounding_mul_by_pot<SrcIntegerBits - DstIntegerBits>(x);
}

// (a + b) / 2 rounded half away from zero, computed without overflow.
inline int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + static_cast<int64_t>(b);
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

// Raw value of 1.0 in a format with IB integer bits (the largest raw value when IB == 0).
template <int IntegerBits>
constexpr int32_t one() {
  return IntegerBits == 0 ? INT32_MAX : static_cast<int32_t>(int32_t{1} << (31 - IntegerBits));
}

// exp(a) for a in [-1/4, 0), a in Q0.31: a fourth-order Taylor expansion around -1/8.
inline int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t kExpMinusOneEighth = 1895147668;    // exp(-1/8) in Q0.31
  const int32_t kOneThird = 715827883;              // 1/3 in Q0.31
  const int32_t x = wrap_add(a, int32_t{1} << 28);  // a + 1/8
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = saturating_rounding_mul_by_pot<-2>(x4);
  const int32_t poly = saturating_rounding_mul_by_pot<-1>(wrap_add(mul(wrap_add(x4_over_4, x3), kOneThird), x2));
  return wrap_add(kExpMinusOneEighth, mul(kExpMinusOneEighth, wrap_add(x, poly)));
}

// exp(a) for a <= 0 given in Q IB.(31-IB); the result is in Q0.31. The input is split
// into a remainder in [-1/4, 0) (Taylor series) and multiples of powers of two whose
// exponentials are applied as constant factors.
template <int IntegerBits>
inline int32_t exp_on_negative_values(int32_t a) {
  constexpr int kFractionalBits = 31 - IntegerBits;
  constexpr int32_t kOneQuarter = int32_t{1} << (kFractionalBits - 2);
  const int32_t mask = kOneQuarter - 1;
  const int32_t a_mod_quarter_minus_one_quarter = wrap_sub(a & mask, kOneQuarter);
  int32_t result =
      exp_on_interval_between_negative_one_quarter_and_0_excl(rescale<0, IntegerBits>(a_mod_quarter_minus_one_quarter));
  const int32_t remainder = wrap_sub(a_mod_quarter_minus_one_quarter, a);

  // exp(-2^k) in Q0.31 for k = -2 .. 4.
  static constexpr int32_t kFactors[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = -2; k <= 4; ++k) {
    if (IntegerBits > k) {
      const int shift = kFractionalBits + k;
      if (remainder & static_cast<int32_t>(uint32_t{1} << shift)) result = mul(result, kFactors[k + 2]);
    }
  }
  if (IntegerBits > 5) {
    // Below -32 the result is zero at this precision.
    const int32_t clamp = -static_cast<int32_t>(int64_t{1} << (IntegerBits > 5 ? 36 - IntegerBits : 0));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = one<0>();
  return result;
}

// One Newton-Raphson reciprocal shared by the two functions below: returns
// 1 / (1 + a) for a in (0, 1), in Q2.29.
inline int32_t newton_reciprocal_half_denominator(int32_t half_denominator) {
  const int32_t kConst48Over17 = 1515870810;      // Q2.29
  const int32_t kConstNeg32Over17 = -1010580540;  // Q2.29
  int32_t x = wrap_add(kConst48Over17, mul(half_denominator, kConstNeg32Over17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = mul(half_denominator, x);       // Q2.29
    const int32_t one_minus = wrap_sub(one<2>(), half_denominator_times_x);  // Q2.29
    x = wrap_add(x, rescale<2, 4>(mul(x, one_minus)));
  }
  return x;  // 1 / half_denominator in Q2.29
}

// 1 / (1 + a) for a in (0, 1), Q0.31 in and out.
inline int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, one<0>());
  const int32_t x = newton_reciprocal_half_denominator(half_denominator);
  // x / 2, seen as Q1.30, brought back to Q0.31.
  return rescale<0, 1>(x);
}

// (1 - a) / (1 + a) for a in (0, 1), Q0.31 in and out.
inline int32_t one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, one<0>());
  const int32_t x = newton_reciprocal_half_denominator(half_denominator);
  return rescale<0, 2>(wrap_sub(x, one<2>()));
}

// tanh(a) for a in Q IB.(31-IB); result in Q0.31.
template <int IntegerBits>
inline int32_t tanh(int32_t a) {
  if (a == 0) return 0;
  const bool negative = a < 0;
  const int32_t n = negative ? a : wrap_neg(a);  // -|a|
  // -tanh(n) = (1 - exp(2n)) / (1 + exp(2n)); 2n is n read with one more integer bit.
  const int32_t t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values<IntegerBits + 1>(n));
  return negative ? wrap_neg(t) : t;
}

// logistic(a) = 1 / (1 + exp(-a)) for a in Q IB.(31-IB); result in Q0.31.
template <int IntegerBits>
inline int32_t logistic(int32_t a) {
  if (a == 0) return int32_t{1} << 30;  // 0.5
  const bool positive = a > 0;
  const int32_t abs_a = positive ? a : wrap_neg(a);
  const int32_t on_positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values<IntegerBits>(wrap_neg(abs_a)));
  return positive ? on_positive : wrap_sub(one<0>(), on_positive);
}

// Number of leading zero bits of x (32 for 0).
inline int count_leading_zeros(uint32_t x) {
  return x == 0 ? 32 : __builtin_clz(x);
}

// 1 / x for a positive x with `x_integer_digits` integer bits, as a Q0.31 value times
// 2^-num_bits_over_unit (TFLite's GetReciprocal).
inline int32_t reciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const uint32_t shifted = headroom_plus_one >= 32 ? 0u : (static_cast<uint32_t>(x) << headroom_plus_one);
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(shifted - (uint32_t{1} << 31));
  return one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

}  // namespace fixed_point
}  // namespace micro
}  // namespace tinyforge
