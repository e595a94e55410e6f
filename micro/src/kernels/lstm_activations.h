// The int16 logistic and tanh that TFLite's integer LSTM applies to its gates and to the
// cell state. Both read one shared table of sigmoid(k/24) in unsigned Q0.16 and
// interpolate linearly between entries, using tanh(x) = 2*sigmoid(2x) - 1; results are
// Q0.15. The inputs are first rescaled by 3 (and a power of two) so that the table's
// step of 1/24 lines up with whole bits of the input.
#pragma once

#include <stdint.h>

namespace tinyforge {
namespace micro {
namespace lstm {

// sigmoid(k / 24) * 65536 for k = 0..255, rounded (the last entry saturates at 65535).
extern const uint16_t kSigmoidTable[256];

// out = logistic(in), in Q3.12 (scale 2^-12), out Q0.15 (scale 2^-15). May run in place.
void sigmoid_q3_12(const int16_t* in, int32_t count, int16_t* out);

// How an int16 input of scale 2^power is brought to the tanh table's domain:
// x' = (x * multiplier + rounding) >> shift.
struct TanhScaling {
  int32_t multiplier = 3;
  int32_t shift = 0;
};

// False when 2^power is outside what the int32 rescaling can hold (power > 2 or < -43).
bool tanh_scaling_for_power(int32_t power, TanhScaling* scaling);

// out = tanh(in * 2^power) in Q0.15, with the scaling from tanh_scaling_for_power.
// May run in place.
void tanh_q15(const int16_t* in, int32_t count, TanhScaling scaling, int16_t* out);

}  // namespace lstm
}  // namespace micro
}  // namespace tinyforge
