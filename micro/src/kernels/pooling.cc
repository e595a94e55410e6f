// AVERAGE_POOL_2D and MAX_POOL_2D over NHWC tensors: float32, int8, int16. Windows are
// clipped to the image (padding is never counted in an average). Integer averages round
// half away from zero; input and output share their quantization, so no rescale happens.
// Loop order and arithmetic follow TFLM's reference kernels bit for bit.
#include <float.h>
#include <math.h>

#include "conv_common.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

// Pool2DOptions fields (schema.fbs).
enum { kPadding = 0, kStrideW = 1, kStrideH = 2, kFilterW = 3, kFilterH = 4, kActivation = 5 };

struct PoolData {
  conv::Geometry g;
  int32_t batches = 0, in_h = 0, in_w = 0, depth = 0, out_h = 0, out_w = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t act_min = 0, act_max = 0;
  float act_min_f = 0.0f, act_max_f = 0.0f;
  TensorType type = TensorType::kFloat32;
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1) {
    return ctx.fail("expects 1 input and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  const TensorInfo input = ctx.input(0);
  const TensorInfo output = ctx.output(0);
  if (input.shape.rank != 4 || output.shape.rank != 4) {
    return ctx.fail("input and output must be 4-D (got %d, %d)", input.shape.rank, output.shape.rank);
  }
  if (input.type != output.type) {
    return ctx.fail("input is %s but output is %s", type_name(input.type), type_name(output.type));
  }
  PoolData* d = ctx.allocate_op_data<PoolData>();
  if (!d) return Status::kArenaTooSmall;
  d->batches = input.shape.dim(0);
  d->in_h = input.shape.dim(1);
  d->in_w = input.shape.dim(2);
  d->depth = input.shape.dim(3);
  d->out_h = output.shape.dim(1);
  d->out_w = output.shape.dim(2);
  if (output.shape.dim(0) != d->batches || output.shape.dim(3) != d->depth) {
    return ctx.fail("output [%d,..,%d] does not match input [%d,..,%d]", output.shape.dim(0), output.shape.dim(3),
                    d->batches, d->depth);
  }
  const fb::Table opt = ctx.options();
  d->filter_h = opt.scalar<int32_t>(kFilterH, 0);
  d->filter_w = opt.scalar<int32_t>(kFilterW, 0);
  const int8_t act = opt.scalar<int8_t>(kActivation, 0);
  if (!conv::known_activation(act)) return ctx.unsupported("fused activation %d is not supported", act);
  if (d->filter_h < 1 || d->filter_w < 1) return ctx.fail("filter %dx%d must be positive", d->filter_h, d->filter_w);
  // SAME padding never exceeds filter - 1 and VALID has none, so with the model's output
  // equal to TFLite's geometry every window holds at least one input pixel.
  Status s = conv::make_geometry(ctx, static_cast<Padding>(opt.scalar<int8_t>(kPadding, 0)),
                                 opt.scalar<int32_t>(kStrideH, 0), opt.scalar<int32_t>(kStrideW, 0), 1, 1, d->in_h,
                                 d->in_w, d->filter_h, d->filter_w, d->out_h, d->out_w, &d->g);
  if (s != Status::kOk) return s;
  if (opt.broken()) return ctx.fail("options table is malformed");

  d->type = input.type;
  switch (input.type) {
    case TensorType::kFloat32:
      activation_range_float(static_cast<Activation>(act), &d->act_min_f, &d->act_max_f);
      return Status::kOk;
    case TensorType::kInt8:
    case TensorType::kInt16: {
      // The kernel copies quantized values through unchanged, so both sides must agree.
      float in_scale = 0.0f;
      float out_scale = 0.0f;
      s = conv::positive_scale(ctx, input, "input", &in_scale);
      if (s != Status::kOk) return s;
      s = conv::positive_scale(ctx, output, "output", &out_scale);
      if (s != Status::kOk) return s;
      if (fabs(static_cast<double>(in_scale) - static_cast<double>(out_scale)) > 1.0e-6 ||
          input.quant.zero_point(0) != output.quant.zero_point(0)) {
        return ctx.fail("input (scale %g, zero point %d) and output (scale %g, zero point %d) quantization differ",
                        in_scale, input.quant.zero_point(0), out_scale, output.quant.zero_point(0));
      }
      return conv::quantized_activation(ctx, static_cast<Activation>(act), output, &d->act_min, &d->act_max);
    }
    default:
      return ctx.unsupported("%s tensors are not supported", type_name(input.type));
  }
}

// Calls `emit(window)` for every output value in output order; the window is the filter
// clipped to the image.
struct Window {
  int32_t y_begin, y_end, x_begin, x_end;  // input rows/columns, end exclusive
  int32_t base;                            // offset of (batch, 0, 0, channel) in the input
  int32_t row_stride, col_stride;
};

template <typename Emit>
inline void for_each_window(const PoolData& d, Emit emit) {
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t oy = 0; oy < d.out_h; ++oy) {
      const int32_t y0 = oy * d.g.stride_h - d.g.pad_h;
      const int32_t y_begin = y0 > 0 ? y0 : 0;
      const int32_t y_end = y0 + d.filter_h < d.in_h ? y0 + d.filter_h : d.in_h;
      for (int32_t ox = 0; ox < d.out_w; ++ox) {
        const int32_t x0 = ox * d.g.stride_w - d.g.pad_w;
        const int32_t x_begin = x0 > 0 ? x0 : 0;
        const int32_t x_end = x0 + d.filter_w < d.in_w ? x0 + d.filter_w : d.in_w;
        for (int32_t c = 0; c < d.depth; ++c) {
          emit(Window{y_begin, y_end, x_begin, x_end, b * d.in_h * d.in_w * d.depth + c, d.in_w * d.depth, d.depth});
        }
      }
    }
  }
}

template <typename T>
void average_int(const PoolData& d, const T* input, T* output) {
  T* out = output;
  for_each_window(d, [&](const Window& w) {
    int32_t sum = 0;
    int32_t count = 0;
    for (int32_t y = w.y_begin; y < w.y_end; ++y) {
      for (int32_t x = w.x_begin; x < w.x_end; ++x) {
        sum += input[w.base + y * w.row_stride + x * w.col_stride];
        ++count;
      }
    }
    // Round half away from zero (C division truncates toward zero).
    const int32_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    *out++ = static_cast<T>(clamp_i32(avg, d.act_min, d.act_max));
  });
}

void average_float(const PoolData& d, const float* input, float* output) {
  float* out = output;
  for_each_window(d, [&](const Window& w) {
    float total = 0.0f;
    float count = 0.0f;  // TFLM counts in float and divides float by float
    for (int32_t y = w.y_begin; y < w.y_end; ++y) {
      for (int32_t x = w.x_begin; x < w.x_end; ++x) {
        total += input[w.base + y * w.row_stride + x * w.col_stride];
        count += 1.0f;
      }
    }
    *out++ = apply_activation_float(total / count, d.act_min_f, d.act_max_f);
  });
}

template <typename T>
void max_int(const PoolData& d, const T* input, T* output, int32_t lowest) {
  T* out = output;
  for_each_window(d, [&](const Window& w) {
    int32_t best = lowest;
    for (int32_t y = w.y_begin; y < w.y_end; ++y) {
      for (int32_t x = w.x_begin; x < w.x_end; ++x) {
        const int32_t v = input[w.base + y * w.row_stride + x * w.col_stride];
        if (v > best) best = v;
      }
    }
    *out++ = static_cast<T>(clamp_i32(best, d.act_min, d.act_max));
  });
}

void max_float(const PoolData& d, const float* input, float* output) {
  float* out = output;
  for_each_window(d, [&](const Window& w) {
    float best = -FLT_MAX;
    for (int32_t y = w.y_begin; y < w.y_end; ++y) {
      for (int32_t x = w.x_begin; x < w.x_end; ++x) {
        const float v = input[w.base + y * w.row_stride + x * w.col_stride];
        if (best < v) best = v;  // as std::max(best, v): a NaN input never wins
      }
    }
    *out++ = apply_activation_float(best, d.act_min_f, d.act_max_f);
  });
}

Status eval_average(EvalContext& ctx) {
  const PoolData& d = *ctx.op_data_as<PoolData>();
  switch (d.type) {
    case TensorType::kFloat32:
      average_float(d, ctx.input<float>(0), ctx.output<float>(0));
      break;
    case TensorType::kInt8:
      average_int(d, ctx.input<int8_t>(0), ctx.output<int8_t>(0));
      break;
    case TensorType::kInt16:
      average_int(d, ctx.input<int16_t>(0), ctx.output<int16_t>(0));
      break;
    default:
      return ctx.fail("type %s was not prepared", type_name(d.type));
  }
  return Status::kOk;
}

Status eval_max(EvalContext& ctx) {
  const PoolData& d = *ctx.op_data_as<PoolData>();
  switch (d.type) {
    case TensorType::kFloat32:
      max_float(d, ctx.input<float>(0), ctx.output<float>(0));
      break;
    case TensorType::kInt8:
      max_int(d, ctx.input<int8_t>(0), ctx.output<int8_t>(0), INT8_MIN);
      break;
    case TensorType::kInt16:
      max_int(d, ctx.input<int16_t>(0), ctx.output<int16_t>(0), INT16_MIN);
      break;
    default:
      return ctx.fail("type %s was not prepared", type_name(d.type));
  }
  return Status::kOk;
}

}  // namespace

const Kernel kAveragePool2D = {op::kAveragePool2D, nullptr, /*max_version=*/3, prepare, eval_average, kNoFlags};
const Kernel kMaxPool2D = {op::kMaxPool2D, nullptr, /*max_version=*/3, prepare, eval_max, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
