// Table-driven int16 activations of TFLite Micro: LOGISTIC and TANH on int16 tensors
// (also what its int16 LSTM cells use) and the 513-entry interpolated lookup tables of
// int16 SOFTMAX. Header-only so the LSTM kernel can share it.
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

namespace tinyforge {
namespace micro {
namespace activation_int16 {

// sigmoid(i / 24) in unsigned Q0.16 for i = 0..255 (TFLite's sigmoid_table_uint16).
// tanh shares it through tanh(x) = 2 * sigmoid(2x) - 1; both are symmetric, so only
// non-negative inputs are tabulated.
inline constexpr uint16_t kSigmoidTable[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

// The input rescaling both int16 activations apply before the table: the power-of-two
// case (multiplier 0) folds into a multiplier of 3 << left_shift.
struct Int16InputScaling {
  int32_t multiplier;
  int32_t right_shift;
  int32_t round;
};
inline Int16InputScaling int16_input_scaling(int32_t multiplier, int32_t left_shift) {
  if (multiplier == 0) {
    multiplier = 3 << left_shift;
    left_shift = 0;
  }
  return {multiplier, left_shift, left_shift > 0 ? (1 << (left_shift - 1)) : 0};
}

// int16 logistic: input in units of 1/(3 * 4096) after scaling (so +-2^17 is +-10.7),
// output Q0.15. multiplier/left_shift come from the kernel's prepare (0 and a shift for
// power-of-two scales). In and out may alias.
inline void logistic(int32_t multiplier, int32_t left_shift, int32_t n, const int16_t* in, int16_t* out) {
  const Int16InputScaling s = int16_input_scaling(multiplier, left_shift);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = (in[i] * s.multiplier + s.round) >> s.right_shift;
    const uint32_t abs_x = static_cast<uint32_t>(abs(x));
    // 9 fractional bits index the table (1/24 steps after the 3/4 range expansion).
    const uint32_t index = abs_x >> 9;
    uint32_t result;
    if (index >= 255) {
      result = 0x7FFFu << 10;
    } else {
      const uint32_t a = kSigmoidTable[index];
      const uint32_t b = kSigmoidTable[index + 1];
      result = (a << 9) + (abs_x & 0x1ff) * (b - a);
    }
    result = x >= 0 ? (result + (1u << 9)) : ((1u << 25) - result + (1u << 9) - 1);
    out[i] = static_cast<int16_t>(result >> 10);
  }
}

// int16 tanh, same input convention as logistic above, output Q0.15.
inline void tanh(int32_t multiplier, int32_t left_shift, int32_t n, const int16_t* in, int16_t* out) {
  const Int16InputScaling s = int16_input_scaling(multiplier, left_shift);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = (in[i] * s.multiplier + s.round) >> s.right_shift;
    const uint32_t abs_x = static_cast<uint32_t>(abs(x));
    const uint32_t index = abs_x >> 8;  // tanh(x) = 2 sigmoid(2x) - 1: one bit fewer
    int32_t result;
    if (index >= 255) {
      result = 0xFFFF << 8;
    } else {
      const uint32_t a = kSigmoidTable[index];
      const uint32_t b = kSigmoidTable[index + 1];
      result = static_cast<int32_t>((a << 8) + (abs_x & 0xFF) * (b - a));
    }
    result = x >= 0 ? (result - (1 << 23) + (1 << 7)) : (-result + (1 << 23) + (1 << 7) - 1);
    out[i] = static_cast<int16_t>(result >> 8);
  }
}

// ---- 513-entry interpolated tables (int16 SOFTMAX) ----

constexpr int kLutSize = 513;

// Fills `lut` with func over the int16 input range given by (input_scale, input_zero_point),
// in the output range given by (output_scale, output_zero_point). Each of the 512 segments
// stores its start value nudged by half the interpolation error at its midpoint; the last
// entry is the end value. float arithmetic in TFLite's order.
inline void populate_lut(float input_scale, int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                         float (*func)(float), int16_t* lut) {
  const float input_min = input_scale * static_cast<float>(-32768 - input_zero_point);
  const float input_max = input_scale * static_cast<float>(32767 - input_zero_point);
  const float output_min = output_scale * static_cast<float>(-32768 - output_zero_point);
  const float output_max = output_scale * static_cast<float>(32767 - output_zero_point);
  const int kSteps = 512;
  const float step = (input_max - input_min) / kSteps;
  const float half_step = step / 2;
  const float output_scaling_inv = 65536.0f / (output_max - output_min);
  const float table_min = -32768.0f;
  const float table_max = 32767.0f;
  for (int i = 0; i < kSteps; ++i) {
    const float val = func(input_min + static_cast<float>(i) * step);
    const float val_midpoint = func(input_min + static_cast<float>(i) * step + half_step);
    const float val_next = func(input_min + static_cast<float>(i + 1) * step);
    const float sample_val = roundf(val * output_scaling_inv);
    const float midpoint_interp_val = roundf((val_next * output_scaling_inv + roundf(val * output_scaling_inv)) / 2);
    const float midpoint_val = roundf(val_midpoint * output_scaling_inv);
    const float midpoint_err = midpoint_interp_val - midpoint_val;
    const float bias = roundf(midpoint_err / 2);
    float v = sample_val - bias;
    v = v < table_min ? table_min : v;
    v = v > table_max ? table_max : v;
    lut[i] = static_cast<int16_t>(v);
  }
  float last = roundf(func(input_max) * output_scaling_inv);
  last = last < table_min ? table_min : last;
  last = last > table_max ? table_max : last;
  lut[kSteps] = static_cast<int16_t>(last);
}

// Looks up an int16 value: the top 9 bits pick the segment, the low 7 interpolate.
inline int16_t lut_lookup(int16_t value, const int16_t* lut) {
  const int index = 256 + (value >> 7);
  const int offset = value & 0x7f;
  const int base = lut[index];
  // The slope is held in int16 as TFLite does (wraps if the table jumps by > 32767).
  const int16_t slope = static_cast<int16_t>(lut[index + 1] - lut[index]);
  const int delta = (slope * offset + 64) >> 7;
  return static_cast<int16_t>(base + delta);
}

}  // namespace activation_int16
}  // namespace micro
}  // namespace tinyforge
