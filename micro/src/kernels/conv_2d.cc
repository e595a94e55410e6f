// CONV_2D: NHWC input, OHWI filter, optional bias; float32, int8 (per-channel int8
// weights, int32 bias) and int16 (int8 weights, int64 or int32 bias). Grouped
// convolution (input depth a multiple of the filter depth) is supported like TFLM's
// reference kernel. Loop order and arithmetic follow that kernel so results match it
// bit for bit, including the float summation order.
#include "conv_common.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

using conv::ConvData;

// Conv2DOptions fields (schema.fbs).
enum { kPadding = 0, kStrideW = 1, kStrideH = 2, kActivation = 3, kDilationW = 4, kDilationH = 5 };

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() < 2 || ctx.num_inputs() > 3 || ctx.num_outputs() != 1) {
    return ctx.fail("expects 2 or 3 inputs and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.fail("input and filter are required");
  const TensorInfo input = ctx.input(0);
  const TensorInfo filter = ctx.input(1);
  const TensorInfo output = ctx.output(0);
  if (input.shape.rank != 4 || filter.shape.rank != 4 || output.shape.rank != 4) {
    return ctx.fail("input, filter and output must be 4-D (got %d, %d, %d)", input.shape.rank, filter.shape.rank,
                    output.shape.rank);
  }
  ConvData* d = ctx.allocate_op_data<ConvData>();
  if (!d) return Status::kArenaTooSmall;
  d->batches = input.shape.dim(0);
  d->in_h = input.shape.dim(1);
  d->in_w = input.shape.dim(2);
  d->in_d = input.shape.dim(3);
  d->out_d = filter.shape.dim(0);
  d->filter_h = filter.shape.dim(1);
  d->filter_w = filter.shape.dim(2);
  d->filter_d = filter.shape.dim(3);
  d->out_h = output.shape.dim(1);
  d->out_w = output.shape.dim(2);
  if (output.shape.dim(0) != d->batches || output.shape.dim(3) != d->out_d) {
    return ctx.fail("output [%d,..,%d] does not match batch %d and %d filters", output.shape.dim(0),
                    output.shape.dim(3), d->batches, d->out_d);
  }
  if (d->filter_d < 1 || d->in_d % d->filter_d != 0) {
    return ctx.fail("input depth %d is not a multiple of filter depth %d", d->in_d, d->filter_d);
  }
  const int32_t groups = d->in_d / d->filter_d;
  if (d->out_d < 1 || d->out_d % groups != 0) {
    return ctx.fail("%d filters cannot be split into %d groups", d->out_d, groups);
  }

  const fb::Table opt = ctx.options();
  const int8_t act = opt.scalar<int8_t>(kActivation, 0);
  if (!conv::known_activation(act)) return ctx.unsupported("fused activation %d is not supported", act);
  Status s = conv::make_geometry(ctx, static_cast<Padding>(opt.scalar<int8_t>(kPadding, 0)),
                                 opt.scalar<int32_t>(kStrideH, 0), opt.scalar<int32_t>(kStrideW, 0),
                                 opt.scalar<int32_t>(kDilationH, 1), opt.scalar<int32_t>(kDilationW, 1), d->in_h,
                                 d->in_w, d->filter_h, d->filter_w, d->out_h, d->out_w, &d->g);
  if (s != Status::kOk) return s;
  if (opt.broken()) return ctx.fail("options table is malformed");
  return conv::prepare_quantization(ctx, static_cast<Activation>(act), /*channels_dim=*/0,
                                    /*int32_bias_for_int16=*/true, d);
}

// Sums filter x input over the window of one output pixel and channel. Out-of-image taps
// are skipped (zero padding). `Tap` does the per-tap arithmetic of the data type.
template <typename In, typename Acc, typename Tap>
inline Acc window_sum(const ConvData& d, const In* input, int32_t b, int32_t oy, int32_t ox,
                      int32_t oc, Tap tap) {
  const int32_t group = oc / (d.out_d / (d.in_d / d.filter_d));
  const int32_t y0 = oy * d.g.stride_h - d.g.pad_h;
  const int32_t x0 = ox * d.g.stride_w - d.g.pad_w;
  Acc acc = 0;
  for (int32_t fy = 0; fy < d.filter_h; ++fy) {
    const int32_t iy = y0 + d.g.dilation_h * fy;
    for (int32_t fx = 0; fx < d.filter_w; ++fx) {
      const int32_t ix = x0 + d.g.dilation_w * fx;
      if (iy < 0 || iy >= d.in_h || ix < 0 || ix >= d.in_w) continue;
      const int32_t in_base = ((b * d.in_h + iy) * d.in_w + ix) * d.in_d + group * d.filter_d;
      const int32_t f_base = ((oc * d.filter_h + fy) * d.filter_w + fx) * d.filter_d;
      for (int32_t ic = 0; ic < d.filter_d; ++ic) acc = tap(acc, in_base + ic, f_base + ic);
    }
  }
  return acc;
}

void eval_float(const ConvData& d, const float* input, const float* filter, const float* bias, float* output) {
  float* out = output;
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t oy = 0; oy < d.out_h; ++oy) {
      for (int32_t ox = 0; ox < d.out_w; ++ox) {
        for (int32_t oc = 0; oc < d.out_d; ++oc) {
          const float total = window_sum<float, float>(
              d, input, b, oy, ox, oc,
              [input, filter](float acc, int32_t i, int32_t f) { return acc + input[i] * filter[f]; });
          // TFLM adds a 0.0f bias when there is none, which turns -0.0 into +0.0.
          const float bias_value = bias ? bias[oc] : 0.0f;
          *out++ = apply_activation_float(total + bias_value, d.act_min_f, d.act_max_f);
        }
      }
    }
  }
}

void eval_int8(const ConvData& d, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output) {
  const int32_t in_off = d.input_offset;
  int8_t* out = output;
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t oy = 0; oy < d.out_h; ++oy) {
      for (int32_t ox = 0; ox < d.out_w; ++ox) {
        for (int32_t oc = 0; oc < d.out_d; ++oc) {
          // Unsigned sum: wraps like TFLM's int32 accumulator would, without undefined behaviour.
          uint32_t acc = window_sum<int8_t, uint32_t>(
              d, input, b, oy, ox, oc, [input, filter, in_off](uint32_t a, int32_t i, int32_t f) {
                return a + static_cast<uint32_t>(filter[f] * (input[i] + in_off));
              });
          if (bias) acc += static_cast<uint32_t>(bias[oc]);
          int32_t v = multiply_by_quantized_multiplier(static_cast<int32_t>(acc), d.multipliers[oc], d.shifts[oc]);
          v = conv::wrapping_add(v, d.output_offset);
          *out++ = static_cast<int8_t>(clamp_i32(v, d.act_min, d.act_max));
        }
      }
    }
  }
}

// 16x8 with an int64 bias (or none, in the 64-bit form): 64-bit accumulator and rescale.
void eval_int16_wide(const ConvData& d, const int16_t* input, const int8_t* filter, const int64_t* bias,
                     int16_t* output) {
  int16_t* out = output;
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t oy = 0; oy < d.out_h; ++oy) {
      for (int32_t ox = 0; ox < d.out_w; ++ox) {
        for (int32_t oc = 0; oc < d.out_d; ++oc) {
          int64_t acc = window_sum<int16_t, int64_t>(d, input, b, oy, ox, oc,
                                                     [input, filter](int64_t a, int32_t i, int32_t f) {
                                                       return a + filter[f] * input[i];
                                                     });
          if (bias) acc += bias[oc];
          const int32_t v = multiply_by_quantized_multiplier_64(conv::clamp_accumulator_48(acc), d.multipliers[oc],
                                                                d.shifts[oc]);
          *out++ = static_cast<int16_t>(clamp_i32(v, d.act_min, d.act_max));
        }
      }
    }
  }
}

// 16x8 with an int32 bias or none: 32-bit accumulator and the ordinary rescale.
void eval_int16_narrow(const ConvData& d, const int16_t* input, const int8_t* filter, const int32_t* bias,
                       int16_t* output) {
  int16_t* out = output;
  for (int32_t b = 0; b < d.batches; ++b) {
    for (int32_t oy = 0; oy < d.out_h; ++oy) {
      for (int32_t ox = 0; ox < d.out_w; ++ox) {
        for (int32_t oc = 0; oc < d.out_d; ++oc) {
          uint32_t acc = window_sum<int16_t, uint32_t>(d, input, b, oy, ox, oc,
                                                       [input, filter](uint32_t a, int32_t i, int32_t f) {
                                                         return a + static_cast<uint32_t>(filter[f] * input[i]);
                                                       });
          if (bias) acc += static_cast<uint32_t>(bias[oc]);
          const int32_t v = multiply_by_quantized_multiplier(static_cast<int32_t>(acc), d.multipliers[oc], d.shifts[oc]);
          *out++ = static_cast<int16_t>(clamp_i32(v, d.act_min, d.act_max));
        }
      }
    }
  }
}

Status eval(EvalContext& ctx) {
  const ConvData& d = *ctx.op_data_as<ConvData>();
  switch (d.type) {
    case TensorType::kFloat32:
      eval_float(d, ctx.input<float>(0), ctx.input<float>(1), ctx.input<float>(2), ctx.output<float>(0));
      break;
    case TensorType::kInt8:
      eval_int8(d, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.input<int32_t>(2), ctx.output<int8_t>(0));
      break;
    case TensorType::kInt16:
      if (d.wide_accumulator) {
        eval_int16_wide(d, ctx.input<int16_t>(0), ctx.input<int8_t>(1), ctx.input<int64_t>(2),
                        ctx.output<int16_t>(0));
      } else {
        eval_int16_narrow(d, ctx.input<int16_t>(0), ctx.input<int8_t>(1), ctx.input<int32_t>(2),
                          ctx.output<int16_t>(0));
      }
      break;
    default:
      return ctx.fail("type %s was not prepared", type_name(d.type));
  }
  return Status::kOk;
}

}  // namespace

const Kernel kConv2D = {op::kConv2D, nullptr, /*max_version=*/8, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
