// TRANSPOSE with a constant perm input (int32), inputs of rank 1 to 6. Types as
// TFLite Micro: float32, int8, int16.
#include "tinyforge/micro/kernels.h"
#include "shape_transpose.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using namespace shape_ops;

constexpr uint32_t kTypes =
    type_bit(TensorType::kFloat32) | type_bit(TensorType::kInt8) | type_bit(TensorType::kInt16);

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 2) return ctx.fail("expected 2 inputs, got %d", ctx.num_inputs());
  if (ctx.num_outputs() != 1) return ctx.fail("expected 1 output, got %d", ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo perm = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (!type_in(in.type, kTypes)) return ctx.unsupported("input type %s", type_name(in.type));
  if (in.type != out.type) {
    return ctx.fail("input type %s differs from output type %s", type_name(in.type), type_name(out.type));
  }
  const int rank = in.shape.rank;
  if (rank < 1 || rank > kTransposeRank) return ctx.unsupported("input rank %d (1 to %d supported)", rank, kTransposeRank);
  if (perm.const_data == nullptr) return ctx.unsupported("non-constant perm input");
  if (perm.type != TensorType::kInt32) return ctx.unsupported("perm of type %s (int32 only)", type_name(perm.type));
  if (perm.shape.rank != 1 || perm.shape.dims[0] != rank || !is_const_i32(perm, static_cast<uint32_t>(rank))) {
    return ctx.fail("perm must be a vector of %d values", rank);
  }
  int32_t values[kTransposeRank];
  for (int i = 0; i < rank; ++i) values[i] = const_i32(perm, static_cast<uint32_t>(i));

  TransposePlan* plan = ctx.allocate_op_data<TransposePlan>();
  if (!plan) return Status::kArenaTooSmall;
  Shape expected;
  const char* why = plan_transpose(in.shape, values, rank, plan, &expected);
  if (why) return ctx.fail("%s", why);
  if (!expected.equals(out.shape)) return ctx.fail("output shape is not the permuted input shape");
  plan->elem_size = static_cast<uint32_t>(type_size(in.type));
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const TransposePlan& plan = *ctx.op_data_as<TransposePlan>();
  switch (plan.elem_size) {
    case 1:
      transpose_copy(plan, ctx.input<uint8_t>(0), ctx.output<uint8_t>(0));
      break;
    case 2:
      transpose_copy(plan, ctx.input<uint16_t>(0), ctx.output<uint16_t>(0));
      break;
    case 4:
      transpose_copy(plan, ctx.input<uint32_t>(0), ctx.output<uint32_t>(0));
      break;
    default:
      return ctx.fail("element size %u", static_cast<unsigned>(plan.elem_size));
  }
  return Status::kOk;
}

}  // namespace

const Kernel kTranspose = {op::kTranspose, nullptr, /*max_version=*/6, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
