#include "conv_common.h"

#include <math.h>

#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace conv {

bool window_axis(Padding padding, int32_t in_size, int32_t filter_size, int32_t stride, int32_t dilation,
                 WindowAxis* axis) {
  if (stride < 1 || dilation < 1 || filter_size < 1 || in_size < 1) return false;
  // 64-bit so that absurd dilations in a hostile model cannot overflow.
  const int64_t effective_filter = (static_cast<int64_t>(filter_size) - 1) * dilation + 1;
  int64_t out = 0;
  if (padding == Padding::kSame) {
    out = (static_cast<int64_t>(in_size) + stride - 1) / stride;
  } else if (padding == Padding::kValid) {
    out = (static_cast<int64_t>(in_size) + stride - effective_filter) / stride;
  } else {
    return false;
  }
  if (out < 1 || out > INT32_MAX) return false;
  int64_t total_pad = (out - 1) * stride + effective_filter - in_size;
  if (total_pad < 0) total_pad = 0;
  axis->out_size = static_cast<int32_t>(out);
  axis->pad_before = static_cast<int32_t>(total_pad / 2);  // the odd pixel goes after
  return true;
}

Status make_geometry(PrepareContext& ctx, Padding padding, int32_t stride_h, int32_t stride_w, int32_t dilation_h,
                     int32_t dilation_w, int32_t in_h, int32_t in_w, int32_t filter_h, int32_t filter_w,
                     int32_t out_h, int32_t out_w, Geometry* g) {
  if (padding != Padding::kSame && padding != Padding::kValid) {
    return ctx.fail("unknown padding %d", static_cast<int>(padding));
  }
  if (stride_h < 1 || stride_w < 1) return ctx.fail("stride %dx%d must be positive", stride_h, stride_w);
  if (dilation_h < 1 || dilation_w < 1) {
    return ctx.fail("dilation %dx%d must be positive", dilation_h, dilation_w);
  }
  WindowAxis ay, ax;
  if (!window_axis(padding, in_h, filter_h, stride_h, dilation_h, &ay) ||
      !window_axis(padding, in_w, filter_w, stride_w, dilation_w, &ax)) {
    return ctx.fail("a %dx%d window does not fit a %dx%d input", filter_h, filter_w, in_h, in_w);
  }
  if (ay.out_size != out_h || ax.out_size != out_w) {
    return ctx.fail("output is %dx%d but the window geometry gives %dx%d", out_h, out_w, ay.out_size, ax.out_size);
  }
  g->stride_h = stride_h;
  g->stride_w = stride_w;
  g->dilation_h = dilation_h;
  g->dilation_w = dilation_w;
  g->pad_h = ay.pad_before;
  g->pad_w = ax.pad_before;
  return Status::kOk;
}

Status positive_scale(PrepareContext& ctx, const TensorInfo& t, const char* what, float* scale) {
  if (t.quant.count < 1) return ctx.fail("%s tensor %d has no quantization", what, t.index);
  const float s = t.quant.scale(0);
  if (!(s > 0.0f) || !isfinite(s)) return ctx.fail("%s scale %g is not a positive number", what, s);
  *scale = s;
  return Status::kOk;
}

Status per_channel_multipliers(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                               const TensorInfo& output, int32_t channels, int32_t quantized_dim, int max_shift,
                               int32_t** multipliers, int32_t** shifts) {
  float input_scale = 0.0f;
  float output_scale = 0.0f;
  Status s = positive_scale(ctx, input, "input", &input_scale);
  if (s != Status::kOk) return s;
  s = positive_scale(ctx, output, "output", &output_scale);
  if (s != Status::kOk) return s;
  const uint32_t count = filter.quant.count;
  if (count == 0) return ctx.fail("filter tensor %d has no quantization", filter.index);
  if (count > 1) {
    if (filter.quant.quantized_dimension != quantized_dim || count != static_cast<uint32_t>(channels)) {
      return ctx.fail("filter has %u scales on axis %d; expected 1 or %d on axis %d", count,
                      filter.quant.quantized_dimension, channels, quantized_dim);
    }
  }
  int32_t* m = static_cast<int32_t*>(ctx.allocate_persistent(sizeof(int32_t) * channels));
  int32_t* sh = static_cast<int32_t*>(ctx.allocate_persistent(sizeof(int32_t) * channels));
  if (!m || !sh) return Status::kArenaTooSmall;
  for (int32_t c = 0; c < channels; ++c) {
    const float filter_scale = filter.quant.scale(count > 1 ? static_cast<uint32_t>(c) : 0u);
    if (!(filter_scale >= 0.0f) || !isfinite(filter_scale)) {
      return ctx.fail("filter scale %g of channel %d is not a non-negative number", filter_scale, c);
    }
    // Double throughout, as TFLite does for per-channel scales.
    const double effective =
        static_cast<double>(input_scale) * static_cast<double>(filter_scale) / static_cast<double>(output_scale);
    int shift = 0;
    quantize_multiplier(effective, &m[c], &shift);
    if (shift > max_shift) {
      return ctx.unsupported("rescale factor %g of channel %d is too large for fixed point", effective, c);
    }
    sh[c] = shift;
  }
  *multipliers = m;
  *shifts = sh;
  return Status::kOk;
}

Status quantized_activation(PrepareContext& ctx, Activation act, const TensorInfo& output, int32_t* act_min,
                            int32_t* act_max) {
  int32_t qmin = 0;
  int32_t qmax = 0;
  if (!integer_type_range(output.type, &qmin, &qmax)) {
    return ctx.fail("output type %s is not an integer type", type_name(output.type));
  }
  float scale = 0.0f;
  Status s = positive_scale(ctx, output, "output", &scale);
  if (s != Status::kOk) return s;
  // The clamp points are quantized through int32; a scale so small that 6.0 overflows it
  // is rejected as TFLite does.
  if (act != Activation::kNone && 6.0f / scale >= 2147483520.0f) {
    return ctx.fail("output scale %g is too small for the fused activation", scale);
  }
  activation_range_quantized(act, scale, output.quant.zero_point(0), qmin, qmax, act_min, act_max);
  if (*act_min > *act_max) return ctx.fail("fused activation leaves an empty output range");
  return Status::kOk;
}

bool known_activation(int8_t code) {
  // TANH and SIGN_BIT are not fused into these ops by any converter; TFLite would ignore them.
  return code == static_cast<int8_t>(Activation::kNone) || code == static_cast<int8_t>(Activation::kRelu) ||
         code == static_cast<int8_t>(Activation::kReluN1To1) || code == static_cast<int8_t>(Activation::kRelu6);
}

Status prepare_quantization(PrepareContext& ctx, Activation act, int32_t channels_dim, bool int32_bias_for_int16,
                            ConvData* d) {
  const TensorInfo input = ctx.input(0);
  const TensorInfo filter = ctx.input(1);
  const TensorInfo output = ctx.output(0);
  const bool has_bias = ctx.num_inputs() > 2 && ctx.has_input(2);
  const TensorInfo bias = has_bias ? ctx.input(2) : TensorInfo();
  if (input.type != output.type) {
    return ctx.fail("input is %s but output is %s", type_name(input.type), type_name(output.type));
  }
  if (has_bias && bias.shape.flat_size() != d->out_d) {
    return ctx.fail("bias has %d values for %d output channels", bias.shape.flat_size(), d->out_d);
  }
  d->type = input.type;
  d->wide_accumulator = false;
  TensorType want_bias = TensorType::kFloat32;
  switch (input.type) {
    case TensorType::kFloat32:
      if (filter.type != TensorType::kFloat32) {
        return ctx.unsupported("float32 input with %s filter (hybrid) is not supported", type_name(filter.type));
      }
      if (has_bias && bias.type != TensorType::kFloat32) {
        return ctx.fail("float32 conv with a %s bias", type_name(bias.type));
      }
      activation_range_float(act, &d->act_min_f, &d->act_max_f);
      return Status::kOk;
    case TensorType::kInt8:
      want_bias = TensorType::kInt32;
      break;
    case TensorType::kInt16:
      if (has_bias && bias.type == TensorType::kInt64) {
        d->wide_accumulator = true;
        want_bias = TensorType::kInt64;
      } else if (int32_bias_for_int16) {
        want_bias = TensorType::kInt32;
      } else {
        // Without a bias TFLM still runs the 64-bit accumulator of the int64-bias kernel.
        d->wide_accumulator = true;
        want_bias = TensorType::kInt64;
      }
      break;
    default:
      return ctx.unsupported("%s activations are not supported", type_name(input.type));
  }
  if (filter.type != TensorType::kInt8) {
    return ctx.unsupported("%s input with %s filter is not supported", type_name(input.type), type_name(filter.type));
  }
  if (has_bias && bias.type != want_bias) {
    return ctx.unsupported("%s input with %s bias is not supported (want %s)", type_name(input.type),
                           type_name(bias.type), type_name(want_bias));
  }
  for (uint32_t i = 0; i < filter.quant.count; ++i) {
    if (filter.quant.zero_point(i) != 0) {
      return ctx.unsupported("filter zero point %d (asymmetric weights) is not supported", filter.quant.zero_point(i));
    }
  }
  const int32_t input_zp = input.quant.zero_point(0);
  const int32_t output_zp = output.quant.zero_point(0);
  if (input.type == TensorType::kInt8 && (input_zp < -128 || input_zp > 127 || output_zp < -128 || output_zp > 127)) {
    return ctx.fail("int8 zero points out of range (input %d, output %d)", input_zp, output_zp);
  }
  if (input.type == TensorType::kInt16 && (input_zp != 0 || output_zp != 0)) {
    return ctx.fail("int16 tensors must have zero point 0 (input %d, output %d)", input_zp, output_zp);
  }
  d->input_offset = -input_zp;
  d->output_offset = output_zp;
  int32_t* m = nullptr;
  int32_t* sh = nullptr;
  // The 64-bit rescale keeps 15 bits of the multiplier, so it tolerates less left shift.
  Status s = per_channel_multipliers(ctx, input, filter, output, d->out_d, channels_dim,
                                     d->wide_accumulator ? 14 : 30, &m, &sh);
  if (s != Status::kOk) return s;
  d->multipliers = m;
  d->shifts = sh;
  return quantized_activation(ctx, act, output, &d->act_min, &d->act_max);
}

}  // namespace conv
}  // namespace micro
}  // namespace tinyforge
