// SVDF arithmetic, separate from the kernel plumbing so tests can drive it directly.
//
// An SVDF layer keeps, per batch and per filter, the last `memory_size` feature
// activations (the variable state tensor, laid out [batch][filter][memory], oldest
// first). Each step it:
//   1. drops the oldest activation of every filter and appends a new one, the dot
//      product of the input with the filter's weights_feature row;
//   2. multiplies every filter's history with its weights_time row;
//   3. sums groups of `rank` consecutive filters into one unit, adds the unit's bias.
// TFLite Micro does each stage over all filters before the next, with scratch buffers.
// Every filter's history is independent of the others, so here all stages run per
// filter and the unit sums stay in registers: no scratch memory, same arithmetic in
// the same order (the float sums are accumulated exactly as TFLM does).
#pragma once

#include <math.h>
#include <stdint.h>

#include "tinyforge/micro/quant_math.h"
#include "tinyforge/micro/types.h"

namespace tinyforge {
namespace micro {

struct SvdfDims {
  int32_t batches = 0;
  int32_t input_size = 0;
  int32_t num_filters = 0;
  int32_t rank = 1;
  int32_t num_units = 0;  // num_filters / rank
  int32_t memory_size = 0;
};

// Precomputed integer parameters (see svdf.cc prepare for their derivation).
struct SvdfQuantParams {
  int32_t feature_multiplier = 0;  // input * weights_feature -> state
  int32_t feature_shift = 0;
  int32_t output_multiplier = 0;  // state * weights_time -> output
  int32_t output_shift = 0;
  int32_t input_zero_point = 0;
  int32_t state_zero_point = 0;
  int32_t output_zero_point = 0;
};

// Integer sums are kept in uint32: the bits equal TFLM's int32 arithmetic, whose overflow
// wraps on every target, without undefined behaviour for hostile models.
inline uint32_t svdf_wrapping_mul(int32_t a, int32_t b) {
  return static_cast<uint32_t>(a) * static_cast<uint32_t>(b);
}

inline int32_t svdf_wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// Moves one filter's history one step older; the newest slot is rewritten by the caller.
template <typename T>
inline void svdf_age_history(T* history, int32_t memory_size) {
  for (int32_t m = 0; m + 1 < memory_size; ++m) history[m] = history[m + 1];
}

// TFLite Micro's float fused activation, including its NaN behaviour (max/min return
// their first argument when the comparison is false).
inline float svdf_activation_float(Activation act, float x) {
  switch (act) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return 0.0f < x ? x : 0.0f;
    case Activation::kReluN1To1: {
      const float upper = 1.0f < x ? 1.0f : x;
      return -1.0f < upper ? upper : -1.0f;
    }
    case Activation::kRelu6: {
      const float upper = 6.0f < x ? 6.0f : x;
      return 0.0f < upper ? upper : 0.0f;
    }
    case Activation::kTanh:
      return tanhf(x);
    case Activation::kSignBit:
      return signbit(x) ? 1.0f : 0.0f;
  }
  return x;
}

// bias may be null. state is updated in place.
inline void svdf_eval_float(const SvdfDims& d, Activation act, const float* input, const float* weights_feature,
                            const float* weights_time, const float* bias, float* state, float* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    const float* x = input + b * d.input_size;
    float* batch_state = state + b * d.num_filters * d.memory_size;
    for (int32_t u = 0; u < d.num_units; ++u) {
      float unit = bias ? bias[u] : 0.0f;
      for (int32_t r = 0; r < d.rank; ++r) {
        const int32_t f = u * d.rank + r;
        float* history = batch_state + f * d.memory_size;
        svdf_age_history(history, d.memory_size);

        const float* w = weights_feature + f * d.input_size;
        float feature = 0.0f;
        for (int32_t i = 0; i < d.input_size; ++i) feature += w[i] * x[i];
        history[d.memory_size - 1] = feature;

        const float* wt = weights_time + f * d.memory_size;
        float filter = 0.0f;
        for (int32_t m = 0; m < d.memory_size; ++m) filter += wt[m] * history[m];
        unit += filter;
      }
      output[b * d.num_units + u] = svdf_activation_float(act, unit);
    }
  }
}

// Integer SVDF with int8 input/weights_feature/output, int32 bias (may be null) and
// StateT (int8 or int16) for both weights_time and the state. The fused activation is
// not applied: TFLite Micro only saturates to the int8 range.
template <typename StateT>
inline void svdf_eval_integer(const SvdfDims& d, const SvdfQuantParams& q, const int8_t* input,
                              const int8_t* weights_feature, const StateT* weights_time, const int32_t* bias,
                              StateT* state, int8_t* output) {
  const int32_t state_min = sizeof(StateT) == 1 ? INT8_MIN : INT16_MIN;
  const int32_t state_max = sizeof(StateT) == 1 ? INT8_MAX : INT16_MAX;
  for (int32_t b = 0; b < d.batches; ++b) {
    const int8_t* x = input + b * d.input_size;
    StateT* batch_state = state + b * d.num_filters * d.memory_size;
    for (int32_t u = 0; u < d.num_units; ++u) {
      uint32_t unit = bias ? static_cast<uint32_t>(bias[u]) : 0u;
      for (int32_t r = 0; r < d.rank; ++r) {
        const int32_t f = u * d.rank + r;
        StateT* history = batch_state + f * d.memory_size;
        svdf_age_history(history, d.memory_size);

        const int8_t* w = weights_feature + f * d.input_size;
        uint32_t acc = 0;
        for (int32_t i = 0; i < d.input_size; ++i) acc += svdf_wrapping_mul(w[i], x[i] - q.input_zero_point);
        const int32_t feature =
            multiply_by_quantized_multiplier(static_cast<int32_t>(acc), q.feature_multiplier, q.feature_shift);
        // The zero point goes in before saturating so the stored value stays in range.
        const int32_t stored = svdf_wrapping_add(feature, q.state_zero_point);
        history[d.memory_size - 1] = static_cast<StateT>(clamp_i32(stored, state_min, state_max));

        const StateT* wt = weights_time + f * d.memory_size;
        for (int32_t m = 0; m < d.memory_size; ++m) {
          unit += svdf_wrapping_mul(wt[m], history[m] - q.state_zero_point);
        }
      }
      const int32_t scaled = svdf_wrapping_add(
          multiply_by_quantized_multiplier(static_cast<int32_t>(unit), q.output_multiplier, q.output_shift),
          q.output_zero_point);
      output[b * d.num_units + u] = static_cast<int8_t>(clamp_i32(scaled, INT8_MIN, INT8_MAX));
    }
  }
}

}  // namespace micro
}  // namespace tinyforge
