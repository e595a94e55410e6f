// HARD_SWISH (float32, int8): x * relu6(x + 3) / 6. The int8 form follows TFLM's 16-bit
// fixed-point scheme: the input is moved to a "hires" scale (x 128), a "reluish" factor in
// [0, 1] is derived from it, and the two are multiplied on a pre-shift output scale.
#include "elementwise_util.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct HardSwishData {
  TensorType type;
  int32_t count;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int16_t reluish_multiplier;  // Q0.15
  int reluish_exponent;
  int16_t output_multiplier;  // Q0.15
  int output_exponent;        // <= 0
};

// Q0.31 multiplier to Q0.15, rounding, saturating at the top.
int16_t to_q15(int32_t m) {
  if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return static_cast<int16_t>((m + (1 << 15)) >> 16);
}

// 16-bit fixed-point primitives, with the int16 wrap-around of gemmlowp's int16 versions.
int16_t srdhm16(int16_t a, int16_t b) {  // rounding doubling high multiply
  if (a == b && a == INT16_MIN) return INT16_MAX;
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

int16_t sdhm16(int16_t a, int16_t b) {  // the same, truncating instead of rounding
  if (a == b && a == INT16_MIN) return INT16_MAX;
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  return static_cast<int16_t>(ab / (1 << 15));
}

int16_t rounding_divide_by_pot16(int16_t x, int exponent) {
  const int16_t mask = static_cast<int16_t>((int64_t{1} << exponent) - 1);
  const int16_t remainder = static_cast<int16_t>(x & mask);
  const int16_t threshold = static_cast<int16_t>((mask >> 1) + (x < 0 ? 1 : 0));
  return static_cast<int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

int16_t saturating_left_shift16(int16_t x, int amount) {
  const int64_t r = static_cast<int64_t>(x) * (int64_t{1} << amount);
  return static_cast<int16_t>(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

Status prepare(PrepareContext& ctx) {
  TensorInfo in;
  TensorInfo out;
  Status s = check_unary(ctx, &in, &out);
  if (s != Status::kOk) return s;
  switch (in.type) {
    case TensorType::kFloat32:
      if (out.type != in.type) return ctx.unsupported("input FLOAT32 with output %s", type_name(out.type));
      break;
    case TensorType::kInt8:
      s = check_unary_quantized(ctx, in, out);
      if (s != Status::kOk) return s;
      break;
    default:
      return ctx.unsupported("type %s", type_name(in.type));
  }
  HardSwishData* d = ctx.allocate_op_data<HardSwishData>();
  if (!d) return Status::kArenaTooSmall;
  d->type = in.type;
  d->count = in.shape.flat_size();
  if (in.type == TensorType::kFloat32) return Status::kOk;
  d->input_zero_point = in.quant.zero_point(0);
  d->output_zero_point = out.quant.zero_point(0);
  // All scale arithmetic in float, widened to double only for quantize_multiplier (as TFLM).
  const float hires_input_scale = (1.0f / 128.0f) * in.quant.scale(0);
  const float reluish_scale = 3.0f / 32768.0f;
  int32_t m = 0;
  quantize_multiplier(static_cast<double>(hires_input_scale / out.quant.scale(0)), &m, &d->output_exponent);
  d->output_multiplier = to_q15(m);
  if (d->output_exponent > 0) return ctx.unsupported("output scale too small for the input scale");
  quantize_multiplier(static_cast<double>(hires_input_scale / reluish_scale), &m, &d->reluish_exponent);
  d->reluish_multiplier = to_q15(m);
  if (d->reluish_exponent > 31) return ctx.unsupported("input scale too large");
  return Status::kOk;
}

int8_t hard_swish_int8(const HardSwishData& d, int8_t x) {
  const int16_t centered = static_cast<int16_t>(x - d.input_zero_point);
  const int16_t hires = static_cast<int16_t>(centered * (1 << 7));
  const int16_t preshift_out = srdhm16(hires, d.output_multiplier);
  // Rescale so that real 3.0 maps to 32768 (saturating), then to a factor in [0, 1].
  int16_t reluish = hires;
  if (d.reluish_exponent > 0) reluish = saturating_left_shift16(reluish, d.reluish_exponent - 1);
  reluish = srdhm16(reluish, d.reluish_multiplier);
  if (d.reluish_exponent > 0) reluish = saturating_left_shift16(reluish, 1);
  if (d.reluish_exponent < 0) reluish = rounding_divide_by_pot16(reluish, -d.reluish_exponent);
  reluish = static_cast<int16_t>((reluish + (1 << 15)) >> 1);
  const int16_t product = sdhm16(reluish, preshift_out);
  int16_t v = rounding_divide_by_pot16(product, -d.output_exponent);
  v = static_cast<int16_t>(v + d.output_zero_point);
  return static_cast<int8_t>(v > INT8_MAX ? INT8_MAX : (v < INT8_MIN ? INT8_MIN : v));
}

Status eval(EvalContext& ctx) {
  const HardSwishData& d = *ctx.op_data_as<HardSwishData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      const float* in = ctx.input<float>(0);
      float* out = ctx.output<float>(0);
      for (int32_t i = 0; i < d.count; ++i) {
        const float x = in[i];
        const float shifted = x + 3;
        const float relu = 0.0f < shifted ? shifted : 0.0f;  // NaN gives 0, as std::max(0, NaN)
        const float relu6 = relu < 6.0f ? relu : 6.0f;
        out[i] = x * relu6 / 6;
      }
      return Status::kOk;
    }
    case TensorType::kInt8: {
      const int8_t* in = ctx.input<int8_t>(0);
      int8_t* out = ctx.output<int8_t>(0);
      for (int32_t i = 0; i < d.count; ++i) out[i] = hard_swish_int8(d, in[i]);
      return Status::kOk;
    }
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

}  // namespace

// Reads element i before writing element i.
const Kernel kHardSwish = {op::kHardSwish, nullptr, /*max_version=*/1, prepare, eval, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
