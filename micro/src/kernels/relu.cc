// RELU and RELU6 (float32, int8, int16), as TFLM computes them: quantized RELU rescales from
// the input's to the output's quantization; quantized RELU6 only clamps the raw values to the
// input's quantized [0, 6] (the converter gives both tensors one quantization).
#include "elementwise_util.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct ReluData {
  TensorType type;
  int32_t count;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;
  int shift;
  int32_t act_min;  // RELU: output range; RELU6: raw input values of 0 and 6
  int32_t act_max;
};

Status prepare_common(PrepareContext& ctx, ReluData** out_data, TensorInfo* in, TensorInfo* out) {
  Status s = check_unary(ctx, in, out);
  if (s != Status::kOk) return s;
  switch (in->type) {
    case TensorType::kFloat32:
      if (out->type != in->type) return ctx.unsupported("input FLOAT32 with output %s", type_name(out->type));
      break;
    case TensorType::kInt8:
    case TensorType::kInt16:
      s = check_unary_quantized(ctx, *in, *out);
      if (s != Status::kOk) return s;
      break;
    default:
      return ctx.unsupported("type %s", type_name(in->type));
  }
  ReluData* d = ctx.allocate_op_data<ReluData>();
  if (!d) return Status::kArenaTooSmall;
  d->type = in->type;
  d->count = in->shape.flat_size();
  *out_data = d;
  return Status::kOk;
}

Status prepare_relu(PrepareContext& ctx) {
  ReluData* d = nullptr;
  TensorInfo in;
  TensorInfo out;
  Status s = prepare_common(ctx, &d, &in, &out);
  if (s != Status::kOk || d->type == TensorType::kFloat32) return s;
  d->input_zero_point = in.quant.zero_point(0);
  d->output_zero_point = out.quant.zero_point(0);
  if (d->type == TensorType::kInt16 && (d->input_zero_point != 0 || d->output_zero_point != 0)) {
    return ctx.unsupported("INT16 RELU needs zero points of 0");
  }
  const double real = static_cast<double>(in.quant.scale(0)) / static_cast<double>(out.quant.scale(0));
  quantize_multiplier(real, &d->multiplier, &d->shift);
  int32_t qmin = 0;
  int32_t qmax = 0;
  integer_type_range(d->type, &qmin, &qmax);
  // Lower bound: real 0 on the output scale (no upper bound for RELU).
  const int32_t zero = d->output_zero_point + static_cast<int32_t>(roundf(0.0f / out.quant.scale(0)));
  d->act_min = zero > qmin ? zero : qmin;
  d->act_max = qmax;
  return Status::kOk;
}

// TFLM's FloatToQuantizedType: round(value / scale) + zero_point, clamped to the type.
int32_t quantize_clamped(float value, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  const float r = roundf(value / scale) + static_cast<float>(zero_point);
  const int32_t q = float_to_int32_saturating(r);
  return clamp_i32(q, qmin, qmax);
}

Status prepare_relu6(PrepareContext& ctx) {
  ReluData* d = nullptr;
  TensorInfo in;
  TensorInfo out;
  Status s = prepare_common(ctx, &d, &in, &out);
  if (s != Status::kOk || d->type == TensorType::kFloat32) return s;
  int32_t qmin = 0;
  int32_t qmax = 0;
  integer_type_range(d->type, &qmin, &qmax);
  d->act_min = in.quant.zero_point(0);
  d->act_max = quantize_clamped(6.0f, in.quant.scale(0), d->act_min, qmin, qmax);
  return Status::kOk;
}

template <typename T>
void relu_quantized(const ReluData& d, const T* in, T* out) {
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t v = d.output_zero_point +
                      multiply_by_quantized_multiplier(in[i] - d.input_zero_point, d.multiplier, d.shift);
    out[i] = static_cast<T>(clamp_i32(v, d.act_min, d.act_max));
  }
}

// Upper bound checked first, as TFLM does (matters only for a zero point above "six").
template <typename T>
void clamp_raw(const ReluData& d, const T* in, T* out) {
  const int32_t lo = d.act_min;
  const int32_t hi = d.act_max;
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t v = in[i];
    out[i] = static_cast<T>(v > hi ? hi : (v < lo ? lo : v));
  }
}

Status eval_relu(EvalContext& ctx) {
  const ReluData& d = *ctx.op_data_as<ReluData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      const float* in = ctx.input<float>(0);
      float* out = ctx.output<float>(0);
      for (int32_t i = 0; i < d.count; ++i) out[i] = in[i] < 0.0f ? 0.0f : in[i];
      return Status::kOk;
    }
    case TensorType::kInt8:
      relu_quantized(d, ctx.input<int8_t>(0), ctx.output<int8_t>(0));
      return Status::kOk;
    case TensorType::kInt16:
      relu_quantized(d, ctx.input<int16_t>(0), ctx.output<int16_t>(0));
      return Status::kOk;
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

Status eval_relu6(EvalContext& ctx) {
  const ReluData& d = *ctx.op_data_as<ReluData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      const float* in = ctx.input<float>(0);
      float* out = ctx.output<float>(0);
      for (int32_t i = 0; i < d.count; ++i) {
        const float v = in[i];
        out[i] = v > 6.0f ? 6.0f : (v < 0.0f ? 0.0f : v);
      }
      return Status::kOk;
    }
    case TensorType::kInt8:
      clamp_raw(d, ctx.input<int8_t>(0), ctx.output<int8_t>(0));
      return Status::kOk;
    case TensorType::kInt16:
      clamp_raw(d, ctx.input<int16_t>(0), ctx.output<int16_t>(0));
      return Status::kOk;
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

}  // namespace

// Both read element i before writing element i.
const Kernel kRelu = {op::kRelu, nullptr, /*max_version=*/3, prepare_relu, eval_relu, kInPlace};
const Kernel kRelu6 = {op::kRelu6, nullptr, /*max_version=*/3, prepare_relu6, eval_relu6, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
