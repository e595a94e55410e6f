// Float LSTM step (TFLM's reference float kernels: plain float sums in index order,
// outputs of each fully connected layer and product clamped to the float range).
#include <float.h>
#include <math.h>
#include <string.h>

#include "lstm_sequence.h"
#include "lstm_step.h"

namespace tinyforge {
namespace micro {
namespace lstm {
namespace {

// min(max(x, lowest), max) with std::min/std::max semantics (NaN passes through).
inline float clamp_to_float_range(float x) {
  const float lo = x < -FLT_MAX ? -FLT_MAX : x;
  return FLT_MAX < lo ? FLT_MAX : lo;
}

inline float sigmoid(float x) {
  // TFLite's reference logistic: saturate above ~16.6, use exp(x) below -9.
  if (x > 16.619047164916992188f) return 1.0f;
  if (x < -9.0f) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

void compute_gate(const Params& p, const Tensors& t, int g, const float* x, const float* h, int32_t rows,
                  float* out) {
  const int32_t n_in = p.input_size;
  const int32_t n_state = p.state_size;
  const float* w = static_cast<const float*>(t.input_weights[g]);
  const float* r = static_cast<const float*>(t.recurrent_weights[g]);
  const float* bias = static_cast<const float*>(t.biases[g]);
  for (int32_t row = 0; row < rows; ++row) {
    const float* x_row = x + static_cast<size_t>(row) * n_in;
    const float* h_row = h + static_cast<size_t>(row) * n_state;
    for (int32_t c = 0; c < n_state; ++c) {
      const float* w_row = w + static_cast<size_t>(c) * n_in;
      const float* r_row = r + static_cast<size_t>(c) * n_state;
      float from_input = 0.0f;
      for (int32_t d = 0; d < n_in; ++d) from_input += x_row[d] * w_row[d];
      from_input = clamp_to_float_range(from_input + bias[c]);
      float from_hidden = 0.0f;
      for (int32_t d = 0; d < n_state; ++d) from_hidden += h_row[d] * r_row[d];
      // The recurrent layer has no bias; TFLM still adds 0.0f (turning -0 into +0).
      from_hidden = clamp_to_float_range(from_hidden + 0.0f);
      const float v = from_input + from_hidden;
      out[static_cast<size_t>(row) * n_state + c] = g == kCellGate ? tanhf(v) : sigmoid(v);
    }
  }
}

}  // namespace

void run_float(const Params& p, const Tensors& t) {
  const size_t n_max = static_cast<size_t>(p.rows_per_step) * static_cast<size_t>(p.state_size);
  float* forget = static_cast<float*>(t.scratch);
  float* input_gate = forget + n_max;
  float* cell_gate = input_gate + n_max;
  for_each_step<float, float>(p, t, [&](const float* x, float* h, float* c, float* out, int32_t rows) {
    const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(p.state_size);
    compute_gate(p, t, kForgetGate, x, h, rows, forget);
    compute_gate(p, t, kInputGate, x, h, rows, input_gate);
    compute_gate(p, t, kCellGate, x, h, rows, cell_gate);
    const float clip = p.cell_clip;
    for (size_t k = 0; k < n; ++k) {
      const float kept = clamp_to_float_range(forget[k] * c[k]);
      const float added = clamp_to_float_range(input_gate[k] * cell_gate[k]);
      float v = kept + added;
      if (clip > 0.0f) {
        v = v < clip ? v : clip;  // std::min(clip, v), then std::max(.., -clip)
        v = v < -clip ? -clip : v;
      }
      c[k] = v;
    }
    float* output_gate = input_gate;  // the input gate is no longer needed
    compute_gate(p, t, kOutputGate, x, h, rows, output_gate);
    for (size_t k = 0; k < n; ++k) h[k] = clamp_to_float_range(tanhf(c[k]) * output_gate[k]);
    memcpy(out, h, n * sizeof(float));
  });
}

}  // namespace lstm
}  // namespace micro
}  // namespace tinyforge
