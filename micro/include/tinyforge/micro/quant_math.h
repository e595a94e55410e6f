// Fixed-point arithmetic of TFLite's integer kernels (its quantization spec). Every
// integer kernel rescales through these functions so results match TFLite bit for bit:
// a real multiplier M is held as a Q0.31 integer and a power-of-two shift, applied with
// a saturating rounding doubling high multiply followed by a rounding right shift.
#pragma once

#include <limits.h>
#include <math.h>
#include <stdint.h>

#include "tinyforge/micro/types.h"

namespace tinyforge {
namespace micro {

// (a * b * 2) / 2^32 rounded to nearest (ties away from zero), saturating the one
// overflowing case INT32_MIN * INT32_MIN.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // truncates toward zero
}

// x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * M where M = quantized_multiplier * 2^(shift - 31) (TFLite's double-rounding form).
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  // Wrapping multiply: TFLite shifts in int32 and relies on two's complement wrap.
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, quantized_multiplier), right);
}

// The 64-bit accumulator form used by TFLite's int16 (16x8) kernels: the multiplier is
// reduced to Q0.15 and applied with one rounding shift.
inline int32_t multiply_by_quantized_multiplier_64(int64_t x, int32_t quantized_multiplier, int shift) {
  const int32_t reduced =
      quantized_multiplier < 0x7FFF0000 ? ((quantized_multiplier + (1 << 15)) >> 16) : 0x7FFF;
  // quantize_multiplier keeps shift in [-31, 30]; clamp anyway so a hand-made multiplier
  // can never make this shift undefined.
  const int total_shift = shift > 14 ? 1 : 15 - shift;
  const int64_t rounded = x * static_cast<int64_t>(reduced) + (int64_t{1} << (total_shift - 1));
  return static_cast<int32_t>(rounded >> total_shift);
}

// Splits a positive real multiplier into Q0.31 and a shift: M = q * 2^(shift - 31), with
// shift in [-31, 30] (smaller multipliers become 0, larger ones saturate).
void quantize_multiplier(double multiplier, int32_t* quantized_multiplier, int* shift);

// Output range [min, max] of an integer kernel after its fused activation, in the output's
// quantized domain, clamped to [qmin, qmax] of the output type.
void activation_range_quantized(Activation act, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                                int32_t* act_min, int32_t* act_max);
// The same for float kernels.
void activation_range_float(Activation act, float* act_min, float* act_max);

inline float apply_activation_float(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

inline int32_t clamp_i32(int32_t x, int32_t lo, int32_t hi) { return x < lo ? lo : (x > hi ? hi : x); }

// Range of an integer tensor type: int8 [-128,127], uint8 [0,255], int16 [-32768,32767].
bool integer_type_range(TensorType t, int32_t* qmin, int32_t* qmax);

}  // namespace micro
}  // namespace tinyforge
