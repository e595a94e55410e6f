// SQUEEZE: removes size-1 axes. The output tensor must have exactly the shape the
// squeeze_dims option asks for; the data is a plain copy (none when aliased).
#include "tinyforge/micro/kernels.h"
#include "shape_common.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using namespace shape_ops;

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1) return ctx.fail("expected 1 input, got %d", ctx.num_inputs());
  if (ctx.num_outputs() != 1) return ctx.fail("expected 1 output, got %d", ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  Status s = check_same_elements(ctx, in, out);
  if (s != Status::kOk) return s;

  int32_t axes[kMaxRank];
  int num_axes = 0;
  const fb::Table options = ctx.options();
  if (options.ok()) {
    const fb::Vector list = options.vector(0, 4);  // SqueezeOptions.squeeze_dims
    if (list.ok()) {
      if (list.size() > static_cast<uint32_t>(kMaxRank)) return ctx.fail("squeeze_dims has %u entries", list.size());
      num_axes = static_cast<int>(list.size());
      for (int i = 0; i < num_axes; ++i) axes[i] = list.i32(static_cast<uint32_t>(i));
    }
  }
  Shape expected;
  if (!squeeze_shape(in.shape, axes, num_axes, &expected)) {
    return ctx.fail("squeeze_dims names an axis that is out of range or not of size 1");
  }
  if (!expected.equals(out.shape)) return ctx.fail("output shape is not the squeezed input shape");
  return prepare_copy(ctx, in.bytes);
}

}  // namespace

const Kernel kSqueeze = {op::kSqueeze, nullptr, /*max_version=*/2, prepare, eval_copy, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
