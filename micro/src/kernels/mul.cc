// MUL: elementwise product with broadcasting and a fused activation (float32, int32, int8,
// int16). The quantized product of the two offset operands is rescaled once to the output.
#include "elementwise_binary.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

Status prepare(PrepareContext& ctx) {
  BinaryOpData* d = nullptr;
  Activation act = Activation::kNone;
  Status s = prepare_binary_common(ctx, &d, &act);
  if (s != Status::kOk) return s;
  const TensorInfo in1 = ctx.input(0);
  const TensorInfo in2 = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  switch (d->type) {
    case TensorType::kFloat32:
      activation_range_float(act, &d->act_min_f, &d->act_max_f);
      return Status::kOk;
    case TensorType::kInt32:
      activation_range_int32(act, &d->act_min, &d->act_max);
      return Status::kOk;
    case TensorType::kInt8:
    case TensorType::kInt16: {
      s = check_quantized_operands(ctx, in1, in2, out);
      if (s != Status::kOk) return s;
      d->input1_offset = -in1.quant.zero_point(0);
      d->input2_offset = -in2.quant.zero_point(0);
      d->output_offset = out.quant.zero_point(0);
      if (d->type == TensorType::kInt16 && (d->input1_offset != 0 || d->input2_offset != 0 || d->output_offset != 0)) {
        return ctx.unsupported("INT16 MUL needs zero points of 0");
      }
      const double real = static_cast<double>(in1.quant.scale(0)) * static_cast<double>(in2.quant.scale(0)) /
                          static_cast<double>(out.quant.scale(0));
      quantize_multiplier(real, &d->output_multiplier, &d->output_shift);
      int32_t qmin = 0;
      int32_t qmax = 0;
      integer_type_range(d->type, &qmin, &qmax);
      activation_range_quantized(act, out.quant.scale(0), d->output_offset, qmin, qmax, &d->act_min, &d->act_max);
      return Status::kOk;
    }
    default:
      return ctx.unsupported("type %s", type_name(d->type));
  }
}

template <typename T>
void eval_quantized(const BinaryOpData& d, const T* a, const T* b, T* out) {
  for_each_broadcast(d.plan, [&](int32_t o, int32_t i, int32_t j) {
    const int32_t product = (d.input1_offset + a[i]) * (d.input2_offset + b[j]);
    const int32_t v = d.output_offset + multiply_by_quantized_multiplier(product, d.output_multiplier, d.output_shift);
    out[o] = static_cast<T>(clamp_i32(v, d.act_min, d.act_max));
  });
}

Status eval(EvalContext& ctx) {
  const BinaryOpData& d = *ctx.op_data_as<BinaryOpData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      const float* a = ctx.input<float>(0);
      const float* b = ctx.input<float>(1);
      float* out = ctx.output<float>(0);
      for_each_broadcast(d.plan, [&](int32_t o, int32_t i, int32_t j) {
        out[o] = apply_activation_float(a[i] * b[j], d.act_min_f, d.act_max_f);
      });
      return Status::kOk;
    }
    case TensorType::kInt32: {
      const int32_t* a = ctx.input<int32_t>(0);
      const int32_t* b = ctx.input<int32_t>(1);
      int32_t* out = ctx.output<int32_t>(0);
      for_each_broadcast(d.plan, [&](int32_t o, int32_t i, int32_t j) {
        out[o] = clamp_i32(wrap_mul(a[i], b[j]), d.act_min, d.act_max);
      });
      return Status::kOk;
    }
    case TensorType::kInt8:
      eval_quantized(d, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.output<int8_t>(0));
      return Status::kOk;
    case TensorType::kInt16:
      eval_quantized(d, ctx.input<int16_t>(0), ctx.input<int16_t>(1), ctx.output<int16_t>(0));
      return Status::kOk;
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

}  // namespace

// Eval reads element i of both operands before writing element i of the output.
const Kernel kMul = {op::kMul, nullptr, /*max_version=*/7, prepare, eval, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
