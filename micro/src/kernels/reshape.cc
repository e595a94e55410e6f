// RESHAPE: the output shape is the model's output tensor shape (TFLite Micro has
// static shapes), so the op is a plain copy, and no copy at all when the planner
// aliased input and output (kInPlace).
#include "tinyforge/micro/kernels.h"
#include "shape_common.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using namespace shape_ops;

// Checks the requested shape against the output tensor when the model states it:
// the constant shape input if there is one, else the new_shape option.
Status check_requested_shape(PrepareContext& ctx, const TensorInfo& out) {
  int32_t spec[kMaxRank + 1];
  int count = -1;
  if (ctx.num_inputs() == 2 && ctx.has_input(1)) {
    const TensorInfo shape = ctx.input(1);
    if (shape.const_data == nullptr) return Status::kOk;  // computed shape: the output tensor decides
    if (shape.type != TensorType::kInt32) return ctx.unsupported("shape input of type %s", type_name(shape.type));
    if (shape.shape.rank > 1) return ctx.fail("shape input has rank %d, expected 1", static_cast<int>(shape.shape.rank));
    count = shape.shape.flat_size();
    if (count > kMaxRank + 1) return ctx.fail("shape input has %d entries", count);
    for (int i = 0; i < count; ++i) spec[i] = const_i32(shape, static_cast<uint32_t>(i));
  } else {
    const fb::Table options = ctx.options();
    if (!options.ok()) return Status::kOk;
    const fb::Vector new_shape = options.vector(0, 4);  // ReshapeOptions.new_shape
    if (!new_shape.ok()) return Status::kOk;
    count = static_cast<int>(new_shape.size());
    if (count > kMaxRank + 1) return ctx.fail("new_shape option has %d entries", count);
    for (int i = 0; i < count; ++i) spec[i] = new_shape.i32(static_cast<uint32_t>(i));
  }
  if (!reshape_spec_matches(spec, count, out.shape)) {
    return ctx.fail("requested shape does not match the output tensor shape");
  }
  return Status::kOk;
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() < 1 || ctx.num_inputs() > 2) return ctx.fail("expected 1 or 2 inputs, got %d", ctx.num_inputs());
  if (ctx.num_outputs() != 1) return ctx.fail("expected 1 output, got %d", ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  Status s = check_same_elements(ctx, in, out);
  if (s != Status::kOk) return s;
  s = check_requested_shape(ctx, out);
  if (s != Status::kOk) return s;
  return prepare_copy(ctx, in.bytes);
}

}  // namespace

const Kernel kReshape = {op::kReshape, nullptr, /*max_version=*/1, prepare, eval_copy, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
