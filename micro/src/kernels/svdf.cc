// SVDF (singular value decomposition filter), float32 and full-integer, as TFLite Micro
// runs it. Inputs: 0 input [batches, input_size], 1 weights_feature [filters, input_size],
// 2 weights_time [filters, memory], 3 bias [units] (optional), 4 state (variable)
// [batches, filters * memory]. Output 0: [batches, units], units = filters / rank.
// The arithmetic lives in svdf_math.h.
#include "kernels/svdf_math.h"
#include "tinyforge/micro/kernel_api.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {
namespace micro {
namespace kernels {
namespace {

enum Input { kInput = 0, kWeightsFeature = 1, kWeightsTime = 2, kBias = 3, kState = 4 };

// SVDFOptions fields (schema.fbs order).
enum OptionField { kOptRank = 0, kOptActivation = 1, kOptAsymmetricQuantizeInputs = 2 };

enum class Flavor : uint8_t { kFloat, kInt8State, kInt16State };

struct OpData {
  SvdfDims dims;
  SvdfQuantParams quant;
  Activation activation = Activation::kNone;
  Flavor flavor = Flavor::kFloat;
};

bool is_2d(const TensorInfo& t, int32_t d0, int32_t d1) {
  return t.shape.rank == 2 && t.shape.dims[0] == d0 && t.shape.dims[1] == d1;
}

// A single positive, finite scale: what the integer arithmetic below is derived from.
bool per_tensor_scale(const TensorInfo& t) {
  const float s = t.quant.scale();
  return t.quant.count == 1 && s > 0.0f && isfinite(s);
}

Status check_shapes(PrepareContext& ctx, const SvdfDims& d, const TensorInfo& weights_time,
                    const TensorInfo* bias, const TensorInfo& state, const TensorInfo& output) {
  if (d.memory_size < 1 || !is_2d(weights_time, d.num_filters, d.memory_size)) {
    return ctx.fail("weights_time must be [%d, memory_size >= 1]", static_cast<int>(d.num_filters));
  }
  if (bias && !(bias->shape.rank == 1 && bias->shape.dims[0] == d.num_units)) {
    return ctx.fail("bias must be [%d] (filters / rank)", static_cast<int>(d.num_units));
  }
  const int64_t state_width = static_cast<int64_t>(d.memory_size) * d.num_filters;
  if (state_width > INT32_MAX || !is_2d(state, d.batches, static_cast<int32_t>(state_width))) {
    return ctx.fail("state must be [%d, %lld] (batches, memory_size * filters)", static_cast<int>(d.batches),
                    static_cast<long long>(state_width));
  }
  if (!state.is_variable || state.const_data) return ctx.fail("state (input 4) must be a variable tensor");
  if (!is_2d(output, d.batches, d.num_units)) {
    return ctx.fail("output must be [%d, %d] (batches, filters / rank)", static_cast<int>(d.batches),
                    static_cast<int>(d.num_units));
  }
  return Status::kOk;
}

Status prepare_float(PrepareContext& ctx, const TensorInfo& weights_feature, const TensorInfo& weights_time,
                     const TensorInfo* bias, const TensorInfo& state, const TensorInfo& output, OpData* data) {
  const TensorType f32 = TensorType::kFloat32;
  if (weights_feature.type != f32 || weights_time.type != f32 || state.type != f32 || output.type != f32 ||
      (bias && bias->type != f32)) {
    return ctx.unsupported("float32 input needs float32 weights, bias, state and output (hybrid SVDF is not "
                           "supported); got weights_feature %s, weights_time %s, state %s, output %s",
                           type_name(weights_feature.type), type_name(weights_time.type), type_name(state.type),
                           type_name(output.type));
  }
  data->flavor = Flavor::kFloat;
  return Status::kOk;
}

Status prepare_integer(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& weights_feature,
                       const TensorInfo& weights_time, const TensorInfo* bias, const TensorInfo& state,
                       const TensorInfo& output, OpData* data) {
  if (weights_feature.type != TensorType::kInt8) {
    return ctx.unsupported("int8 input needs int8 weights_feature, got %s", type_name(weights_feature.type));
  }
  if (weights_time.type != TensorType::kInt8 && weights_time.type != TensorType::kInt16) {
    return ctx.unsupported("weights_time must be int8 or int16, got %s", type_name(weights_time.type));
  }
  // One element type serves both, as the time product reads them side by side.
  if (state.type != weights_time.type) {
    return ctx.unsupported("state type %s differs from weights_time type %s", type_name(state.type),
                           type_name(weights_time.type));
  }
  if (bias && bias->type != TensorType::kInt32) return ctx.unsupported("int8 SVDF needs an int32 bias, got %s",
                                                                      type_name(bias->type));
  if (output.type != TensorType::kInt8) return ctx.unsupported("int8 SVDF needs an int8 output, got %s",
                                                               type_name(output.type));
  if (!per_tensor_scale(input) || !per_tensor_scale(weights_feature) || !per_tensor_scale(weights_time) ||
      !per_tensor_scale(state) || !per_tensor_scale(output)) {
    return ctx.unsupported("int8 SVDF needs per-tensor quantization with a positive scale on input, weights, "
                           "state and output");
  }
  if (weights_feature.quant.zero_point() != 0 || weights_time.quant.zero_point() != 0) {
    return ctx.unsupported("weights must be symmetric (zero point 0)");
  }
  const int32_t state_zp = state.quant.zero_point();
  const int32_t state_min = state.type == TensorType::kInt8 ? INT8_MIN : INT16_MIN;
  const int32_t state_max = state.type == TensorType::kInt8 ? INT8_MAX : INT16_MAX;
  if (state_zp < state_min || state_zp > state_max || input.quant.zero_point() < INT8_MIN ||
      input.quant.zero_point() > INT8_MAX || output.quant.zero_point() < INT8_MIN ||
      output.quant.zero_point() > INT8_MAX) {
    return ctx.fail("zero point outside the range of its tensor type");
  }

  // TFLM forms both ratios in float and only then widens them to double.
  const float input_scale = input.quant.scale();
  const float state_scale = state.quant.scale();
  const float feature_ratio = input_scale * weights_feature.quant.scale() / state_scale;
  const float state_time_scale = state_scale * weights_time.quant.scale();
  const float output_ratio = state_time_scale / output.quant.scale();
  if (bias) {
    // The bias is added to the state * weights_time products unscaled, so it must share their scale.
    const double diff = static_cast<double>(bias->quant.scale()) - static_cast<double>(state_time_scale);
    if (!(fabs(diff) < 1e-5)) {
      return ctx.fail("bias scale %g must equal state scale x weights_time scale (%g)",
                      static_cast<double>(bias->quant.scale()), static_cast<double>(state_time_scale));
    }
  }
  if (!isfinite(feature_ratio) || !isfinite(output_ratio)) return ctx.fail("quantization scales overflow");

  SvdfQuantParams& q = data->quant;
  int shift = 0;
  quantize_multiplier(static_cast<double>(feature_ratio), &q.feature_multiplier, &shift);
  q.feature_shift = shift;
  quantize_multiplier(static_cast<double>(output_ratio), &q.output_multiplier, &shift);
  q.output_shift = shift;
  q.input_zero_point = input.quant.zero_point();
  q.state_zero_point = state_zp;
  q.output_zero_point = output.quant.zero_point();
  data->flavor = state.type == TensorType::kInt8 ? Flavor::kInt8State : Flavor::kInt16State;
  return Status::kOk;
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 5 || ctx.num_outputs() != 1) {
    return ctx.fail("expects 5 inputs and 1 output, got %d and %d", ctx.num_inputs(), ctx.num_outputs());
  }
  for (int i = 0; i < 5; ++i) {
    if (i != kBias && !ctx.has_input(i)) return ctx.fail("input %d is missing (only the bias is optional)", i);
  }
  fb::Table options = ctx.options();
  if (!options.ok()) return ctx.fail("missing SVDFOptions");
  const int32_t rank = options.scalar<int32_t>(kOptRank, 0);
  const int8_t act = options.scalar<int8_t>(kOptActivation, 0);
  if (act < 0 || act > static_cast<int8_t>(Activation::kSignBit)) return ctx.fail("unknown fused activation %d", act);

  const TensorInfo input = ctx.input(kInput);
  const TensorInfo weights_feature = ctx.input(kWeightsFeature);
  const TensorInfo weights_time = ctx.input(kWeightsTime);
  const TensorInfo bias_info = ctx.input(kBias);
  const TensorInfo* bias = ctx.has_input(kBias) ? &bias_info : nullptr;
  const TensorInfo state = ctx.input(kState);
  const TensorInfo output = ctx.output(0);

  if (input.shape.rank != 2) return ctx.fail("input must be 2-D [batches, input_size], got rank %d",
                                             static_cast<int>(input.shape.rank));
  SvdfDims d;
  d.batches = input.shape.dims[0];
  d.input_size = input.shape.dims[1];
  if (weights_feature.shape.rank != 2 || weights_feature.shape.dims[1] != d.input_size ||
      weights_feature.shape.dims[0] < 1) {
    return ctx.fail("weights_feature must be [filters, %d]", static_cast<int>(d.input_size));
  }
  d.num_filters = weights_feature.shape.dims[0];
  if (rank < 1 || d.num_filters % rank != 0) {
    return ctx.fail("rank %d must be positive and divide the %d filters", static_cast<int>(rank),
                    static_cast<int>(d.num_filters));
  }
  d.rank = rank;
  d.num_units = d.num_filters / rank;
  d.memory_size = weights_time.shape.rank == 2 ? weights_time.shape.dims[1] : 0;
  Status s = check_shapes(ctx, d, weights_time, bias, state, output);
  if (s != Status::kOk) return s;

  OpData* data = ctx.allocate_op_data<OpData>();
  if (!data) return Status::kArenaTooSmall;
  data->dims = d;
  data->activation = static_cast<Activation>(act);
  if (input.type == TensorType::kFloat32) {
    return prepare_float(ctx, weights_feature, weights_time, bias, state, output, data);
  }
  if (input.type == TensorType::kInt8) {
    return prepare_integer(ctx, input, weights_feature, weights_time, bias, state, output, data);
  }
  return ctx.unsupported("input type %s (float32 or int8 supported)", type_name(input.type));
}

Status eval(EvalContext& ctx) {
  const OpData& data = *ctx.op_data_as<OpData>();
  switch (data.flavor) {
    case Flavor::kFloat:
      svdf_eval_float(data.dims, data.activation, ctx.input<float>(kInput), ctx.input<float>(kWeightsFeature),
                      ctx.input<float>(kWeightsTime), ctx.input<float>(kBias), ctx.variable<float>(kState),
                      ctx.output<float>(0));
      break;
    case Flavor::kInt8State:
      svdf_eval_integer<int8_t>(data.dims, data.quant, ctx.input<int8_t>(kInput),
                                ctx.input<int8_t>(kWeightsFeature), ctx.input<int8_t>(kWeightsTime),
                                ctx.input<int32_t>(kBias), ctx.variable<int8_t>(kState), ctx.output<int8_t>(0));
      break;
    case Flavor::kInt16State:
      svdf_eval_integer<int16_t>(data.dims, data.quant, ctx.input<int8_t>(kInput),
                                 ctx.input<int8_t>(kWeightsFeature), ctx.input<int16_t>(kWeightsTime),
                                 ctx.input<int32_t>(kBias), ctx.variable<int16_t>(kState), ctx.output<int8_t>(0));
      break;
  }
  return Status::kOk;
}

}  // namespace

// Versions 2 and 4 are the hybrid (float input, int8 weights) forms, rejected in prepare.
const Kernel kSvdf = {op::kSvdf, nullptr, /*max_version=*/4, prepare, eval, kNoFlags};

}  // namespace kernels
}  // namespace micro
}  // namespace tinyforge
