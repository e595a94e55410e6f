// DEQUANTIZE: int8/int16/uint8 -> float32 as scale * (q - zero_point), computed in double and
// rounded to float once (TFLM keeps the scale as a double); float16 -> float32 exactly (the
// layout TF's float16 quantization writes: FLOAT16 constants read through DEQUANTIZE).
#include <string.h>

#include "elementwise_util.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct DequantizeData {
  TensorType type;
  int32_t count;
  int32_t zero_point;
  double scale;
};

Status prepare(PrepareContext& ctx) {
  TensorInfo in;
  TensorInfo out;
  Status s = check_unary(ctx, &in, &out);
  if (s != Status::kOk) return s;
  if ((in.type != TensorType::kInt8 && in.type != TensorType::kInt16 && in.type != TensorType::kUInt8 &&
       in.type != TensorType::kFloat16) ||
      out.type != TensorType::kFloat32) {
    return ctx.unsupported("input %s with output %s", type_name(in.type), type_name(out.type));
  }
  if (in.type == TensorType::kFloat16) {
    DequantizeData* d = ctx.allocate_op_data<DequantizeData>();
    if (!d) return Status::kArenaTooSmall;
    d->type = in.type;
    d->count = in.shape.flat_size();
    d->zero_point = 0;
    d->scale = 1.0;
    return Status::kOk;
  }
  if (in.quant.count != 1 || !has_tensor_scale(in)) {
    return ctx.fail("input needs one positive per-tensor scale (has %u scales)", in.quant.count);
  }
  DequantizeData* d = ctx.allocate_op_data<DequantizeData>();
  if (!d) return Status::kArenaTooSmall;
  d->type = in.type;
  d->count = in.shape.flat_size();
  d->zero_point = in.quant.zero_point(0);
  d->scale = static_cast<double>(in.quant.scale(0));
  return Status::kOk;
}

template <typename T>
void dequantize(const DequantizeData& d, const T* in, float* out) {
  for (int32_t i = 0; i < d.count; ++i) {
    out[i] = static_cast<float>(d.scale * static_cast<double>(static_cast<int32_t>(in[i]) - d.zero_point));
  }
}

// IEEE binary16 -> binary32 by moving the fields (every half is exactly a float).
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1fu) {
    bits = sign | 0x7f800000u | (mant << 13);  // infinity / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;  // signed zero
  } else {
    // Subnormal half: normalize the mantissa into a normal float.
    exp = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

Status eval(EvalContext& ctx) {
  const DequantizeData& d = *ctx.op_data_as<DequantizeData>();
  float* out = ctx.output<float>(0);
  switch (d.type) {
    case TensorType::kInt8:
      dequantize(d, ctx.input<int8_t>(0), out);
      return Status::kOk;
    case TensorType::kInt16:
      dequantize(d, ctx.input<int16_t>(0), out);
      return Status::kOk;
    case TensorType::kUInt8:
      dequantize(d, ctx.input<uint8_t>(0), out);
      return Status::kOk;
    case TensorType::kFloat16: {
      const uint16_t* in = ctx.input<uint16_t>(0);
      for (int32_t i = 0; i < d.count; ++i) out[i] = half_to_float(in[i]);
      return Status::kOk;
    }
    default:
      return ctx.fail("type %s", type_name(d.type));
  }
}

}  // namespace

// The output is wider than the input: never in place.
const Kernel kDequantize = {op::kDequantize, nullptr, /*max_version=*/6, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
