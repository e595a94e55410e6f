// QUANTIZE: float32 -> int8/int16 (round(x / scale) + zero_point), and requantization between
// integer types with a fixed-point multiplier input_scale / output_scale. The supported pairs
// are TFLM's: int8 -> int8/uint8/int16/int32, uint8 -> int8, int16 -> int8/int16/int32,
// int32 -> int8/int16.
#include "elementwise_util.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct QuantizeData {
  TensorType in_type;
  TensorType out_type;
  int32_t count;
  float output_scale;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;
  int shift;
  int32_t qmin;
  int32_t qmax;
};

bool requantize_pair_supported(TensorType in, TensorType out) {
  switch (in) {
    case TensorType::kInt8:
      return out == TensorType::kInt8 || out == TensorType::kUInt8 || out == TensorType::kInt16 ||
             out == TensorType::kInt32;
    case TensorType::kUInt8:
      return out == TensorType::kInt8;
    case TensorType::kInt16:
      return out == TensorType::kInt8 || out == TensorType::kInt16 || out == TensorType::kInt32;
    case TensorType::kInt32:
      return out == TensorType::kInt8 || out == TensorType::kInt16;
    default:
      return false;
  }
}

Status prepare(PrepareContext& ctx) {
  TensorInfo in;
  TensorInfo out;
  Status s = check_unary(ctx, &in, &out);
  if (s != Status::kOk) return s;
  const bool from_float = in.type == TensorType::kFloat32 &&
                          (out.type == TensorType::kInt8 || out.type == TensorType::kInt16);
  if (!from_float && !requantize_pair_supported(in.type, out.type)) {
    return ctx.unsupported("input %s with output %s", type_name(in.type), type_name(out.type));
  }
  if (out.quant.count != 1 || !has_tensor_scale(out)) {
    return ctx.fail("output needs one positive per-tensor scale (has %u scales)", out.quant.count);
  }
  if (!from_float && !has_tensor_scale(in)) return ctx.fail("input needs a positive per-tensor scale");
  QuantizeData* d = ctx.allocate_op_data<QuantizeData>();
  if (!d) return Status::kArenaTooSmall;
  d->in_type = in.type;
  d->out_type = out.type;
  d->count = in.shape.flat_size();
  d->output_scale = out.quant.scale(0);
  d->output_zero_point = out.quant.zero_point(0);
  if (out.type == TensorType::kInt32) {
    d->qmin = INT32_MIN;
    d->qmax = INT32_MAX;
  } else {
    integer_type_range(out.type, &d->qmin, &d->qmax);
  }
  if (!from_float) {
    d->input_zero_point = in.quant.zero_point(0);
    const double real = static_cast<double>(in.quant.scale(0)) / static_cast<double>(out.quant.scale(0));
    quantize_multiplier(real, &d->multiplier, &d->shift);
  }
  return Status::kOk;
}

template <typename Out>
void quantize_float(const QuantizeData& d, const float* in, Out* out) {
  // TFLM keeps the scale as a double but divides in float.
  const float scale = static_cast<float>(static_cast<double>(d.output_scale));
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t q = wrap_add(float_to_int32_saturating(roundf(in[i] / scale)), d.output_zero_point);
    out[i] = static_cast<Out>(clamp_i32(q, d.qmin, d.qmax));
  }
}

template <typename In, typename Out>
void requantize(const QuantizeData& d, const In* in, Out* out) {
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t x = wrap_sub(static_cast<int32_t>(in[i]), d.input_zero_point);
    const int32_t q = wrap_add(multiply_by_quantized_multiplier(x, d.multiplier, d.shift), d.output_zero_point);
    out[i] = static_cast<Out>(clamp_i32(q, d.qmin, d.qmax));
  }
}

template <typename In>
Status requantize_from(EvalContext& ctx, const QuantizeData& d) {
  const In* in = ctx.input<In>(0);
  switch (d.out_type) {
    case TensorType::kInt8:
      requantize(d, in, ctx.output<int8_t>(0));
      return Status::kOk;
    case TensorType::kUInt8:
      requantize(d, in, ctx.output<uint8_t>(0));
      return Status::kOk;
    case TensorType::kInt16:
      requantize(d, in, ctx.output<int16_t>(0));
      return Status::kOk;
    case TensorType::kInt32:
      requantize(d, in, ctx.output<int32_t>(0));
      return Status::kOk;
    default:
      return ctx.fail("output type %s", type_name(d.out_type));
  }
}

Status eval(EvalContext& ctx) {
  const QuantizeData& d = *ctx.op_data_as<QuantizeData>();
  switch (d.in_type) {
    case TensorType::kFloat32:
      if (d.out_type == TensorType::kInt8) {
        quantize_float(d, ctx.input<float>(0), ctx.output<int8_t>(0));
      } else {
        quantize_float(d, ctx.input<float>(0), ctx.output<int16_t>(0));
      }
      return Status::kOk;
    case TensorType::kInt8:
      return requantize_from<int8_t>(ctx, d);
    case TensorType::kUInt8:
      return requantize_from<uint8_t>(ctx, d);
    case TensorType::kInt16:
      return requantize_from<int16_t>(ctx, d);
    case TensorType::kInt32:
      return requantize_from<int32_t>(ctx, d);
    default:
      return ctx.fail("input type %s", type_name(d.in_type));
  }
}

}  // namespace

// Reads element i before writing element i; the planner shares buffers only for equal byte
// sizes, i.e. equal element widths here.
const Kernel kQuantize = {op::kQuantize, nullptr, /*max_version=*/3, prepare, eval, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
