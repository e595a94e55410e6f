// STRIDED_SLICE with constant begin/end/strides (int32), begin/end/shrink_axis masks
// and the offset flag, inputs of rank 1 to 5. Types as TFLite Micro: float32, int8,
// int16, int32, bool. ellipsis_mask and new_axis_mask are not supported (TFLite Micro
// silently ignores them, which would give a wrong result).
#include "tinyforge/micro/kernels.h"
#include "shape_strided_slice.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using namespace shape_ops;

constexpr uint32_t kTypes = type_bit(TensorType::kFloat32) | type_bit(TensorType::kInt8) |
                            type_bit(TensorType::kInt16) | type_bit(TensorType::kInt32) |
                            type_bit(TensorType::kBool);

// StridedSliceOptions fields (schema.fbs order).
enum { kBeginMask = 0, kEndMask = 1, kEllipsisMask = 2, kNewAxisMask = 3, kShrinkAxisMask = 4, kOffset = 5 };

Status read_indices(PrepareContext& ctx, int input, const char* what, int rank, int32_t* values) {
  const TensorInfo t = ctx.input(input);
  if (t.const_data == nullptr) return ctx.unsupported("non-constant %s input", what);
  if (t.type != TensorType::kInt32) return ctx.unsupported("%s input of type %s (int32 only)", what, type_name(t.type));
  if (t.shape.rank != 1 || t.shape.dims[0] != rank || !is_const_i32(t, static_cast<uint32_t>(rank))) {
    return ctx.fail("%s input must be a vector of %d values", what, rank);
  }
  for (int i = 0; i < rank; ++i) values[i] = const_i32(t, static_cast<uint32_t>(i));
  return Status::kOk;
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 4) return ctx.fail("expected 4 inputs, got %d", ctx.num_inputs());
  if (ctx.num_outputs() != 1) return ctx.fail("expected 1 output, got %d", ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  if (!type_in(in.type, kTypes)) return ctx.unsupported("input type %s", type_name(in.type));
  if (in.type != out.type) {
    return ctx.fail("input type %s differs from output type %s", type_name(in.type), type_name(out.type));
  }
  if (in.shape.rank < 1 || in.shape.rank > kSliceRank) {
    return ctx.unsupported("input rank %d (1 to %d supported)", static_cast<int>(in.shape.rank), kSliceRank);
  }

  SliceParams params;
  params.rank = in.shape.rank;
  Status s = read_indices(ctx, 1, "begin", params.rank, params.begin);
  if (s != Status::kOk) return s;
  s = read_indices(ctx, 2, "end", params.rank, params.end);
  if (s != Status::kOk) return s;
  s = read_indices(ctx, 3, "strides", params.rank, params.strides);
  if (s != Status::kOk) return s;

  const fb::Table options = ctx.options();
  if (options.ok()) {
    params.begin_mask = options.scalar<int32_t>(kBeginMask, 0);
    params.end_mask = options.scalar<int32_t>(kEndMask, 0);
    params.shrink_axis_mask = options.scalar<int32_t>(kShrinkAxisMask, 0);
    params.offset = options.boolean(kOffset, false);
    if (options.scalar<int32_t>(kEllipsisMask, 0) != 0) return ctx.unsupported("ellipsis_mask");
    if (options.scalar<int32_t>(kNewAxisMask, 0) != 0) return ctx.unsupported("new_axis_mask");
  }

  SlicePlan* plan = ctx.allocate_op_data<SlicePlan>();
  if (!plan) return Status::kArenaTooSmall;
  Shape expected;
  const char* why = plan_strided_slice(in.shape, params, plan, &expected);
  if (why) return ctx.fail("%s", why);
  if (!expected.equals(out.shape)) return ctx.fail("output shape does not match the slice");
  plan->elem_size = static_cast<uint32_t>(type_size(in.type));
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const SlicePlan& plan = *ctx.op_data_as<SlicePlan>();
  switch (plan.elem_size) {
    case 1:
      strided_slice_copy(plan, ctx.input<uint8_t>(0), ctx.output<uint8_t>(0));
      break;
    case 2:
      strided_slice_copy(plan, ctx.input<uint16_t>(0), ctx.output<uint16_t>(0));
      break;
    case 4:
      strided_slice_copy(plan, ctx.input<uint32_t>(0), ctx.output<uint32_t>(0));
      break;
    default:
      return ctx.fail("element size %u", static_cast<unsigned>(plan.elem_size));
  }
  return Status::kOk;
}

}  // namespace

const Kernel kStridedSlice = {op::kStridedSlice, nullptr, /*max_version=*/8, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
