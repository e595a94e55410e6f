// TANH, as TFLite Micro's reference kernel computes it: float with tanhf, int8 through
// gemmlowp-style fixed point, int16 through the sigmoid table (tanh(x) = 2 sigmoid(2x) - 1).
#include <math.h>

#include "activation_quantized.h"
#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct OpData {
  TensorType type = TensorType::kFloat32;
  int32_t count = 0;
  activation::Int8Params int8;
  activation::Int16Params int16;
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1)
    return ctx.fail("expects 1 input and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  if (in.type != out.type)
    return ctx.unsupported("input %s with output %s (types must match)", type_name(in.type), type_name(out.type));
  if (in.shape.flat_size() != out.shape.flat_size()) return ctx.fail("output size differs from the input size");
  OpData* data = ctx.allocate_op_data<OpData>();
  if (!data) return Status::kArenaTooSmall;
  data->type = in.type;
  data->count = in.shape.flat_size();

  switch (in.type) {
    case TensorType::kFloat32: return Status::kOk;
    case TensorType::kInt8:
      if (!(in.quant.scale() > 0.0f)) return ctx.fail("int8 input has no positive scale");
      if (!activation::prepare_int8(in.quant.scale(), in.quant.zero_point(), &data->int8))
        return ctx.unsupported("input scale %g is too small", static_cast<double>(in.quant.scale()));
      return Status::kOk;
    case TensorType::kInt16:
      if (in.quant.zero_point() != 0 || out.quant.zero_point() != 0)
        return ctx.fail("int16 input and output zero points must be 0");
      if (!(in.quant.scale() > 0.0f)) return ctx.fail("int16 input has no positive scale");
      activation::prepare_int16(in.quant.scale(), /*max_pot_shift=*/1, &data->int16);
      if (data->int16.input_multiplier > 32767)
        return ctx.unsupported("int16 input scale %g is too large", static_cast<double>(in.quant.scale()));
      if (!activation::int16_output_scale_ok(out.quant.scale()))
        return ctx.fail("int16 output scale must be 2^-15, got %g", static_cast<double>(out.quant.scale()));
      return Status::kOk;
    default: return ctx.unsupported("type %s (supported: float32, int8, int16)", type_name(in.type));
  }
}

void tanh_float(int32_t n, const float* in, float* out) {
  for (int32_t i = 0; i < n; ++i) out[i] = tanhf(in[i]);
}

Status eval(EvalContext& ctx) {
  const OpData& d = *ctx.op_data_as<OpData>();
  switch (d.type) {
    case TensorType::kFloat32: tanh_float(d.count, ctx.input<float>(0), ctx.output<float>(0)); break;
    case TensorType::kInt8: activation::tanh_int8(d.int8, d.count, ctx.input<int8_t>(0), ctx.output<int8_t>(0)); break;
    default:
      activation_int16::tanh(d.int16.input_multiplier, d.int16.input_left_shift, d.count, ctx.input<int16_t>(0),
                             ctx.output<int16_t>(0));
      break;
  }
  return Status::kOk;
}

}  // namespace

const Kernel kTanh = {op::kTanh, nullptr, /*max_version=*/3, prepare, eval, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
