// CONCATENATION along any axis (negative counts from the end). Types as TFLite Micro:
// float32, int8, int16, int32, int64, bool. The op copies bytes, so int8 inputs must
// share the output's scale and zero point (the converter guarantees it; a model that
// breaks it would need requantization, which TFLite Micro does not do either).
#include "tinyforge/micro/kernels.h"
#include "shape_concat.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using namespace shape_ops;

constexpr uint32_t kTypes = type_bit(TensorType::kFloat32) | type_bit(TensorType::kInt8) |
                            type_bit(TensorType::kInt16) | type_bit(TensorType::kInt32) |
                            type_bit(TensorType::kInt64) | type_bit(TensorType::kBool);

Status prepare(PrepareContext& ctx) {
  const int n = ctx.num_inputs();
  if (n < 1 || n > kMaxConcatInputs) return ctx.unsupported("%d inputs (1 to %d supported)", n, kMaxConcatInputs);
  if (ctx.num_outputs() != 1) return ctx.fail("expected 1 output, got %d", ctx.num_outputs());
  const TensorInfo out = ctx.output(0);
  if (!type_in(out.type, kTypes)) return ctx.unsupported("type %s", type_name(out.type));

  const fb::Table options = ctx.options();
  int32_t axis = 0;
  uint8_t activation = 0;
  if (options.ok()) {
    axis = options.scalar<int32_t>(0, 0);         // ConcatenationOptions.axis
    activation = options.scalar<uint8_t>(1, 0);   // ConcatenationOptions.fused_activation_function
  }
  if (activation != static_cast<uint8_t>(Activation::kNone)) return ctx.unsupported("fused activation %u", activation);
  const int positive_axis = normalize_axis(axis, out.shape.rank);
  if (positive_axis < 0) {
    return ctx.fail("axis %d is out of range for rank %d", static_cast<int>(axis), static_cast<int>(out.shape.rank));
  }

  Shape shapes[kMaxConcatInputs];
  for (int k = 0; k < n; ++k) {
    if (!ctx.has_input(k)) return ctx.fail("input %d is missing", k);
    const TensorInfo in = ctx.input(k);
    if (in.type != out.type) {
      return ctx.fail("input %d type %s differs from output type %s", k, type_name(in.type), type_name(out.type));
    }
    if (out.type == TensorType::kInt8 &&
        (in.quant.scale() != out.quant.scale() || in.quant.zero_point() != out.quant.zero_point())) {
      return ctx.unsupported("int8 input %d is quantized differently from the output", k);
    }
    shapes[k] = in.shape;
  }

  ConcatPlan* plan = ctx.allocate_op_data<ConcatPlan>();
  if (!plan) return Status::kArenaTooSmall;
  const char* why = plan_concat(shapes, n, out.shape, positive_axis, static_cast<uint32_t>(type_size(out.type)), plan);
  if (why) return ctx.fail("%s", why);
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const ConcatPlan& plan = *ctx.op_data_as<ConcatPlan>();
  const uint8_t* inputs[kMaxConcatInputs];
  for (uint32_t k = 0; k < plan.num_inputs; ++k) inputs[k] = ctx.input<uint8_t>(static_cast<int>(k));
  concat_copy(plan, inputs, ctx.output<uint8_t>(0));
  return Status::kOk;
}

}  // namespace

const Kernel kConcatenation = {op::kConcatenation, nullptr, /*max_version=*/4, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
