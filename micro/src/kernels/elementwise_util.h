// Small helpers shared by the elementwise kernels (ADD, SUB, MUL, activations, QUANTIZE,
// DEQUANTIZE, CAST): option reading, quantization checks and conversions that must match
// TFLite Micro's reference kernels bit for bit.
#pragma once

#include <float.h>
#include <limits.h>
#include <math.h>

#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {

// The fused activation of ADD/SUB/MUL options (field 0 in all three tables). TFLM treats TANH
// and SIGN_BIT like NONE in these kernels; values outside the enum are refused.
inline bool read_fused_activation(const PrepareContext& ctx, Activation* act) {
  const fb::Table opts = ctx.options();
  const int8_t raw = opts.ok() ? opts.scalar<int8_t>(0, 0) : 0;
  if (opts.ok() && opts.broken()) return false;
  if (raw < 0 || raw > static_cast<int8_t>(Activation::kSignBit)) return false;
  *act = static_cast<Activation>(raw);
  return true;
}

// Per-tensor quantization with a usable scale (positive and finite).
inline bool has_tensor_scale(const TensorInfo& t) {
  if (t.quant.count < 1) return false;
  const float s = t.quant.scale(0);
  return s > 0.0f && s <= FLT_MAX;
}

// The output range of an int32 kernel after its fused activation (TFLM's integer
// CalculateActivationRange: RELU6 clamps to [0, 6] in raw int32 units).
inline void activation_range_int32(Activation act, int32_t* lo, int32_t* hi) {
  switch (act) {
    case Activation::kRelu:
      *lo = 0;
      *hi = INT32_MAX;
      break;
    case Activation::kRelu6:
      *lo = 0;
      *hi = 6;
      break;
    case Activation::kReluN1To1:
      *lo = -1;
      *hi = 1;
      break;
    default:
      *lo = INT32_MIN;
      *hi = INT32_MAX;
      break;
  }
}

// Two's complement wrapping int32 arithmetic (TFLite relies on it; signed overflow is UB in C++).
inline int32_t wrap_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrap_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline int32_t wrap_mul(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}

// float -> int32 as static_cast does for values in range (truncation toward zero), saturating
// outside it and giving 0 for NaN (Arm's VCVT behaviour; C++ leaves those cases undefined).
inline int32_t float_to_int32_saturating(float x) {
  if (x != x) return 0;
  if (x >= 2147483648.0f) return INT32_MAX;
  if (x < -2147483648.0f) return INT32_MIN;
  return static_cast<int32_t>(x);
}

// One input, one output with the same number of elements (all unary elementwise kernels).
inline Status check_unary(PrepareContext& ctx, TensorInfo* in, TensorInfo* out) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1) {
    return ctx.fail("expects 1 input and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  if (!ctx.has_input(0)) return ctx.fail("the input is missing");
  *in = ctx.input(0);
  *out = ctx.output(0);
  if (in->shape.flat_size() != out->shape.flat_size()) {
    return ctx.fail("input has %d elements but output has %d", static_cast<int>(in->shape.flat_size()),
                    static_cast<int>(out->shape.flat_size()));
  }
  return Status::kOk;
}

// Both tensors of a unary integer kernel have the same type and a usable per-tensor quantization.
inline Status check_unary_quantized(PrepareContext& ctx, const TensorInfo& in, const TensorInfo& out) {
  if (in.type != out.type) {
    return ctx.unsupported("input %s with output %s", type_name(in.type), type_name(out.type));
  }
  if (!has_tensor_scale(in) || !has_tensor_scale(out)) {
    return ctx.fail("%s input and output need a positive per-tensor scale", type_name(in.type));
  }
  return Status::kOk;
}

}  // namespace micro
}  // namespace tinyforge
