// SOFTMAX over the innermost dimension, as TFLite Micro's reference kernel computes it:
// float (expf after subtracting the row maximum), int8 -> int8/int16 (gemmlowp fixed-point
// exp and reciprocal) and int16 -> int16 (interpolated lookup tables).
#include <math.h>

#include "softmax_ref.h"
#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

enum class Path : uint8_t { kFloat, kInt8ToInt8, kInt8ToInt16, kInt16 };

struct OpData {
  softmax::Params params;
  int32_t outer = 0;
  int32_t depth = 0;
  Path path = Path::kFloat;
};

constexpr int kSoftmaxOptionsBeta = 0;  // SoftmaxOptions.beta

bool near(float a, float b, float tolerance) {
  return (a > b ? a - b : b - a) <= tolerance;
}

Status check_quantized_output(PrepareContext& ctx, const TensorInfo& in, const TensorInfo& out, Path* path) {
  const float out_scale = out.quant.scale();
  const int32_t out_zp = out.quant.zero_point();
  if (in.type == TensorType::kInt16) {
    if (out.type != TensorType::kInt16)
      return ctx.unsupported("int16 input needs an int16 output, got %s", type_name(out.type));
    if (in.quant.zero_point() != 0)
      return ctx.fail("int16 input zero point must be 0, got %d", static_cast<int>(in.quant.zero_point()));
    if (out_zp != 0 || !near(out_scale, 1.0f / 32768, 0.001f / 32768))
      return ctx.fail("int16 output must have scale 1/32768 and zero point 0 (got %g, %d)",
                      static_cast<double>(out_scale), static_cast<int>(out_zp));
    *path = Path::kInt16;
    return Status::kOk;
  }
  if (out.type == TensorType::kInt16) {
    if (out_zp != -32768 || !near(out_scale, 1.0f / 65536, 0.001f / 65536))
      return ctx.fail("int16 output of an int8 input must have scale 1/65536 and zero point -32768 (got %g, %d)",
                      static_cast<double>(out_scale), static_cast<int>(out_zp));
    *path = Path::kInt8ToInt16;
    return Status::kOk;
  }
  if (out.type != TensorType::kInt8)
    return ctx.unsupported("int8 input needs an int8 or int16 output, got %s", type_name(out.type));
  if (out_zp != -128 || out_scale != 1.0f / 256)
    return ctx.fail("int8 output must have scale 1/256 and zero point -128 (got %g, %d)",
                    static_cast<double>(out_scale), static_cast<int>(out_zp));
  *path = Path::kInt8ToInt8;
  return Status::kOk;
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1)
    return ctx.fail("expects 1 input and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  if (in.shape.rank < 1) return ctx.fail("input must have at least one dimension");
  if (!in.shape.equals(out.shape)) return ctx.fail("output shape differs from the input shape");
  const float beta = ctx.options().scalar<float>(kSoftmaxOptionsBeta, 0.0f);

  OpData* data = ctx.allocate_op_data<OpData>();
  if (!data) return Status::kArenaTooSmall;
  data->depth = in.shape.dim(in.shape.rank - 1);
  data->outer = data->depth > 0 ? in.shape.flat_size() / data->depth : 0;

  if (in.type == TensorType::kFloat32) {
    if (out.type != TensorType::kFloat32)
      return ctx.unsupported("float32 input needs a float32 output, got %s", type_name(out.type));
    data->path = Path::kFloat;
    data->params.beta = beta;
    return Status::kOk;
  }
  if (in.type != TensorType::kInt8 && in.type != TensorType::kInt16)
    return ctx.unsupported("input type %s (supported: float32, int8, int16)", type_name(in.type));
  if (in.quant.count == 0 || !(in.quant.scale() > 0.0f)) return ctx.fail("quantized input has no positive scale");
  Status s = check_quantized_output(ctx, in, out, &data->path);
  if (s != Status::kOk) return s;

  if (data->path == Path::kInt16) {
    int16_t* luts = static_cast<int16_t*>(ctx.allocate_persistent(2 * activation_int16::kLutSize * sizeof(int16_t)));
    if (!luts) return Status::kArenaTooSmall;
    softmax::populate_int16_luts(luts, luts + activation_int16::kLutSize);
    data->params.exp_lut = luts;
    data->params.one_over_one_plus_x_lut = luts + activation_int16::kLutSize;
    softmax::prepare_int16_input(static_cast<double>(beta), static_cast<double>(in.quant.scale()), &data->params);
    return Status::kOk;
  }
  if (!softmax::prepare_int8_input(static_cast<double>(beta), static_cast<double>(in.quant.scale()), &data->params))
    return ctx.unsupported("beta * input scale (%g * %g) is too small for the int8 softmax", static_cast<double>(beta),
                           static_cast<double>(in.quant.scale()));
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const OpData& d = *ctx.op_data_as<OpData>();
  switch (d.path) {
    case Path::kFloat: softmax::run_float(d.params, d.outer, d.depth, ctx.input<float>(0), ctx.output<float>(0)); break;
    case Path::kInt8ToInt8:
      softmax::run_int8(d.params, d.outer, d.depth, ctx.input<int8_t>(0), ctx.output<int8_t>(0));
      break;
    case Path::kInt8ToInt16:
      softmax::run_int8(d.params, d.outer, d.depth, ctx.input<int8_t>(0), ctx.output<int16_t>(0));
      break;
    case Path::kInt16:
      softmax::run_int16(d.params, d.outer, d.depth, ctx.input<int16_t>(0), ctx.output<int16_t>(0));
      break;
  }
  return Status::kOk;
}

}  // namespace

const Kernel kSoftmax = {op::kSoftmax, nullptr, /*max_version=*/3, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
