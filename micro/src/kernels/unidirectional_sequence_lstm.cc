// UNIDIRECTIONAL_SEQUENCE_LSTM: the standard (Keras) LSTM over a whole sequence, as
// TFLite Micro supports it: float32, int8x8->16 and int16x8->16, no peephole,
// projection, layer norm or CIFG (those inputs must be absent). The hidden and cell
// state are variable tensors updated in place; TFLM's arithmetic is in lstm_step.h.
//
// Inputs (24): 0 input [B,T,I] (or [T,B,I] when time_major); 1-4 input weights [S,I]
// and 5-8 recurrent weights [S,S] for the input/forget/cell/output gates; 9-11 peephole;
// 12-15 gate biases [S]; 16-17 projection; 18 hidden state [B,S]; 19 cell state [B,S];
// 20-23 layer norm. Output: [B,T,S] (or [T,B,S]). Intermediates are not used.
#include <math.h>

#include "lstm_step.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

constexpr int kInput = 0;
constexpr int kInputWeights = 1;      // + gate
constexpr int kRecurrentWeights = 5;  // + gate
constexpr int kBiases = 12;           // + gate
constexpr int kHiddenState = 18;
constexpr int kCellState = 19;
constexpr int kNumInputs = 24;

// UnidirectionalSequenceLSTMOptions fields (schema.fbs order).
enum OptionField { kActivation = 0, kCellClip = 1, kProjClip = 2, kTimeMajor = 3, kAsymmetric = 4, kDiagonal = 5 };

// Scale of the gates' fully connected outputs (Q3.12) and of the nonlinearities' outputs (Q0.15).
constexpr float kGateInputScale = 0.000244140625f;     // 2^-12
constexpr float kGateOutputScale = 0.000030517578125f;  // 2^-15

bool scale_ok(const TensorInfo& t) {
  const float s = t.quant.scale();
  return t.quant.count >= 1 && s > 0.0f && isfinite(s);
}

// Q3.12 output of a fully connected layer: TFLite forms input_scale * weight_scale in
// float, then divides in double.
lstm::Rescale fc_rescale(float input_scale, float weight_scale) {
  const float product = input_scale * weight_scale;
  lstm::Rescale r;
  int shift = 0;
  quantize_multiplier(static_cast<double>(product) / static_cast<double>(kGateInputScale), &r.multiplier,
                      &shift);
  r.shift = shift;
  return r;
}

// An elementwise product a * b rescaled to `out_scale`, in double as TFLite does.
lstm::Rescale mul_rescale(float a_scale, float b_scale, float out_scale) {
  lstm::Rescale r;
  int shift = 0;
  quantize_multiplier(static_cast<double>(a_scale) * static_cast<double>(b_scale) / static_cast<double>(out_scale),
                      &r.multiplier, &shift);
  r.shift = shift;
  return r;
}

// log2 of the cell state's scale, rounded as TFLite's CheckedLog2 does (in float).
int32_t cell_scale_power(float scale) {
  const float log2_scale = logf(scale) * (1.0f / logf(2.0f));
  return static_cast<int32_t>(roundf(log2_scale));
}

// The tensor types each kind of LSTM takes besides its activations.
struct TypeSet {
  TensorType weights;
  TensorType bias;
  TensorType cell;
};

bool kind_for_input(TensorType input, lstm::Kind* kind) {
  switch (input) {
    case TensorType::kFloat32:
      *kind = lstm::Kind::kFloat;
      return true;
    case TensorType::kInt8:
      *kind = lstm::Kind::kInt8;
      return true;
    case TensorType::kInt16:
      *kind = lstm::Kind::kInt16;
      return true;
    default:
      return false;
  }
}

TypeSet types_for(lstm::Kind kind) {
  switch (kind) {
    case lstm::Kind::kFloat:
      return {TensorType::kFloat32, TensorType::kFloat32, TensorType::kFloat32};
    case lstm::Kind::kInt8:
      return {TensorType::kInt8, TensorType::kInt32, TensorType::kInt16};
    default:
      return {TensorType::kInt8, TensorType::kInt64, TensorType::kInt16};
  }
}

Status check_shape_2d(PrepareContext& ctx, int index, const char* what, int32_t rows, int32_t cols) {
  const TensorInfo t = ctx.input(index);
  if (t.shape.rank != 2 || t.shape.dim(0) != rows || t.shape.dim(1) != cols) {
    return ctx.fail("%s (input %d) must be [%d, %d]", what, index, static_cast<int>(rows), static_cast<int>(cols));
  }
  return Status::kOk;
}

Status prepare_quantized(PrepareContext& ctx, lstm::Params* p, float cell_clip) {
  const TensorInfo input = ctx.input(kInput);
  const TensorInfo hidden = ctx.input(kHiddenState);
  const TensorInfo cell = ctx.input(kCellState);
  if (!scale_ok(input) || !scale_ok(hidden) || !scale_ok(cell)) {
    return ctx.fail("input, hidden state and cell state must be quantized with a positive scale");
  }
  for (int g = 0; g < lstm::kNumGates; ++g) {
    const TensorInfo w = ctx.input(kInputWeights + g);
    const TensorInfo r = ctx.input(kRecurrentWeights + g);
    if (!scale_ok(w) || !scale_ok(r)) return ctx.fail("weights of gate %d must be quantized with a positive scale", g);
    if (w.quant.count != 1 || r.quant.count != 1) {
      return ctx.unsupported("per-channel quantized weights (gate %d) are not supported", g);
    }
    lstm::GateRescale& q = p->gates[g];
    q.input = fc_rescale(input.quant.scale(), w.quant.scale());
    q.recurrent = fc_rescale(hidden.quant.scale(), r.quant.scale());
    q.input_weight_offset = -w.quant.zero_point();
    q.recurrent_weight_offset = -r.quant.zero_point();
  }
  p->input_offset = -input.quant.zero_point();
  p->hidden_offset = -hidden.quant.zero_point();

  const float cell_scale = cell.quant.scale();
  const int32_t power = cell_scale_power(cell_scale);
  if (!lstm::tanh_scaling_for_power(power, &p->cell_tanh)) {
    return ctx.unsupported("cell state scale %g (2^%d) is outside the supported range", static_cast<double>(cell_scale),
                           static_cast<int>(power));
  }
  double clip_q = static_cast<double>(cell_clip) / static_cast<double>(cell_scale);
  clip_q = clip_q < -32768.0 ? -32768.0 : (clip_q > 32767.0 ? 32767.0 : clip_q);
  p->quantized_cell_clip = static_cast<int16_t>(clip_q);

  p->forget_times_cell = mul_rescale(kGateOutputScale, cell_scale, cell_scale);
  p->input_times_cell_gate = mul_rescale(kGateOutputScale, kGateOutputScale, cell_scale);
  p->output_times_tanh = mul_rescale(kGateOutputScale, kGateOutputScale, hidden.quant.scale());
  p->hidden_zero_point = hidden.quant.zero_point();
  integer_type_range(hidden.type, &p->hidden_min, &p->hidden_max);
  return Status::kOk;
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != kNumInputs || ctx.num_outputs() != 1) {
    return ctx.fail("expects 24 inputs and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  const fb::Table options = ctx.options();
  if (!options.ok()) return ctx.fail("UnidirectionalSequenceLSTMOptions are missing");
  const auto activation = static_cast<Activation>(options.scalar<uint8_t>(kActivation, 0));
  const float cell_clip = options.scalar<float>(kCellClip, 0.0f);
  const bool time_major = options.boolean(kTimeMajor);
  if (options.broken()) return ctx.fail("UnidirectionalSequenceLSTMOptions are out of bounds");
  if (activation != Activation::kTanh) {
    return ctx.unsupported("cell activation %d is not supported (only TANH)", static_cast<int>(activation));
  }
  if (options.boolean(kDiagonal)) return ctx.unsupported("diagonal recurrent weights are not supported");
  if (!(cell_clip >= 0.0f)) return ctx.fail("cell_clip must be >= 0");

  // Which inputs must be there, and which variants (absent here) TFLM does not run.
  for (int i = 0; i < kNumInputs; ++i) {
    const bool required = i <= 8 || (i >= kBiases && i < kBiases + 4) || i == kHiddenState || i == kCellState;
    if (required && !ctx.has_input(i)) return ctx.fail("input %d is required", i);
    if (!required && ctx.has_input(i)) {
      const char* variant = i <= 11 ? "peephole" : (i <= 17 ? "projection" : "layer normalization");
      return ctx.unsupported("LSTM with %s (input %d) is not supported", variant, i);
    }
  }

  const TensorInfo input = ctx.input(kInput);
  const TensorInfo hidden = ctx.input(kHiddenState);
  const TensorInfo cell = ctx.input(kCellState);
  const TensorInfo output = ctx.output(0);
  if (!hidden.is_variable || !cell.is_variable || hidden.const_data || cell.const_data) {
    return ctx.fail("hidden state (input 18) and cell state (input 19) must be variable tensors");
  }

  // Types: activations, weights, biases, cell state.
  lstm::Kind kind;
  if (!kind_for_input(input.type, &kind)) return ctx.unsupported("input type %s is not supported", type_name(input.type));
  const TypeSet types = types_for(kind);
  if (hidden.type != input.type || output.type != input.type) {
    return ctx.fail("hidden state and output must have the input's type %s", type_name(input.type));
  }
  for (int i = kInputWeights; i <= 8; ++i) {
    if (ctx.input(i).type != types.weights) {
      return ctx.unsupported("weights (input %d) of type %s with %s input are not supported", i,
                             type_name(ctx.input(i).type), type_name(input.type));
    }
  }
  for (int i = kBiases; i < kBiases + 4; ++i) {
    if (ctx.input(i).type != types.bias) {
      return ctx.unsupported("bias (input %d) of type %s with %s input is not supported", i,
                             type_name(ctx.input(i).type), type_name(input.type));
    }
  }
  if (cell.type != types.cell) {
    return ctx.unsupported("cell state of type %s with %s input is not supported", type_name(cell.type),
                           type_name(input.type));
  }

  // Shapes.
  if (input.shape.rank != 3) return ctx.fail("input must have rank 3, has %d", static_cast<int>(input.shape.rank));
  if (hidden.shape.rank != 2) return ctx.fail("hidden state must be [batch, units]");
  lstm::Params p;
  p.kind = kind;
  p.time_major = time_major;
  p.batches = time_major ? input.shape.dim(1) : input.shape.dim(0);
  p.time_steps = time_major ? input.shape.dim(0) : input.shape.dim(1);
  p.input_size = input.shape.dim(2);
  p.state_size = hidden.shape.dim(1);
  if (p.batches <= 0 || p.time_steps <= 0 || p.input_size <= 0 || p.state_size <= 0) {
    return ctx.fail("batch, time, input and state sizes must be positive");
  }
  for (int g = 0; g < lstm::kNumGates; ++g) {
    Status s = check_shape_2d(ctx, kInputWeights + g, "input weights", p.state_size, p.input_size);
    if (s != Status::kOk) return s;
    s = check_shape_2d(ctx, kRecurrentWeights + g, "recurrent weights", p.state_size, p.state_size);
    if (s != Status::kOk) return s;
    const TensorInfo b = ctx.input(kBiases + g);
    if (b.shape.rank != 1 || b.shape.dim(0) != p.state_size) {
      return ctx.fail("bias (input %d) must be [%d]", kBiases + g, static_cast<int>(p.state_size));
    }
  }
  const int64_t state_elements = static_cast<int64_t>(p.batches) * p.state_size;
  if (hidden.shape.flat_size() != state_elements || cell.shape.flat_size() != state_elements) {
    return ctx.fail("hidden and cell state must hold batch x units = %lld values", static_cast<long long>(state_elements));
  }
  if (output.shape.rank != 3 || output.shape.dim(0) != input.shape.dim(0) || output.shape.dim(1) != input.shape.dim(1) ||
      output.shape.dim(2) != p.state_size) {
    return ctx.fail("output must be [%d, %d, %d]", static_cast<int>(input.shape.dim(0)),
                    static_cast<int>(input.shape.dim(1)), static_cast<int>(p.state_size));
  }
  p.rows_per_step = time_major ? p.batches : 1;
  p.cell_clip = cell_clip;

  if (kind != lstm::Kind::kFloat) {
    const Status s = prepare_quantized(ctx, &p, cell_clip);
    if (s != Status::kOk) return s;
  }

  // Three gate buffers of one step's rows (the fourth gate reuses one).
  const size_t cell_bytes = kind == lstm::Kind::kFloat ? sizeof(float) : sizeof(int16_t);
  const size_t scratch_bytes = 3 * static_cast<size_t>(p.rows_per_step) * static_cast<size_t>(p.state_size) * cell_bytes;
  if (!ctx.request_scratch(scratch_bytes, &p.scratch_handle)) return ctx.fail("too many scratch buffers in the model");

  lstm::Params* data = ctx.allocate_op_data<lstm::Params>();
  if (!data) return Status::kArenaTooSmall;
  *data = p;
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const lstm::Params* p = ctx.op_data_as<lstm::Params>();
  lstm::Tensors t;
  t.input = ctx.input_data(kInput);
  for (int g = 0; g < lstm::kNumGates; ++g) {
    t.input_weights[g] = ctx.input_data(kInputWeights + g);
    t.recurrent_weights[g] = ctx.input_data(kRecurrentWeights + g);
    t.biases[g] = ctx.input_data(kBiases + g);
  }
  t.hidden = ctx.variable_data(kHiddenState);
  t.cell = ctx.variable_data(kCellState);
  t.output = ctx.output_data(0);
  t.scratch = ctx.scratch(p->scratch_handle);
  if (!t.input || !t.hidden || !t.cell || !t.output || !t.scratch) return ctx.fail("missing tensor data");
  switch (p->kind) {
    case lstm::Kind::kFloat:
      lstm::run_float(*p, t);
      break;
    case lstm::Kind::kInt8:
      lstm::run_int8(*p, t);
      break;
    case lstm::Kind::kInt16:
      lstm::run_int16(*p, t);
      break;
  }
  return Status::kOk;
}

}  // namespace

// Version 1: float and int8; 2-3: hybrid (not in TFLM); 4: diagonal (not in TFLM); 5: int16.
const Kernel kUnidirectionalSequenceLstm = {op::kUnidirectionalSequenceLstm, nullptr, /*max_version=*/5, prepare,
                                            eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
