// ADD, SUB and MUL share one shape: two inputs of one type broadcast to one output of that
// type, a fused activation, and for int8/int16 a fixed-point rescale of each operand. This
// header holds their op data, the checks they share and the ADD/SUB arithmetic (which differ
// only in the sign and in how TFLM computes the multipliers: double for ADD, float for SUB).
#pragma once

#include "broadcast_shape.h"
#include "elementwise_util.h"

namespace tinyforge {
namespace micro {

struct BinaryOpData {
  BroadcastPlan plan;
  TensorType type = TensorType::kFloat32;
  // Quantized path (int8/int16): offsets are the negated input zero points.
  int32_t input1_offset = 0;
  int32_t input2_offset = 0;
  int32_t output_offset = 0;
  int32_t input1_multiplier = 0;
  int32_t input2_multiplier = 0;
  int32_t output_multiplier = 0;
  int input1_shift = 0;
  int input2_shift = 0;
  int output_shift = 0;
  int left_shift = 0;
  int32_t act_min = 0;  // int8/int16/int32 paths
  int32_t act_max = 0;
  float act_min_f = 0.0f;  // float path
  float act_max_f = 0.0f;
};

// Checks what every binary elementwise kernel needs (operand counts, one type throughout,
// broadcastable shapes, a known fused activation) and allocates op data holding the plan.
inline Status prepare_binary_common(PrepareContext& ctx, BinaryOpData** out_data, Activation* act) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1) {
    return ctx.fail("expects 2 inputs and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.fail("an input is missing");
  const TensorInfo in1 = ctx.input(0);
  const TensorInfo in2 = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (in1.type != in2.type || in1.type != out.type) {
    return ctx.unsupported("input types %s and %s with output %s (all three must match)", type_name(in1.type),
                           type_name(in2.type), type_name(out.type));
  }
  if (!read_fused_activation(ctx, act)) return ctx.fail("bad fused activation in the options");
  BinaryOpData* d = ctx.allocate_op_data<BinaryOpData>();
  if (!d) return Status::kArenaTooSmall;
  if (!make_broadcast_plan(in1.shape, in2.shape, out.shape, &d->plan)) {
    return ctx.fail("input shapes (rank %d and %d) do not broadcast to the output shape (rank %d)", in1.shape.rank,
                    in2.shape.rank, out.shape.rank);
  }
  d->type = out.type;
  *out_data = d;
  return Status::kOk;
}

// Zero point of a tensor lies inside its integer type (keeps the fixed-point sums in range).
inline bool zero_point_in_range(const TensorInfo& t) {
  int32_t lo = 0;
  int32_t hi = 0;
  if (!integer_type_range(t.type, &lo, &hi)) return false;
  const int32_t zp = t.quant.zero_point(0);
  return zp >= lo && zp <= hi;
}

// Both operands and the output carry usable per-tensor quantization.
inline Status check_quantized_operands(PrepareContext& ctx, const TensorInfo& in1, const TensorInfo& in2,
                                       const TensorInfo& out) {
  if (!has_tensor_scale(in1) || !has_tensor_scale(in2) || !has_tensor_scale(out)) {
    return ctx.fail("%s operands need a positive per-tensor scale", type_name(out.type));
  }
  if (!zero_point_in_range(in1) || !zero_point_in_range(in2) || !zero_point_in_range(out)) {
    return ctx.fail("zero point outside the %s range", type_name(out.type));
  }
  return Status::kOk;
}

template <bool kSub>
Status prepare_add_sub(PrepareContext& ctx) {
  BinaryOpData* d = nullptr;
  Activation act = Activation::kNone;
  Status s = prepare_binary_common(ctx, &d, &act);
  if (s != Status::kOk) return s;
  const TensorInfo in1 = ctx.input(0);
  const TensorInfo in2 = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  switch (d->type) {
    case TensorType::kFloat32:
      activation_range_float(act, &d->act_min_f, &d->act_max_f);
      return Status::kOk;
    case TensorType::kInt32:
      // TFLM: int32 only unquantized; ADD ignores the fused activation, SUB applies it.
      if (in1.quant.count != 0 || in2.quant.count != 0 || (kSub && out.quant.count != 0)) {
        return ctx.unsupported("quantized INT32 operands");
      }
      if (kSub) {
        activation_range_int32(act, &d->act_min, &d->act_max);
      } else {
        activation_range_int32(Activation::kNone, &d->act_min, &d->act_max);
      }
      return Status::kOk;
    case TensorType::kInt8:
    case TensorType::kInt16: {
      s = check_quantized_operands(ctx, in1, in2, out);
      if (s != Status::kOk) return s;
      d->input1_offset = -in1.quant.zero_point(0);
      d->input2_offset = -in2.quant.zero_point(0);
      d->output_offset = out.quant.zero_point(0);
      // Headroom for the rescaled sum in 32 bits: 20 bits for 8-bit data, 15 for 16-bit.
      // (TFLM uses this general path for int16 whatever pot_scale_int16 says.)
      d->left_shift = d->type == TensorType::kInt16 ? 15 : 20;
      const float s1 = in1.quant.scale(0);
      const float s2 = in2.quant.scale(0);
      const float so = out.quant.scale(0);
      const float max_scale = s1 > s2 ? s1 : s2;
      double real1, real2, real_out;
      if (kSub) {  // TFLM computes SUB's ratios in float, then widens
        const float twice_max = 2 * max_scale;
        real1 = static_cast<double>(s1 / twice_max);
        real2 = static_cast<double>(s2 / twice_max);
        real_out = static_cast<double>(twice_max / ((1 << d->left_shift) * so));
      } else {  // and ADD's in double
        const double twice_max = 2 * static_cast<double>(max_scale);
        real1 = static_cast<double>(s1) / twice_max;
        real2 = static_cast<double>(s2) / twice_max;
        real_out = twice_max / ((1 << d->left_shift) * static_cast<double>(so));
      }
      if (!(real_out < 1.0)) {
        return ctx.unsupported("output scale %g too small for the input scales", static_cast<double>(so));
      }
      quantize_multiplier(real1, &d->input1_multiplier, &d->input1_shift);
      quantize_multiplier(real2, &d->input2_multiplier, &d->input2_shift);
      quantize_multiplier(real_out, &d->output_multiplier, &d->output_shift);
      int32_t qmin = 0;
      int32_t qmax = 0;
      integer_type_range(d->type, &qmin, &qmax);
      activation_range_quantized(act, so, d->output_offset, qmin, qmax, &d->act_min, &d->act_max);
      return Status::kOk;
    }
    default:
      return ctx.unsupported("type %s", type_name(d->type));
  }
}

// One quantized ADD/SUB element: both operands moved to a common fixed-point scale with
// `left_shift` bits of headroom, combined, then rescaled to the output.
template <bool kSub>
inline int32_t add_sub_quantized(const BinaryOpData& d, int32_t a, int32_t b) {
  const int32_t sa = (d.input1_offset + a) * (1 << d.left_shift);
  const int32_t sb = (d.input2_offset + b) * (1 << d.left_shift);
  const int32_t ra = multiply_by_quantized_multiplier(sa, d.input1_multiplier, d.input1_shift);
  const int32_t rb = multiply_by_quantized_multiplier(sb, d.input2_multiplier, d.input2_shift);
  const int32_t raw = kSub ? ra - rb : ra + rb;
  const int32_t o = multiply_by_quantized_multiplier(raw, d.output_multiplier, d.output_shift) + d.output_offset;
  return clamp_i32(o, d.act_min, d.act_max);
}

template <bool kSub, typename T>
inline void eval_add_sub_quantized(const BinaryOpData& d, const T* a, const T* b, T* out) {
  for_each_broadcast(d.plan, [&](int32_t o, int32_t i, int32_t j) {
    out[o] = static_cast<T>(add_sub_quantized<kSub>(d, a[i], b[j]));
  });
}

template <bool kSub>
Status eval_add_sub(EvalContext& ctx) {
  const BinaryOpData& d = *ctx.op_data_as<BinaryOpData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      const float* a = ctx.input<float>(0);
      const float* b = ctx.input<float>(1);
      float* out = ctx.output<float>(0);
      for_each_broadcast(d.plan, [&](int32_t o, int32_t i, int32_t j) {
        out[o] = apply_activation_float(kSub ? a[i] - b[j] : a[i] + b[j], d.act_min_f, d.act_max_f);
      });
      return Status::kOk;
    }
    case TensorType::kInt32: {
      const int32_t* a = ctx.input<int32_t>(0);
      const int32_t* b = ctx.input<int32_t>(1);
      int32_t* out = ctx.output<int32_t>(0);
      for_each_broadcast(d.plan, [&](int32_t o, int32_t i, int32_t j) {
        out[o] = clamp_i32(kSub ? wrap_sub(a[i], b[j]) : wrap_add(a[i], b[j]), d.act_min, d.act_max);
      });
      return Status::kOk;
    }
    case TensorType::kInt8:
      eval_add_sub_quantized<kSub>(d, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.output<int8_t>(0));
      return Status::kOk;
    case TensorType::kInt16:
      eval_add_sub_quantized<kSub>(d, ctx.input<int16_t>(0), ctx.input<int16_t>(1), ctx.output<int16_t>(0));
      return Status::kOk;
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

}  // namespace micro
}  // namespace tinyforge
