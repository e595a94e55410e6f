// EXPAND_DIMS: inserts a size-1 axis given by a constant axis input. Types as TFLite
// Micro: float32, int8, int16. The data is a plain copy (none when aliased).
#include "tinyforge/micro/kernels.h"
#include "shape_common.h"

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
  const TensorInfo axis = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (!type_in(in.type, kTypes)) return ctx.unsupported("input type %s", type_name(in.type));
  Status s = check_same_elements(ctx, in, out);
  if (s != Status::kOk) return s;
  if (axis.type != TensorType::kInt32) return ctx.unsupported("axis type %s (int32 only)", type_name(axis.type));
  if (axis.const_data == nullptr) return ctx.unsupported("non-constant axis input");
  if (axis.shape.rank > 1 || axis.shape.flat_size() < 1 || !is_const_i32(axis, 1)) {
    return ctx.fail("axis input must hold one value");
  }
  Shape expected;
  if (!expand_dims_shape(in.shape, const_i32(axis, 0), &expected)) {
    return ctx.fail("axis %d is out of range for an input of rank %d", static_cast<int>(const_i32(axis, 0)),
                    static_cast<int>(in.shape.rank));
  }
  if (!expected.equals(out.shape)) return ctx.fail("output shape is not the input shape with the new axis");
  return prepare_copy(ctx, in.bytes);
}

}  // namespace

const Kernel kExpandDims = {op::kExpandDims, nullptr, /*max_version=*/1, prepare, eval_copy, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
