#include "lstm_activations.h"

namespace tinyforge {
namespace micro {
namespace lstm {

// The values are those of TFLite's table (they are not exactly round(65536*sigmoid(k/24))
// everywhere; the test checks they stay within 1.5 of it).
const uint16_t kSigmoidTable[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064,
    42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
    50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503,
    56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666,
    62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
    64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687,
    64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291,
    65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
    65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
    65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516,
    65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530,
    65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65535,
};

void sigmoid_q3_12(const int16_t* in, int32_t count, int16_t* out) {
  for (int32_t i = 0; i < count; ++i) {
    // x * 3 / 2^9 = value * 24: the integer part indexes the table (steps of 1/24) and the
    // low 9 bits interpolate.
    const int32_t x = static_cast<int32_t>(in[i]) * 3;
    const uint32_t ax = static_cast<uint32_t>(x < 0 ? -x : x);
    const uint32_t step = ax >> 9;
    // sigmoid(|x|) with 16 + 9 fractional bits.
    uint32_t s;
    if (step >= 255) {
      s = 0x7FFFu << 10;
    } else {
      const uint32_t lo = kSigmoidTable[step];
      const uint32_t hi = kSigmoidTable[step + 1];
      s = (lo << 9) + (ax & 0x1FFu) * (hi - lo);
    }
    // sigmoid(-x) = 1 - sigmoid(x); round half up when dropping to Q0.15.
    s = x >= 0 ? s + (1u << 9) : (1u << 25) - s + (1u << 9) - 1u;
    out[i] = static_cast<int16_t>(s >> 10);
  }
}

bool tanh_scaling_for_power(int32_t power, TanhScaling* scaling) {
  // tanh(v) reads sigmoid(2v), whose table index is 48v; with 8 interpolation bits the
  // rescaled input must be 48 * 256 * v = 3 * 2^12 * v = x * 3 * 2^(12 + power).
  const int32_t shift = 12 + power;
  if (shift > 14 || shift < -31) return false;  // 32767 * (3 << 14) is the int32 limit
  if (shift >= 0) {
    scaling->multiplier = 3 << shift;
    scaling->shift = 0;
  } else {
    scaling->multiplier = 3;
    scaling->shift = -shift;
  }
  return true;
}

void tanh_q15(const int16_t* in, int32_t count, TanhScaling scaling, int16_t* out) {
  const int32_t rounding = scaling.shift > 0 ? (int32_t{1} << (scaling.shift - 1)) : 0;
  for (int32_t i = 0; i < count; ++i) {
    // Arithmetic right shift (floor), as TFLite does.
    const int32_t x = (static_cast<int32_t>(in[i]) * scaling.multiplier + rounding) >> scaling.shift;
    const uint32_t ax = static_cast<uint32_t>(x < 0 ? -x : x);
    const uint32_t step = ax >> 8;
    // sigmoid(2|x|) with 16 + 8 fractional bits.
    int32_t s;
    if (step >= 255) {
      s = 0xFFFF << 8;
    } else {
      const uint32_t lo = kSigmoidTable[step];
      const uint32_t hi = kSigmoidTable[step + 1];
      s = static_cast<int32_t>((lo << 8) + (ax & 0xFFu) * (hi - lo));
    }
    // tanh = 2*sigmoid - 1: subtract one half (2^23) and keep 15 fractional bits, rounding
    // half up (positive) or half down (negative, so that tanh stays odd).
    s = x >= 0 ? s - (1 << 23) + (1 << 7) : -s + (1 << 23) + (1 << 7) - 1;
    out[i] = static_cast<int16_t>(s >> 8);
  }
}

}  // namespace lstm
}  // namespace micro
}  // namespace tinyforge
