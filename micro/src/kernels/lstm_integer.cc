// Integer LSTM steps: 8x8->16 (int8 activations, int32 bias) and 16x8->16 (int16
// activations, int64 bias), both with an int16 cell state.
#include <string.h>

#include "lstm_sequence.h"
#include "lstm_step.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace lstm {
namespace {

inline int32_t saturate_int16(int32_t v) { return clamp_i32(v, -32768, 32767); }

// The accumulator has the bias's width; each rescales with TFLite's matching routine.
inline int32_t rescale(int32_t acc, const Rescale& r) {
  return multiply_by_quantized_multiplier(acc, r.multiplier, r.shift);
}
inline int32_t rescale(int64_t acc, const Rescale& r) {
  return multiply_by_quantized_multiplier_64(acc, r.multiplier, r.shift);
}

// sum over d of (w[d] + w_offset) * (x[d] + x_offset). Summed in 64 bits; narrowing to a
// 32-bit accumulator afterwards wraps exactly as a wrapping 32-bit sum would.
template <typename Act>
inline int64_t dot(const int8_t* w, int32_t w_offset, const Act* x, int32_t x_offset, int32_t n) {
  int64_t sum = 0;
  for (int32_t d = 0; d < n; ++d) {
    sum += static_cast<int64_t>((static_cast<int32_t>(w[d]) + w_offset) * (static_cast<int32_t>(x[d]) + x_offset));
  }
  return sum;
}

// gate = act(sat16(rescale(W x + b)) + sat16(rescale(R h))) in Q0.15, for `rows` rows.
template <typename Act, typename Bias>
void compute_gate(const Params& p, const Tensors& t, int g, const Act* x, const Act* h, int32_t rows,
                  int16_t* out) {
  const int32_t n_in = p.input_size;
  const int32_t n_state = p.state_size;
  const GateRescale& q = p.gates[g];
  const int8_t* w = static_cast<const int8_t*>(t.input_weights[g]);
  const int8_t* r = static_cast<const int8_t*>(t.recurrent_weights[g]);
  const Bias* bias = static_cast<const Bias*>(t.biases[g]);
  for (int32_t row = 0; row < rows; ++row) {
    const Act* x_row = x + static_cast<size_t>(row) * n_in;
    const Act* h_row = h + static_cast<size_t>(row) * n_state;
    for (int32_t c = 0; c < n_state; ++c) {
      Bias acc = static_cast<Bias>(dot(w + static_cast<size_t>(c) * n_in, q.input_weight_offset, x_row,
                                       p.input_offset, n_in));
      acc = static_cast<Bias>(static_cast<int64_t>(acc) + static_cast<int64_t>(bias[c]));
      const int32_t from_input = saturate_int16(rescale(acc, q.input));
      const Bias acc_r = static_cast<Bias>(dot(r + static_cast<size_t>(c) * n_state, q.recurrent_weight_offset,
                                               h_row, p.hidden_offset, n_state));
      const int32_t from_hidden = saturate_int16(rescale(acc_r, q.recurrent));
      out[static_cast<size_t>(row) * n_state + c] = static_cast<int16_t>(saturate_int16(from_input + from_hidden));
    }
  }
  const int32_t n = rows * n_state;
  if (g == kCellGate) {
    tanh_q15(out, n, TanhScaling(), out);  // Q3.12 input: multiplier 3, no shift
  } else {
    sigmoid_q3_12(out, n, out);
  }
}

template <typename Act, typename Bias>
void run_integer(const Params& p, const Tensors& t) {
  const size_t n_max = static_cast<size_t>(p.rows_per_step) * static_cast<size_t>(p.state_size);
  int16_t* forget = static_cast<int16_t*>(t.scratch);
  int16_t* input_gate = forget + n_max;
  int16_t* cell_gate = input_gate + n_max;
  for_each_step<Act, int16_t>(p, t, [&](const Act* x, Act* h, int16_t* c, Act* out, int32_t rows) {
    const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(p.state_size);
    compute_gate<Act, Bias>(p, t, kForgetGate, x, h, rows, forget);
    compute_gate<Act, Bias>(p, t, kInputGate, x, h, rows, input_gate);
    compute_gate<Act, Bias>(p, t, kCellGate, x, h, rows, cell_gate);
    const Rescale& fc = p.forget_times_cell;
    const Rescale& ig = p.input_times_cell_gate;
    const bool clip = p.cell_clip > 0.0f;
    const int32_t qclip = p.quantized_cell_clip;
    for (size_t k = 0; k < n; ++k) {
      const int32_t kept = saturate_int16(multiply_by_quantized_multiplier(
          static_cast<int32_t>(forget[k]) * static_cast<int32_t>(c[k]), fc.multiplier, fc.shift));
      const int32_t added = saturate_int16(multiply_by_quantized_multiplier(
          static_cast<int32_t>(input_gate[k]) * static_cast<int32_t>(cell_gate[k]), ig.multiplier, ig.shift));
      int32_t v = saturate_int16(kept + added);
      if (clip) {
        v = v < qclip ? v : qclip;  // std::min(clip, v), then std::max(.., -clip)
        v = v < -qclip ? -qclip : v;
      }
      c[k] = static_cast<int16_t>(v);
    }
    int16_t* output_gate = input_gate;  // the input gate is no longer needed
    compute_gate<Act, Bias>(p, t, kOutputGate, x, h, rows, output_gate);
    int16_t* tanh_cell = forget;
    tanh_q15(c, static_cast<int32_t>(n), p.cell_tanh, tanh_cell);
    const Rescale& oh = p.output_times_tanh;
    for (size_t k = 0; k < n; ++k) {
      const int32_t v = p.hidden_zero_point +
                        multiply_by_quantized_multiplier(
                            static_cast<int32_t>(tanh_cell[k]) * static_cast<int32_t>(output_gate[k]),
                            oh.multiplier, oh.shift);
      h[k] = static_cast<Act>(clamp_i32(v, p.hidden_min, p.hidden_max));
    }
    memcpy(out, h, n * sizeof(Act));
  });
}

}  // namespace

void run_int8(const Params& p, const Tensors& t) { run_integer<int8_t, int32_t>(p, t); }
void run_int16(const Params& p, const Tensors& t) { run_integer<int16_t, int64_t>(p, t); }

}  // namespace lstm
}  // namespace micro
}  // namespace tinyforge
