// The arithmetic of UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLite Micro evaluates it (the
// standard Keras LSTM: no peephole, projection, layer norm or CIFG). One time step:
//
//   gate_g = act_g(W_g x + b_g + R_g h)   for g in {input, forget, cell, output}
//   c      = clip(forget * c + input * cell)
//   h      = output * tanh(c)             and h is copied to the output sequence
//
// act is sigmoid except for the cell gate (tanh). The integer forms keep every gate in
// int16: the two fully connected layers of a gate each produce Q3.12, saturate, and are
// added with saturation; the nonlinearities return Q0.15; the cell state has scale
// 2^cell_power. Each product is a separate requantization step, exactly as TFLM does.
#pragma once

#include <stdint.h>

#include "lstm_activations.h"

namespace tinyforge {
namespace micro {
namespace lstm {

enum Gate { kInputGate = 0, kForgetGate = 1, kCellGate = 2, kOutputGate = 3, kNumGates = 4 };

enum class Kind : uint8_t {
  kFloat,  // float32 everywhere
  kInt8,   // int8 activations and weights, int32 bias, int16 cell state
  kInt16,  // int16 activations, int8 weights, int64 bias, int16 cell state
};

// x * multiplier * 2^(shift - 31), TFLite's fixed-point rescale.
struct Rescale {
  int32_t multiplier = 0;
  int32_t shift = 0;
};

struct GateRescale {
  Rescale input;      // W x + b  -> Q3.12
  Rescale recurrent;  // R h      -> Q3.12
  int32_t input_weight_offset = 0;      // minus the weights' zero points
  int32_t recurrent_weight_offset = 0;
};

struct Params {
  Kind kind = Kind::kFloat;
  bool time_major = false;
  int32_t batches = 0;
  int32_t time_steps = 0;
  int32_t input_size = 0;
  int32_t state_size = 0;
  // Rows evaluated together in one step: all batches when time-major, else one.
  int32_t rows_per_step = 1;

  float cell_clip = 0.0f;            // > 0: clip the cell state to [-clip, clip]
  int16_t quantized_cell_clip = 0;   // the same in the cell state's scale (integer kinds)

  // Integer kinds only.
  int32_t input_offset = 0;   // minus the input's zero point
  int32_t hidden_offset = 0;  // minus the hidden state's zero point
  GateRescale gates[kNumGates];
  Rescale forget_times_cell;   // Q0.15 x cell -> cell
  Rescale input_times_cell_gate;  // Q0.15 x Q0.15 -> cell
  Rescale output_times_tanh;   // Q0.15 x Q0.15 -> hidden
  int32_t hidden_zero_point = 0;
  int32_t hidden_min = 0;
  int32_t hidden_max = 0;
  TanhScaling cell_tanh;

  int32_t scratch_handle = -1;  // 3 buffers of rows_per_step * state_size cell elements
};

// Where the tensors of one invocation are.
struct Tensors {
  const void* input = nullptr;
  const void* input_weights[kNumGates] = {};
  const void* recurrent_weights[kNumGates] = {};
  const void* biases[kNumGates] = {};
  void* hidden = nullptr;  // variable: batches x state_size
  void* cell = nullptr;    // variable: batches x state_size
  void* output = nullptr;
  void* scratch = nullptr;
};

// Runs the whole sequence, updating the state in place.
void run_float(const Params& p, const Tensors& t);
void run_int8(const Params& p, const Tensors& t);
void run_int16(const Params& p, const Tensors& t);

}  // namespace lstm
}  // namespace micro
}  // namespace tinyforge
