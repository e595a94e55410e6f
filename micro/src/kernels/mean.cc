// MEAN over the axes given by a constant int32 tensor, as TFLite Micro's reference kernel
// computes it. float: sum in input order, divide by the count. int8/int16 with the same
// scale and zero point in and out: integer sum divided (truncating) by the count.
// Otherwise: the sum minus count * input zero point, rescaled by in/out scale with 1/count
// folded into the multiplier, plus the output zero point.
// (TFLM's special float path for a 4D input reduced over H and W with keep_dims adds in
// the same order and divides by the same count, so the generic loop gives its bytes too.)
#include <string.h>

#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/micro/quant_math.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

enum class Path : uint8_t { kFloat, kIntegerPlain, kIntegerRequantize };

struct OpData {
  TensorType type = TensorType::kFloat32;
  Path path = Path::kFloat;
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {0};
  int32_t out_strides[kMaxRank] = {0};  // 0 along reduced axes
  int32_t num_inputs = 0;
  int32_t num_outputs = 0;
  int64_t num_reduced = 0;  // input elements per output
  bool input_has_zero_dim = false;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t multiplier = 0;  // in/out scale, with 1/num_reduced folded in
  int shift = 0;
  int32_t scratch = -1;  // int32 sums for the integer paths
};

// Adds every input element into its output slot, walking the input in row-major order.
template <typename In, typename Acc>
void sum_into(const OpData& d, const In* in, Acc* acc) {
  for (int32_t i = 0; i < d.num_outputs; ++i) acc[i] = 0;
  if (d.num_inputs == 0) return;
  int32_t index[kMaxRank] = {0};
  int32_t out = 0;
  for (int32_t i = 0; i < d.num_inputs; ++i) {
    acc[out] = static_cast<Acc>(acc[out] + static_cast<Acc>(in[i]));
    for (int k = d.rank - 1; k >= 0; --k) {
      out += d.out_strides[k];
      if (++index[k] < d.dims[k]) break;
      out -= d.out_strides[k] * d.dims[k];
      index[k] = 0;
    }
  }
}

// Integer sums wrap as in TFLite (int32 accumulation of int8/int16 values).
template <typename In>
void sum_into_int32(const OpData& d, const In* in, int32_t* acc) {
  for (int32_t i = 0; i < d.num_outputs; ++i) acc[i] = 0;
  if (d.num_inputs == 0) return;
  int32_t index[kMaxRank] = {0};
  int32_t out = 0;
  for (int32_t i = 0; i < d.num_inputs; ++i) {
    acc[out] =
        static_cast<int32_t>(static_cast<uint32_t>(acc[out]) + static_cast<uint32_t>(static_cast<int32_t>(in[i])));
    for (int k = d.rank - 1; k >= 0; --k) {
      out += d.out_strides[k];
      if (++index[k] < d.dims[k]) break;
      out -= d.out_strides[k] * d.dims[k];
      index[k] = 0;
    }
  }
}

template <typename T>
void mean_integer(const OpData& d, const T* in, T* out, int32_t* sums) {
  const int32_t qmin = sizeof(T) == 1 ? -128 : -32768;
  const int32_t qmax = sizeof(T) == 1 ? 127 : 32767;
  if (d.path == Path::kIntegerPlain) {
    sum_into_int32(d, in, sums);
    for (int32_t i = 0; i < d.num_outputs; ++i)
      out[i] = d.num_reduced > 0 ? static_cast<T>(sums[i] / static_cast<int32_t>(d.num_reduced)) : T(0);
    return;
  }
  if (d.input_has_zero_dim || d.num_reduced == 0) {
    for (int32_t i = 0; i < d.num_outputs; ++i) out[i] = T(0);
    return;
  }
  sum_into_int32(d, in, sums);
  for (int32_t i = 0; i < d.num_outputs; ++i) {
    const int32_t shifted = static_cast<int32_t>(sums[i] - static_cast<int64_t>(d.input_zero_point) * d.num_reduced);
    const int32_t v = multiply_by_quantized_multiplier(shifted, d.multiplier, d.shift) + d.output_zero_point;
    out[i] = static_cast<T>(clamp_i32(v, qmin, qmax));
  }
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1)
    return ctx.fail("expects 2 inputs (data, axes) and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  const TensorInfo in = ctx.input(0);
  const TensorInfo axes = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (axes.type != TensorType::kInt32) return ctx.fail("axes must be int32, got %s", type_name(axes.type));
  if (!axes.const_data) return ctx.unsupported("axes must be a constant tensor");
  if (in.type != out.type)
    return ctx.fail("output type %s differs from input type %s", type_name(out.type), type_name(in.type));
  if (in.type != TensorType::kFloat32 && in.type != TensorType::kInt8 && in.type != TensorType::kInt16)
    return ctx.unsupported("type %s (supported: float32, int8, int16)", type_name(in.type));

  OpData* d = ctx.allocate_op_data<OpData>();
  if (!d) return Status::kArenaTooSmall;
  d->type = in.type;
  d->rank = in.shape.rank;
  d->num_inputs = in.shape.flat_size();

  bool reduced[kMaxRank] = {false};
  const int32_t num_axes = axes.shape.flat_size();
  for (int32_t i = 0; i < num_axes; ++i) {
    int32_t a;
    memcpy(&a, axes.const_data + 4 * i, 4);
    const int32_t resolved = a < 0 ? a + in.shape.rank : a;
    if (resolved < 0 || resolved >= in.shape.rank)
      return ctx.fail("axis %d is out of range for rank %d", static_cast<int>(a), static_cast<int>(in.shape.rank));
    reduced[resolved] = true;
  }
  int32_t stride = 1;
  int64_t num_reduced = 1;
  for (int k = in.shape.rank - 1; k >= 0; --k) {
    d->dims[k] = in.shape.dim(k);
    if (d->dims[k] == 0) d->input_has_zero_dim = true;
    if (reduced[k]) {
      d->out_strides[k] = 0;
      num_reduced *= d->dims[k];
    } else {
      d->out_strides[k] = stride;
      stride *= d->dims[k];
    }
  }
  d->num_outputs = stride;
  d->num_reduced = num_reduced;
  if (out.shape.flat_size() != d->num_outputs)
    return ctx.fail("output has %d elements, the reduction gives %d", static_cast<int>(out.shape.flat_size()),
                    static_cast<int>(d->num_outputs));
  if (in.type == TensorType::kFloat32) return Status::kOk;

  const float in_scale = in.quant.scale();
  const float out_scale = out.quant.scale();
  if (!(in_scale > 0.0f) || !(out_scale > 0.0f)) return ctx.fail("quantized input and output need positive scales");
  d->input_zero_point = in.quant.zero_point();
  d->output_zero_point = out.quant.zero_point();
  if (!ctx.request_scratch(static_cast<size_t>(d->num_outputs) * sizeof(int32_t), &d->scratch))
    return ctx.fail("too many scratch buffers");
  if (d->input_zero_point == d->output_zero_point && in_scale == out_scale) {
    d->path = Path::kIntegerPlain;
    return Status::kOk;
  }
  d->path = Path::kIntegerRequantize;
  quantize_multiplier(static_cast<double>(in_scale) / static_cast<double>(out_scale), &d->multiplier, &d->shift);
  if (num_reduced > 0) {
    // Fold 1/num_reduced into the multiplier: scale it up by 2^shift first to keep
    // precision, with shift <= 32 and the final shift >= -31.
    int shift = 63 - __builtin_clzll(static_cast<uint64_t>(num_reduced));
    shift = shift < 32 ? shift : 32;
    shift = shift < 31 + d->shift ? shift : 31 + d->shift;
    d->multiplier = static_cast<int32_t>((static_cast<int64_t>(d->multiplier) << shift) / num_reduced);
    d->shift -= shift;
  }
  return Status::kOk;
}

Status eval(EvalContext& ctx) {
  const OpData& d = *ctx.op_data_as<OpData>();
  switch (d.type) {
    case TensorType::kFloat32: {
      float* out = ctx.output<float>(0);
      sum_into(d, ctx.input<float>(0), out);
      if (d.num_reduced > 0) {
        const float count = static_cast<float>(d.num_reduced);
        for (int32_t i = 0; i < d.num_outputs; ++i) out[i] = out[i] / count;
      }
      break;
    }
    case TensorType::kInt8:
      mean_integer(d, ctx.input<int8_t>(0), ctx.output<int8_t>(0), static_cast<int32_t*>(ctx.scratch(d.scratch)));
      break;
    default:
      mean_integer(d, ctx.input<int16_t>(0), ctx.output<int16_t>(0), static_cast<int32_t*>(ctx.scratch(d.scratch)));
      break;
  }
  return Status::kOk;
}

}  // namespace

const Kernel kMean = {op::kMean, nullptr, /*max_version=*/3, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
