// SOFTMAX arithmetic of TFLite Micro's reference kernels, split from the kernel record so
// tests can drive it directly. Rows are the innermost dimension: `outer` rows of `depth`.
#pragma once

#include <float.h>
#include <math.h>
#include <stdint.h>

#include "activation_int16.h"
#include "fixed_point.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace softmax {

// Integer bits of the scaled input difference (Q5.26) and of the sum of exponentials.
constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

struct Params {
  float beta = 1.0f;  // float path
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;              // int8 path: differences below this give exp() == 0
  const int16_t* exp_lut = nullptr;  // int16 path, 513 entries each
  const int16_t* one_over_one_plus_x_lut = nullptr;
};

// int8 input: beta * input_scale as a Q0.31 multiplier with a left shift that maps
// input differences into Q5.26, and the smallest difference that still matters.
// Returns false when the multiplier would not be greater than one (TFLite aborts there).
inline bool prepare_int8_input(double beta, double input_scale, Params* p) {
  const double kMaxRealMultiplier = static_cast<double>((int64_t{1} << 31) - 1);
  double real = beta * input_scale * static_cast<double>(int32_t{1} << (31 - kScaledDiffIntegerBits));
  if (real > kMaxRealMultiplier) real = kMaxRealMultiplier;
  if (!(real > 1.0)) return false;
  int shift = 0;
  quantize_multiplier(real, &p->input_multiplier, &shift);
  if (shift < 0 || shift > 31) return false;
  p->input_left_shift = shift;
  // The largest |difference| whose rescaled value still fits in Q5.26 (floored).
  const double radius = 1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
                        static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)) /
                        static_cast<double>(int64_t{1} << shift);
  p->diff_min = -static_cast<int32_t>(floor(radius));
  return true;
}

// int16 input: differences are rescaled so that [-65535, 0] covers [-10, 0].
inline void prepare_int16_input(double beta, double input_scale, Params* p) {
  int shift = 0;
  quantize_multiplier(input_scale * beta / (10.0 / 65535.0), &p->input_multiplier, &shift);
  p->input_left_shift = shift;
}

inline float lut_exp(float x) {
  return expf(x);
}
inline float lut_one_over_one_plus_x(float x) {
  return 1.0f / (1.0f + x);
}

// Fills the two int16 tables: exp on [-10, 0] and 1 / (1 + x) on [0, 1], both into [-1, 1).
inline void populate_int16_luts(int16_t* exp_lut, int16_t* one_over_one_plus_x_lut) {
  const float range = 65535.0f;
  activation_int16::populate_lut(10.0f / range, 32767, 2.0f / range, 0, lut_exp, exp_lut);
  activation_int16::populate_lut(1.0f / range, -32768, 2.0f / range, 0, lut_one_over_one_plus_x,
                                 one_over_one_plus_x_lut);
}

inline void run_float(const Params& p, int32_t outer, int32_t depth, const float* in, float* out) {
  for (int32_t i = 0; i < outer; ++i) {
    const float* x = in + i * depth;
    float* y = out + i * depth;
    float max = -FLT_MAX;
    for (int32_t c = 0; c < depth; ++c) max = x[c] > max ? x[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < depth; ++c) {
      const float e = expf((x[c] - max) * p.beta);
      y[c] = e;
      sum += e;
    }
    for (int32_t c = 0; c < depth; ++c) y[c] = y[c] / sum;
  }
}

// int8 input, int8 or int16 output (output zero point at the type's minimum).
template <typename OutT>
inline void run_int8(const Params& p, int32_t outer, int32_t depth, const int8_t* in, OutT* out) {
  constexpr int32_t kOutMin = sizeof(OutT) == 1 ? -128 : -32768;
  constexpr int32_t kOutMax = sizeof(OutT) == 1 ? 127 : 32767;
  namespace fp = fixed_point;
  for (int32_t i = 0; i < outer; ++i) {
    const int8_t* x = in + i * depth;
    OutT* y = out + i * depth;
    int32_t max = -128;
    for (int32_t c = 0; c < depth; ++c) max = x[c] > max ? x[c] : max;

    int32_t sum_of_exps = 0;  // Q12.19
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      if (diff >= p.diff_min) {
        const int32_t scaled = fp::mul(diff * (1 << p.input_left_shift), p.input_multiplier);
        const int32_t e = fp::exp_on_negative_values<kScaledDiffIntegerBits>(scaled);
        sum_of_exps = fp::wrap_add(sum_of_exps, fp::rescale<kAccumulationIntegerBits, 0>(e));
      }
    }

    int num_bits_over_unit = 0;
    const int32_t shifted_scale = fp::reciprocal(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);
    int exponent = num_bits_over_unit + 31 - static_cast<int>(sizeof(OutT) * 8);
    // The sum holds at least exp(0) = 1, so this stays in range; clamp defensively.
    exponent = exponent < 0 ? 0 : (exponent > 31 ? 31 : exponent);

    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      if (diff >= p.diff_min) {
        const int32_t scaled = fp::mul(diff * (1 << p.input_left_shift), p.input_multiplier);
        const int32_t e = fp::exp_on_negative_values<kScaledDiffIntegerBits>(scaled);
        const int32_t unsat = rounding_divide_by_pot(fp::mul(shifted_scale, e), exponent);
        y[c] = static_cast<OutT>(clamp_i32(unsat + kOutMin, kOutMin, kOutMax));
      } else {
        y[c] = static_cast<OutT>(kOutMin);
      }
    }
  }
}

// int16 in and out (output Q0.15), through the exp and reciprocal tables. The output row
// holds the exponentials between the two passes.
inline void run_int16(const Params& p, int32_t outer, int32_t depth, const int16_t* in, int16_t* out) {
  using activation_int16::lut_lookup;
  for (int32_t i = 0; i < outer; ++i) {
    const int16_t* x = in + i * depth;
    int16_t* y = out + i * depth;
    int16_t max = -32768;
    for (int32_t c = 0; c < depth; ++c) max = x[c] > max ? x[c] : max;

    int32_t sum_of_exps = 0;  // Q16.15
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = x[c] - max;
      const int32_t scaled = multiply_by_quantized_multiplier(diff, p.input_multiplier, p.input_left_shift);
      const int32_t centred = clamp_i32(scaled + 32767, -32768, 32767);
      y[c] = lut_lookup(static_cast<int16_t>(centred), p.exp_lut);
      sum_of_exps += y[c];
    }

    const int headroom_plus_one = fixed_point::count_leading_zeros(static_cast<uint32_t>(sum_of_exps));
    const int32_t shifted_sum =
        static_cast<int32_t>(((static_cast<int64_t>(sum_of_exps) << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    // The table holds 1 / (1 + x): x = sum - 1, recentred from [0, 65535] to int16.
    const int32_t centred_sum = clamp_i32(shifted_sum - ((1 << 15) + (1 << 16)), -32768, 32767);
    const int16_t reciprocal = lut_lookup(static_cast<int16_t>(centred_sum), p.one_over_one_plus_x_lut);

    const int right_shift = 31 - headroom_plus_one;
    const int64_t rounding = right_shift > 0 ? (int64_t{1} << (right_shift - 1)) : 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t r = static_cast<int32_t>((static_cast<int64_t>(y[c]) * reciprocal + rounding) >> right_shift);
      y[c] = static_cast<int16_t>(clamp_i32(r, 0, 32767));
    }
  }
}

}  // namespace softmax
}  // namespace micro
}  // namespace tinyforge
