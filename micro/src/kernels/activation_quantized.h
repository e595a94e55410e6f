// Quantized LOGISTIC and TANH of TFLite Micro's reference kernels, shared by the two
// kernels: int8 goes through gemmlowp-style fixed point (input rescaled to Q4.27),
// int16 through the sigmoid table (activation_int16.h).
#pragma once

#include <math.h>
#include <stdint.h>

#include "activation_int16.h"
#include "fixed_point.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace activation {

constexpr int kInt8InputIntegerBits = 4;

struct Int8Params {
  int32_t input_zero_point = 0;
  int32_t input_range_radius = 0;  // |input - zp| at or beyond this saturates
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
};

// input_scale * 2^27 split by frexp into a Q0.31 multiplier and a shift (TFLite rounds
// the fraction without renormalising; a fraction that rounds to 2^31 wraps, as there).
// Returns false for scales so small the shift would be negative.
inline bool prepare_int8(float input_scale, int32_t input_zero_point, Int8Params* p) {
  const double real = static_cast<double>(input_scale) * static_cast<double>(1 << (31 - kInt8InputIntegerBits));
  int shift = 0;
  const double q = frexp(real, &shift);
  const int64_t q_fixed = static_cast<int64_t>(round(q * static_cast<double>(int64_t{1} << 31)));
  if (shift < 0 || shift > 62) return false;
  p->input_zero_point = input_zero_point;
  p->input_multiplier = static_cast<int32_t>(static_cast<uint32_t>(q_fixed));
  p->input_left_shift = shift;
  const double radius = 1.0 * ((1 << kInt8InputIntegerBits) - 1) *
                        static_cast<double>(int64_t{1} << (31 - kInt8InputIntegerBits)) /
                        static_cast<double>(int64_t{1} << shift);
  p->input_range_radius = static_cast<int32_t>(floor(radius));
  return true;
}

// Output zero point -128, scale 1/256 (checked by the kernel).
inline void logistic_int8(const Int8Params& p, int32_t n, const int8_t* in, int8_t* out) {
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = static_cast<int32_t>(in[i]) - p.input_zero_point;
    if (x <= -p.input_range_radius) {
      out[i] = -128;
    } else if (x >= p.input_range_radius) {
      out[i] = 127;
    } else {
      const int32_t x_q4 = multiply_by_quantized_multiplier(x, p.input_multiplier, p.input_left_shift);
      const int32_t y_q0 = fixed_point::logistic<kInt8InputIntegerBits>(x_q4);
      out[i] = static_cast<int8_t>(clamp_i32(rounding_divide_by_pot(y_q0, 23) - 128, -128, 127));
    }
  }
}

// Output scale 1/128, zero point 0.
inline void tanh_int8(const Int8Params& p, int32_t n, const int8_t* in, int8_t* out) {
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = static_cast<int32_t>(in[i]) - p.input_zero_point;
    if (x <= -p.input_range_radius) {
      out[i] = -128;
    } else if (x >= p.input_range_radius) {
      out[i] = 127;
    } else {
      const int32_t x_q4 = multiply_by_quantized_multiplier(x, p.input_multiplier, p.input_left_shift);
      const int32_t y_q0 = fixed_point::tanh<kInt8InputIntegerBits>(x_q4);
      out[i] = static_cast<int8_t>(clamp_i32(rounding_divide_by_pot(y_q0, 24), -128, 127));
    }
  }
}

// log2(x) rounded, and whether x is a power of two within 1e-3 in log2 (TFLite's
// CheckedLog2, in float).
inline bool checked_log2(float x, int* log2_result) {
  const float x_log2 = logf(x) * (1.0f / logf(2.0f));
  const float rounded = roundf(x_log2);
  *log2_result = static_cast<int>(rounded);
  return fabsf(x_log2 - rounded) < 1e-3f;
}

struct Int16Params {
  int32_t input_multiplier = 0;  // 0: power-of-two input scale, folded in at eval
  int32_t input_left_shift = 0;
};

// int16 input scaling for the sigmoid table: a power-of-two scale with the accepted
// shift(s) uses the shift directly, any other scale becomes a multiplier of
// input_scale * 3 * 4096 doubled up to at least 2^14. `max_pot_shift` is 0 for LOGISTIC
// and 1 for TANH.
inline void prepare_int16(float input_scale, int max_pot_shift, Int16Params* p) {
  int log2_scale = 0;
  bool pot = checked_log2(input_scale, &log2_scale);
  p->input_left_shift = (15 - 3) + log2_scale;
  pot = pot && p->input_left_shift >= 0 && p->input_left_shift <= max_pot_shift;
  if (pot) {
    p->input_multiplier = 0;
    return;
  }
  double multiplier = static_cast<double>(input_scale) * 4096.0 * 3.0;
  p->input_left_shift = 0;
  while (multiplier <= 32767.0 / 2.0 && p->input_left_shift <= 30) {
    ++p->input_left_shift;
    multiplier = multiplier * 2.0;
  }
  p->input_multiplier = static_cast<int32_t>(multiplier);
}

// The int16 output must be Q0.15 (scale 2^-15 within checked_log2's tolerance).
inline bool int16_output_scale_ok(float output_scale) {
  int log2_scale = 0;
  return checked_log2(output_scale, &log2_scale) && log2_scale == -15;
}

}  // namespace activation
}  // namespace micro
}  // namespace tinyforge
