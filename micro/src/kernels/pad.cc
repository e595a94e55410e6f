// PAD with a constant paddings input ([rank, 2] int32). The pad element is 0 for
// float32, int16 and int32, and the output zero point for int8 (the quantized 0.0),
// as TFLite Micro. Types as TFLite Micro: float32, int8, int16, int32; rank up to 5.
#include "tinyforge/micro/kernels.h"
#include "shape_pad.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using namespace shape_ops;

constexpr uint32_t kTypes = type_bit(TensorType::kFloat32) | type_bit(TensorType::kInt8) |
                            type_bit(TensorType::kInt16) | type_bit(TensorType::kInt32);

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 2) return ctx.fail("expected 2 inputs, got %d", ctx.num_inputs());
  if (ctx.num_outputs() != 1) return ctx.fail("expected 1 output, got %d", ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo paddings = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (!type_in(in.type, kTypes)) return ctx.unsupported("input type %s", type_name(in.type));
  if (in.type != out.type) {
    return ctx.fail("input type %s differs from output type %s", type_name(in.type), type_name(out.type));
  }
  const int rank = in.shape.rank;
  if (rank > kPadRank) return ctx.unsupported("input rank %d (up to %d supported)", rank, kPadRank);
  if (paddings.const_data == nullptr) return ctx.unsupported("non-constant paddings input");
  if (paddings.type != TensorType::kInt32) {
    return ctx.unsupported("paddings of type %s (int32 only)", type_name(paddings.type));
  }
  if (paddings.shape.flat_size() != 2 * rank || !is_const_i32(paddings, static_cast<uint32_t>(2 * rank))) {
    return ctx.fail("paddings must hold 2 values per input axis (%d)", 2 * rank);
  }
  int32_t values[2 * kPadRank];
  for (int i = 0; i < 2 * rank; ++i) values[i] = const_i32(paddings, static_cast<uint32_t>(i));

  PadPlan* plan = ctx.allocate_op_data<PadPlan>();
  if (!plan) return Status::kArenaTooSmall;
  Shape expected;
  const char* why = plan_pad(in.shape, values, plan, &expected);
  if (why) return ctx.fail("%s", why);
  if (!expected.equals(out.shape)) return ctx.fail("output shape is not the padded input shape");
  plan->elem_size = static_cast<uint32_t>(type_size(in.type));
  if (in.type == TensorType::kInt8) {
    const int32_t zp = out.quant.zero_point();
    if (zp < -128 || zp > 127) return ctx.fail("output zero point %d is outside int8", static_cast<int>(zp));
    const int8_t v = static_cast<int8_t>(zp);
    memcpy(plan->value, &v, 1);
  }  // every other type pads with all-zero bytes (0, 0.0f)
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const PadPlan& plan = *ctx.op_data_as<PadPlan>();
  switch (plan.elem_size) {
    case 1:
      pad_copy(plan, ctx.input<uint8_t>(0), ctx.output<uint8_t>(0));
      break;
    case 2:
      pad_copy(plan, ctx.input<uint16_t>(0), ctx.output<uint16_t>(0));
      break;
    case 4:
      pad_copy(plan, ctx.input<uint32_t>(0), ctx.output<uint32_t>(0));
      break;
    default:
      return ctx.fail("element size %u", static_cast<unsigned>(plan.elem_size));
  }
  return Status::kOk;
}

}  // namespace

const Kernel kPad = {op::kPad, nullptr, /*max_version=*/4, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
