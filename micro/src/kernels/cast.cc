// CAST between bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64 and float32,
// with C++ conversion semantics: integers wrap to the narrower type, float -> integer truncates
// toward zero, anything -> bool is "!= 0". Float values outside an integer type's range (and
// NaN) are undefined in C++; here they saturate (NaN gives 0).
#include "elementwise_util.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

struct CastData {
  TensorType in_type;
  TensorType out_type;
  int32_t count;
};

bool castable(TensorType t) {
  switch (t) {
    case TensorType::kBool:
    case TensorType::kInt8:
    case TensorType::kUInt8:
    case TensorType::kInt16:
    case TensorType::kUInt16:
    case TensorType::kInt32:
    case TensorType::kUInt32:
    case TensorType::kInt64:
    case TensorType::kUInt64:
    case TensorType::kFloat32:
      return true;
    default:
      return false;
  }
}

Status prepare(PrepareContext& ctx) {
  TensorInfo in;
  TensorInfo out;
  Status s = check_unary(ctx, &in, &out);
  if (s != Status::kOk) return s;
  if (!castable(in.type) || !castable(out.type)) {
    return ctx.unsupported("cast from %s to %s", type_name(in.type), type_name(out.type));
  }
  CastData* d = ctx.allocate_op_data<CastData>();
  if (!d) return Status::kArenaTooSmall;
  d->in_type = in.type;
  d->out_type = out.type;
  d->count = in.shape.flat_size();
  return Status::kOk;
}

// float -> integer: truncate toward zero, saturate outside [lo, hi], NaN -> 0.
template <typename Out>
Out float_to_int(float x, double lo, double hi) {
  if (x != x) return 0;
  const double v = static_cast<double>(x);
  if (v <= lo) return static_cast<Out>(lo);
  if (v >= hi) return static_cast<Out>(hi);
  return static_cast<Out>(v);
}

template <typename Out>
Out from_float(float x);
template <>
bool from_float<bool>(float x) {
  return x != 0.0f;
}
template <>
int8_t from_float<int8_t>(float x) {
  return float_to_int<int8_t>(x, INT8_MIN, INT8_MAX);
}
template <>
uint8_t from_float<uint8_t>(float x) {
  return float_to_int<uint8_t>(x, 0, UINT8_MAX);
}
template <>
int16_t from_float<int16_t>(float x) {
  return float_to_int<int16_t>(x, INT16_MIN, INT16_MAX);
}
template <>
uint16_t from_float<uint16_t>(float x) {
  return float_to_int<uint16_t>(x, 0, UINT16_MAX);
}
template <>
int32_t from_float<int32_t>(float x) {
  return float_to_int<int32_t>(x, INT32_MIN, INT32_MAX);
}
template <>
uint32_t from_float<uint32_t>(float x) {
  return float_to_int<uint32_t>(x, 0, UINT32_MAX);
}
template <>
int64_t from_float<int64_t>(float x) {
  // 2^63 is exact in double; INT64_MAX is not, so saturate at the largest double below 2^63.
  if (x != x) return 0;
  if (x >= 9223372036854775808.0f) return INT64_MAX;
  if (x <= -9223372036854775808.0f) return INT64_MIN;
  return static_cast<int64_t>(x);
}
template <>
uint64_t from_float<uint64_t>(float x) {
  if (x != x || x <= 0.0f) return 0;
  if (x >= 18446744073709551616.0f) return UINT64_MAX;
  return static_cast<uint64_t>(x);
}
template <>
float from_float<float>(float x) {
  return x;
}

template <typename Out>
void cast_from_float(const float* in, Out* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] = from_float<Out>(in[i]);
}

// bool and integer outputs from an integer input: "!= 0" for bool, wrap otherwise.
template <typename In, typename Out>
void cast_int(const In* in, Out* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) out[i] = static_cast<Out>(in[i]);
}

template <typename In>
Status cast_to(EvalContext& ctx, const CastData& d, const In* in) {
  void* out = ctx.output_data(0);
  const int32_t n = d.count;
  switch (d.out_type) {
    case TensorType::kBool: {
      bool* o = static_cast<bool*>(out);
      for (int32_t i = 0; i < n; ++i) o[i] = in[i] != 0;
      return Status::kOk;
    }
    case TensorType::kInt8: cast_int(in, static_cast<int8_t*>(out), n); return Status::kOk;
    case TensorType::kUInt8: cast_int(in, static_cast<uint8_t*>(out), n); return Status::kOk;
    case TensorType::kInt16: cast_int(in, static_cast<int16_t*>(out), n); return Status::kOk;
    case TensorType::kUInt16: cast_int(in, static_cast<uint16_t*>(out), n); return Status::kOk;
    case TensorType::kInt32: cast_int(in, static_cast<int32_t*>(out), n); return Status::kOk;
    case TensorType::kUInt32: cast_int(in, static_cast<uint32_t*>(out), n); return Status::kOk;
    case TensorType::kInt64: cast_int(in, static_cast<int64_t*>(out), n); return Status::kOk;
    case TensorType::kUInt64: cast_int(in, static_cast<uint64_t*>(out), n); return Status::kOk;
    case TensorType::kFloat32: cast_int(in, static_cast<float*>(out), n); return Status::kOk;
    default: return ctx.fail("output type %s", type_name(d.out_type));
  }
}

Status cast_float_to(EvalContext& ctx, const CastData& d, const float* in) {
  void* out = ctx.output_data(0);
  const int32_t n = d.count;
  switch (d.out_type) {
    case TensorType::kBool: cast_from_float(in, static_cast<bool*>(out), n); return Status::kOk;
    case TensorType::kInt8: cast_from_float(in, static_cast<int8_t*>(out), n); return Status::kOk;
    case TensorType::kUInt8: cast_from_float(in, static_cast<uint8_t*>(out), n); return Status::kOk;
    case TensorType::kInt16: cast_from_float(in, static_cast<int16_t*>(out), n); return Status::kOk;
    case TensorType::kUInt16: cast_from_float(in, static_cast<uint16_t*>(out), n); return Status::kOk;
    case TensorType::kInt32: cast_from_float(in, static_cast<int32_t*>(out), n); return Status::kOk;
    case TensorType::kUInt32: cast_from_float(in, static_cast<uint32_t*>(out), n); return Status::kOk;
    case TensorType::kInt64: cast_from_float(in, static_cast<int64_t*>(out), n); return Status::kOk;
    case TensorType::kUInt64: cast_from_float(in, static_cast<uint64_t*>(out), n); return Status::kOk;
    case TensorType::kFloat32: cast_from_float(in, static_cast<float*>(out), n); return Status::kOk;
    default: return ctx.fail("output type %s", type_name(d.out_type));
  }
}

Status eval(EvalContext& ctx) {
  const CastData& d = *ctx.op_data_as<CastData>();
  const void* in = ctx.input_data(0);
  switch (d.in_type) {
    case TensorType::kBool: {
      // Read bools as bytes: any non-zero byte is true (a bool object must hold 0 or 1).
      const uint8_t* b = static_cast<const uint8_t*>(in);
      return cast_to(ctx, d, b);
    }
    case TensorType::kInt8: return cast_to(ctx, d, static_cast<const int8_t*>(in));
    case TensorType::kUInt8: return cast_to(ctx, d, static_cast<const uint8_t*>(in));
    case TensorType::kInt16: return cast_to(ctx, d, static_cast<const int16_t*>(in));
    case TensorType::kUInt16: return cast_to(ctx, d, static_cast<const uint16_t*>(in));
    case TensorType::kInt32: return cast_to(ctx, d, static_cast<const int32_t*>(in));
    case TensorType::kUInt32: return cast_to(ctx, d, static_cast<const uint32_t*>(in));
    case TensorType::kInt64: return cast_to(ctx, d, static_cast<const int64_t*>(in));
    case TensorType::kUInt64: return cast_to(ctx, d, static_cast<const uint64_t*>(in));
    case TensorType::kFloat32: return cast_float_to(ctx, d, static_cast<const float*>(in));
    default: return ctx.fail("input type %s", type_name(d.in_type));
  }
}

}  // namespace

// Reads element i before writing element i; shared buffers only at equal byte sizes.
const Kernel kCast = {op::kCast, nullptr, /*max_version=*/7, prepare, eval, kInPlace};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
