// LSTM -> UNIDIRECTIONAL_SEQUENCE_LSTM as Google's converter writes a Keras LSTM (compare
// ../shared/models/trained_lstm.tflite): 24 inputs, the Keras column blocks of kernel,
// recurrent_kernel and bias split per gate in TFLite's order (input, forget, cell, output, which is
// Keras' i, f, c, o) and transposed to [units, features] / [units, units]; absent peephole,
// projection and layer-norm inputs (-1); hidden and cell state as zero-initialized variable
// tensors [1, units]; options TANH, cell_clip 10 (as Google writes it), batch-major. The op always returns the whole
// sequence; return_sequences=false takes the last step with STRIDED_SLICE, as TF's graph does.
//
// Rejected with the layer named: an activation other than tanh (the runtime's kernel computes
// the cell with TANH only), a recurrent activation other than sigmoid (TFLite's gates are always
// LOGISTIC), go_backwards (TF adds REVERSE_V2, which the runtime lacks).
#include "convert/lower/lowerings.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/recurrent.h"

namespace tinyforge::convert::lower {

namespace op = micro::op;

void lower_lstm(Context& ctx, size_t i) {
  const nn::Layer& layer = *ctx.node(i).layer;
  const auto* lstm = dynamic_cast<const nn::LSTMLayer*>(&layer);
  if (lstm == nullptr) throw Error(Context::describe(layer) + " is not an LSTM layer object");
  const nn::LSTMOptions& o = lstm->options();
  const std::string& name = layer.name();
  if (o.activation != "tanh") {
    throw Error(Context::describe(layer) + ": activation '" + o.activation +
                "' cannot be lowered (UNIDIRECTIONAL_SEQUENCE_LSTM in the micro runtime computes the cell with tanh)");
  }
  if (o.recurrent_activation != "sigmoid") {
    throw Error(Context::describe(layer) + ": recurrent_activation '" + o.recurrent_activation +
                "' cannot be lowered (TFLite's LSTM gates are always sigmoid)");
  }
  if (o.go_backwards) {
    throw Error(Context::describe(layer) +
                ": go_backwards=true cannot be lowered (TensorFlow reverses the sequence with REVERSE_V2, which the "
                "micro runtime does not have)");
  }
  const Value in = ctx.input(i, 0);
  const nn::Tensor* kernel = nullptr;
  const nn::Tensor* recurrent = nullptr;
  const nn::Tensor* bias = nullptr;
  for (const nn::Param& p : layer.params()) {
    if (p.name == "kernel") kernel = &p.value;
    if (p.name == "recurrent_kernel") recurrent = &p.value;
    if (p.name == "bias") bias = &p.value;
  }
  if (kernel == nullptr || recurrent == nullptr) throw Error(Context::describe(layer) + " has no weights (not built)");
  const int64_t features = kernel->dim(0), units = lstm->units();
  const auto u32 = static_cast<int32_t>(units), f32 = static_cast<int32_t>(features);

  static const char* const kGate[4] = {"input", "forget", "cell", "output"};
  std::vector<int32_t> inputs(24, -1);
  inputs[0] = in.tensor;
  for (int64_t g = 0; g < 4; ++g) {
    std::vector<float> w(static_cast<size_t>(units * features)), r(static_cast<size_t>(units * units));
    std::vector<float> b(static_cast<size_t>(units), 0.0f);
    for (int64_t u = 0; u < units; ++u) {
      for (int64_t f = 0; f < features; ++f)
        w[static_cast<size_t>(u * features + f)] = (*kernel)[f * 4 * units + g * units + u];
      for (int64_t v = 0; v < units; ++v)
        r[static_cast<size_t>(u * units + v)] = (*recurrent)[v * 4 * units + g * units + u];
      if (bias != nullptr) b[static_cast<size_t>(u)] = (*bias)[g * units + u];
    }
    const std::string gate = kGate[g];
    inputs[static_cast<size_t>(1 + g)] = ctx.add_const_f32(name + "/input_to_" + gate + "_weights", {u32, f32}, w);
    inputs[static_cast<size_t>(5 + g)] = ctx.add_const_f32(name + "/recurrent_to_" + gate + "_weights", {u32, u32}, r);
    inputs[static_cast<size_t>(12 + g)] = ctx.add_const_f32(name + "/" + gate + "_gate_bias", {u32}, b);
  }
  for (int k = 0; k < 2; ++k) {
    GraphTensor state;
    state.name = name + (k == 0 ? "/output_state" : "/cell_state");
    state.type = TensorType::kFloat32;
    state.shape = {1, u32};
    state.is_variable = true;
    inputs[static_cast<size_t>(18 + k)] = ctx.add_tensor(std::move(state));
  }
  OpOptions opt;
  opt.activation = micro::Activation::kTanh;
  // Google's converter writes every Keras LSTM with the cell state clipped to [-10, 10] (Keras
  // itself does not clip: outputs differ only once a cell value passes 10).
  opt.cell_clip = 10.0f;
  opt.proj_clip = 0.0f;
  opt.time_major = false;
  const std::vector<int32_t> seq_shape = {1, in.shape[1], u32};
  Value seq;
  seq.shape = seq_shape;
  seq.tensor = ctx.add_activation(o.return_sequences ? name : name + "/sequence", seq_shape);
  ctx.emit(op::kUnidirectionalSequenceLstm, inputs, {seq.tensor}, opt);
  if (o.return_sequences) {
    ctx.value(i) = seq;
    return;
  }
  // outputs[:, -1, :]
  const int32_t begin = ctx.add_const_i32(name + "/last_step_begin", {3}, {0, -1, 0});
  const int32_t end = ctx.add_const_i32(name + "/last_step_end", {3}, {0, 0, 0});
  const int32_t strides = ctx.add_const_i32(name + "/last_step_strides", {3}, {1, 1, 1});
  OpOptions s;
  s.begin_mask = 0b101;
  s.end_mask = 0b101;
  s.shrink_axis_mask = 0b010;
  Value last;
  last.shape = {1, u32};
  last.tensor = ctx.add_activation(name, last.shape);
  ctx.emit(op::kStridedSlice, {seq.tensor, begin, end, strides}, {last.tensor}, s);
  ctx.value(i) = last;
}

}  // namespace tinyforge::convert::lower
