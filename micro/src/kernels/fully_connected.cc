// FULLY_CONNECTED: output[b, o] = sum_d input[b, d] * weights[o, d] + bias[o], for every
// batch row b (all input dims but the last collapse into rows; keep_num_dims only shapes
// the output tensor, which the model already states). float32; int8 with int8 weights
// (per-tensor or per-channel) and int32 bias; int16 with int8 weights and int64 bias
// (64-bit accumulator) or int32 bias / none (32-bit). Arithmetic follows TFLM's reference
// kernels bit for bit, including where it computes the multiplier in float.
#include <math.h>

#include "conv_common.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

// FullyConnectedOptions fields (schema.fbs).
enum { kActivation = 0, kWeightsFormat = 1, kKeepNumDims = 2 };

struct FcData {
  int32_t batches = 0;
  int32_t out_d = 0;
  int32_t accum_d = 0;
  int32_t input_offset = 0;   // minus the input zero point
  int32_t filter_offset = 0;  // minus the weights zero point (per-tensor only; 0 in practice)
  int32_t output_offset = 0;
  int32_t act_min = 0, act_max = 0;
  float act_min_f = 0.0f, act_max_f = 0.0f;
  int32_t multiplier = 0;  // per-tensor rescale
  int32_t shift = 0;
  const int32_t* multipliers = nullptr;  // per-channel rescale, or null
  const int32_t* shifts = nullptr;
  TensorType type = TensorType::kFloat32;
  bool wide_accumulator = false;  // int16 activations with an int64 bias
};

// Per-tensor multiplier as TFLite computes it: the input x weights scale product is taken
// in float, then widened, then divided by the output scale in double.
Status per_tensor_multiplier(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                             const TensorInfo& output, bool has_bias, const TensorInfo& bias, int max_shift,
                             FcData* d) {
  float in_scale = 0.0f;
  float out_scale = 0.0f;
  Status s = conv::positive_scale(ctx, input, "input", &in_scale);
  if (s != Status::kOk) return s;
  s = conv::positive_scale(ctx, output, "output", &out_scale);
  if (s != Status::kOk) return s;
  if (filter.quant.count != 1) return ctx.fail("weights tensor %d has no quantization", filter.index);
  const float filter_scale = filter.quant.scale(0);
  if (!(filter_scale >= 0.0f) || !isfinite(filter_scale)) {
    return ctx.fail("weights scale %g is not a non-negative number", filter_scale);
  }
  if (has_bias) {
    // TFLite's sanity check that the bias was quantized with input x weights scale.
    const double product = static_cast<double>(in_scale) * static_cast<double>(filter_scale);
    const double diff = fabs(product - static_cast<double>(bias.quant.scale(0)));
    if (!(diff / static_cast<double>(out_scale) <= 0.02)) {
      return ctx.fail("bias scale %g does not match input x weights scale %g", bias.quant.scale(0), product);
    }
  }
  const double real = static_cast<double>(in_scale * filter_scale) / static_cast<double>(out_scale);
  int shift = 0;
  quantize_multiplier(real, &d->multiplier, &shift);
  if (shift > max_shift) return ctx.unsupported("rescale factor %g is too large for fixed point", real);
  d->shift = shift;
  return Status::kOk;
}

Status prepare_quantized(PrepareContext& ctx, Activation act, const TensorInfo& input, const TensorInfo& filter,
                         const TensorInfo& output, bool has_bias, const TensorInfo& bias, FcData* d) {
  TensorType want_bias = TensorType::kInt32;
  if (input.type == TensorType::kInt16 && has_bias && bias.type == TensorType::kInt64) {
    d->wide_accumulator = true;
    want_bias = TensorType::kInt64;
  }
  if (filter.type != TensorType::kInt8) {
    return ctx.unsupported("%s input with %s weights is not supported", type_name(input.type), type_name(filter.type));
  }
  if (has_bias && bias.type != want_bias) {
    return ctx.unsupported("%s input with %s bias is not supported", type_name(input.type), type_name(bias.type));
  }
  const int32_t input_zp = input.quant.zero_point(0);
  const int32_t output_zp = output.quant.zero_point(0);
  const int32_t filter_zp = filter.quant.zero_point(0);
  if (input.type == TensorType::kInt8 && (input_zp < -128 || input_zp > 127 || output_zp < -128 || output_zp > 127)) {
    return ctx.fail("int8 zero points out of range (input %d, output %d)", input_zp, output_zp);
  }
  if (input.type == TensorType::kInt16 && (input_zp != 0 || output_zp != 0)) {
    return ctx.fail("int16 tensors must have zero point 0 (input %d, output %d)", input_zp, output_zp);
  }
  if (filter_zp < -128 || filter_zp > 127) return ctx.fail("weights zero point %d out of range", filter_zp);
  d->input_offset = -input_zp;
  d->output_offset = output_zp;
  d->filter_offset = -filter_zp;
  // The 64-bit rescale keeps 15 bits of the multiplier, so it tolerates less left shift.
  const int max_shift = d->wide_accumulator ? 14 : 30;
  Status s;
  if (filter.quant.count > 1) {
    if (filter_zp != 0) return ctx.unsupported("per-channel weights with zero point %d", filter_zp);
    int32_t* m = nullptr;
    int32_t* sh = nullptr;
    s = conv::per_channel_multipliers(ctx, input, filter, output, d->out_d, filter.shape.rank - 2, max_shift, &m, &sh);
    d->multipliers = m;
    d->shifts = sh;
  } else {
    s = per_tensor_multiplier(ctx, input, filter, output, has_bias, bias, max_shift, d);
  }
  if (s != Status::kOk) return s;
  return conv::quantized_activation(ctx, act, output, &d->act_min, &d->act_max);
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() < 2 || ctx.num_inputs() > 3 || ctx.num_outputs() != 1) {
    return ctx.fail("expects 2 or 3 inputs and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.fail("input and weights are required");
  const TensorInfo input = ctx.input(0);
  const TensorInfo filter = ctx.input(1);
  const TensorInfo output = ctx.output(0);
  const bool has_bias = ctx.num_inputs() > 2 && ctx.has_input(2);
  const TensorInfo bias = has_bias ? ctx.input(2) : TensorInfo();

  const fb::Table opt = ctx.options();
  const int8_t act = opt.scalar<int8_t>(kActivation, 0);
  if (!conv::known_activation(act)) return ctx.unsupported("fused activation %d is not supported", act);
  if (opt.scalar<int8_t>(kWeightsFormat, 0) != 0) {
    return ctx.unsupported("shuffled weights format %d is not supported", opt.scalar<int8_t>(kWeightsFormat, 0));
  }
  if (opt.broken()) return ctx.fail("options table is malformed");

  FcData* d = ctx.allocate_op_data<FcData>();
  if (!d) return Status::kArenaTooSmall;
  if (filter.shape.rank < 2) return ctx.fail("weights must be at least 2-D, got rank %d", filter.shape.rank);
  if (output.shape.rank < 1) return ctx.fail("output must be at least 1-D");
  d->accum_d = filter.shape.dim(filter.shape.rank - 1);
  d->out_d = output.shape.dim(output.shape.rank - 1);
  if (filter.shape.dim(filter.shape.rank - 2) != d->out_d) {
    return ctx.fail("%d weight rows for %d outputs", filter.shape.dim(filter.shape.rank - 2), d->out_d);
  }
  if (d->out_d < 1 || d->accum_d < 1) return ctx.fail("empty weights [%d, %d]", d->out_d, d->accum_d);
  d->batches = output.shape.flat_size() / d->out_d;
  if (static_cast<int64_t>(d->batches) * d->accum_d != input.shape.flat_size()) {
    return ctx.fail("input has %d values, not %d rows of %d", input.shape.flat_size(), d->batches, d->accum_d);
  }
  if (has_bias && bias.shape.flat_size() != d->out_d) {
    return ctx.fail("bias has %d values for %d outputs", bias.shape.flat_size(), d->out_d);
  }
  if (input.type != output.type) {
    return ctx.fail("input is %s but output is %s", type_name(input.type), type_name(output.type));
  }
  d->type = input.type;
  switch (input.type) {
    case TensorType::kFloat32:
      if (filter.type != TensorType::kFloat32) {
        return ctx.unsupported("float32 input with %s weights (hybrid) is not supported", type_name(filter.type));
      }
      if (has_bias && bias.type != TensorType::kFloat32) {
        return ctx.fail("float32 input with a %s bias", type_name(bias.type));
      }
      activation_range_float(static_cast<Activation>(act), &d->act_min_f, &d->act_max_f);
      return Status::kOk;
    case TensorType::kInt8:
    case TensorType::kInt16:
      return prepare_quantized(ctx, static_cast<Activation>(act), input, filter, output, has_bias, bias, d);
    default:
      return ctx.unsupported("%s activations are not supported", type_name(input.type));
  }
}

void eval_float(const FcData& d, const float* input, const float* weights, const float* bias, float* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    const float* row = input + b * d.accum_d;
    for (int32_t o = 0; o < d.out_d; ++o) {
      const float* w = weights + o * d.accum_d;
      float total = 0.0f;
      for (int32_t i = 0; i < d.accum_d; ++i) total += row[i] * w[i];
      // TFLM adds a 0.0f bias when there is none, which turns -0.0 into +0.0.
      const float bias_value = bias ? bias[o] : 0.0f;
      output[b * d.out_d + o] = apply_activation_float(total + bias_value, d.act_min_f, d.act_max_f);
    }
  }
}

inline int32_t rescale(const FcData& d, int32_t o, int32_t acc) {
  return d.multipliers ? multiply_by_quantized_multiplier(acc, d.multipliers[o], d.shifts[o])
                       : multiply_by_quantized_multiplier(acc, d.multiplier, d.shift);
}

void eval_int8(const FcData& d, const int8_t* input, const int8_t* weights, const int32_t* bias, int8_t* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    const int8_t* row = input + b * d.accum_d;
    for (int32_t o = 0; o < d.out_d; ++o) {
      const int8_t* w = weights + o * d.accum_d;
      // Unsigned sum: wraps like TFLM's int32 accumulator would, without undefined behaviour.
      uint32_t acc = 0;
      for (int32_t i = 0; i < d.accum_d; ++i) {
        acc += static_cast<uint32_t>((w[i] + d.filter_offset) * (row[i] + d.input_offset));
      }
      if (bias) acc += static_cast<uint32_t>(bias[o]);
      const int32_t v = conv::wrapping_add(rescale(d, o, static_cast<int32_t>(acc)), d.output_offset);
      output[b * d.out_d + o] = static_cast<int8_t>(clamp_i32(v, d.act_min, d.act_max));
    }
  }
}

// int16 activations, int32 bias or none: 32-bit accumulator, no zero points.
void eval_int16_narrow(const FcData& d, const int16_t* input, const int8_t* weights, const int32_t* bias,
                       int16_t* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    const int16_t* row = input + b * d.accum_d;
    for (int32_t o = 0; o < d.out_d; ++o) {
      const int8_t* w = weights + o * d.accum_d;
      uint32_t acc = 0;
      for (int32_t i = 0; i < d.accum_d; ++i) acc += static_cast<uint32_t>((w[i] + d.filter_offset) * row[i]);
      if (bias) acc += static_cast<uint32_t>(bias[o]);
      const int32_t v = rescale(d, o, static_cast<int32_t>(acc));
      output[b * d.out_d + o] = static_cast<int16_t>(clamp_i32(v, d.act_min, d.act_max));
    }
  }
}

// int16 activations, int64 bias: 64-bit accumulator and rescale.
void eval_int16_wide(const FcData& d, const int16_t* input, const int8_t* weights, const int64_t* bias,
                     int16_t* output) {
  for (int32_t b = 0; b < d.batches; ++b) {
    const int16_t* row = input + b * d.accum_d;
    for (int32_t o = 0; o < d.out_d; ++o) {
      const int8_t* w = weights + o * d.accum_d;
      int64_t acc = 0;
      for (int32_t i = 0; i < d.accum_d; ++i) acc += (w[i] + d.filter_offset) * row[i];
      if (bias) acc += bias[o];
      acc = conv::clamp_accumulator_48(acc);
      const int32_t v = d.multipliers ? multiply_by_quantized_multiplier_64(acc, d.multipliers[o], d.shifts[o])
                                      : multiply_by_quantized_multiplier_64(acc, d.multiplier, d.shift);
      output[b * d.out_d + o] = static_cast<int16_t>(clamp_i32(v, d.act_min, d.act_max));
    }
  }
}

Status eval(EvalContext& ctx) {
  const FcData& d = *ctx.op_data_as<FcData>();
  switch (d.type) {
    case TensorType::kFloat32:
      eval_float(d, ctx.input<float>(0), ctx.input<float>(1), ctx.input<float>(2), ctx.output<float>(0));
      break;
    case TensorType::kInt8:
      eval_int8(d, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.input<int32_t>(2), ctx.output<int8_t>(0));
      break;
    case TensorType::kInt16:
      if (d.wide_accumulator) {
        eval_int16_wide(d, ctx.input<int16_t>(0), ctx.input<int8_t>(1), ctx.input<int64_t>(2),
                        ctx.output<int16_t>(0));
      } else {
        eval_int16_narrow(d, ctx.input<int16_t>(0), ctx.input<int8_t>(1), ctx.input<int32_t>(2),
                          ctx.output<int16_t>(0));
      }
      break;
    default:
      return ctx.fail("type %s was not prepared", type_name(d.type));
  }
  return Status::kOk;
}

}  // namespace

const Kernel kFullyConnected = {op::kFullyConnected, nullptr, /*max_version=*/13, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
