// LEAKY_RELU (float32, int8, int16): x for x > 0, alpha * x otherwise. The quantized form
// rescales the two halves with two multipliers (identity and alpha), as TFLM does.
#include "elementwise_util.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct LeakyReluData {
  TensorType type;
  int32_t count;
  float alpha;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t identity_multiplier;
  int identity_shift;
  int32_t alpha_multiplier;  // negative when alpha is
  int alpha_shift;
};

Status prepare(PrepareContext& ctx) {
  TensorInfo in;
  TensorInfo out;
  Status s = check_unary(ctx, &in, &out);
  if (s != Status::kOk) return s;
  const fb::Table opts = ctx.options();
  const float alpha = opts.ok() ? opts.scalar<float>(0, 0.0f) : 0.0f;  // LeakyReluOptions.alpha
  if (opts.ok() && opts.broken()) return ctx.fail("broken LeakyReluOptions");
  switch (in.type) {
    case TensorType::kFloat32:
      if (out.type != in.type) return ctx.unsupported("input FLOAT32 with output %s", type_name(out.type));
      break;
    case TensorType::kInt8:
    case TensorType::kInt16:
      s = check_unary_quantized(ctx, in, out);
      if (s != Status::kOk) return s;
      if (!(alpha == alpha) || alpha > FLT_MAX || alpha < -FLT_MAX) return ctx.fail("alpha is not finite");
      break;
    default:
      return ctx.unsupported("type %s", type_name(in.type));
  }
  LeakyReluData* d = ctx.allocate_op_data<LeakyReluData>();
  if (!d) return Status::kArenaTooSmall;
  d->type = in.type;
  d->count = in.shape.flat_size();
  d->alpha = alpha;
  if (in.type == TensorType::kFloat32) return Status::kOk;
  d->input_zero_point = in.quant.zero_point(0);
  d->output_zero_point = out.quant.zero_point(0);
  const float si = in.quant.scale(0);
  const float so = out.quant.scale(0);
  // TFLM forms both ratios in float before widening to double.
  quantize_multiplier(static_cast<double>(si * alpha / so), &d->alpha_multiplier, &d->alpha_shift);
  quantize_multiplier(static_cast<double>(si / so), &d->identity_multiplier, &d->identity_shift);
  return Status::kOk;
}

template <typename T>
void eval_quantized(const LeakyReluData& d, const T* in, T* out) {
  int32_t qmin = 0;
  int32_t qmax = 0;
  integer_type_range(d.type, &qmin, &qmax);
  for (int32_t i = 0; i < d.count; ++i) {
    const int32_t x = in[i] - d.input_zero_point;
    const int32_t scaled = x >= 0 ? multiply_by_quantized_multiplier(x, d.identity_multiplier, d.identity_shift)
                                  : multiply_by_quantized_multiplier(x, d.alpha_multiplier, d.alpha_shift);
    out[i] = static_cast<T>(clamp_i32(d.output_zero_point + scaled, qmin, qmax));
  }
}

Status eval(EvalContext& ctx) {
  const LeakyReluData& d = *ctx.op_data_as<LeakyReluData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      const float* in = ctx.input<float>(0);
      float* out = ctx.output<float>(0);
      for (int32_t i = 0; i < d.count; ++i) {
        const float v = in[i];
        out[i] = v > 0 ? v : v * d.alpha;
      }
      return Status::kOk;
    }
    case TensorType::kInt8:
      eval_quantized(d, ctx.input<int8_t>(0), ctx.output<int8_t>(0));
      return Status::kOk;
    case TensorType::kInt16:
      eval_quantized(d, ctx.input<int16_t>(0), ctx.output<int16_t>(0));
      return Status::kOk;
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

}  // namespace

// Reads element i before writing element i.
const Kernel kLeakyRelu = {op::kLeakyRelu, nullptr, /*max_version=*/2, prepare, eval, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
