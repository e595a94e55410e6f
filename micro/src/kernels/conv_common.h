// Pieces shared by the convolution-like kernels (CONV_2D, DEPTHWISE_CONV_2D, the pools and
// FULLY_CONNECTED): TFLite's window geometry and the per-channel requantization setup.
// Everything here runs in prepare(); the hot loops live in each kernel.
#pragma once

#include <stdint.h>

#include "tinyforge/micro/kernel_api.h"

namespace tinyforge {
namespace micro {
namespace conv {

// One spatial axis of a windowed op after TFLite's padding rules.
struct WindowAxis {
  int32_t out_size = 0;  // what the op must produce along this axis
  int32_t pad_before = 0;
};

// TFLite's output size and leading padding for one axis (its ComputeOutSize and
// ComputePaddingWithOffset): SAME pads so that out = ceil(in / stride), putting the odd
// pixel of padding after the data; VALID keeps only whole windows. Returns false when
// the arguments make no window (non-positive stride, dilation or filter).
bool window_axis(Padding padding, int32_t in_size, int32_t filter_size, int32_t stride, int32_t dilation,
                 WindowAxis* axis);

// Reads padding/stride/dilation checks common to conv-like ops and fills the geometry.
// Fails naming the mismatch when the model's output height/width differ from TFLite's.
struct Geometry {
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_h = 0, pad_w = 0;
};
Status make_geometry(PrepareContext& ctx, Padding padding, int32_t stride_h, int32_t stride_w, int32_t dilation_h,
                     int32_t dilation_w, int32_t in_h, int32_t in_w, int32_t filter_h, int32_t filter_w,
                     int32_t out_h, int32_t out_w, Geometry* geometry);

// The scale of a quantized tensor, or a failure naming `what` when it is missing or not a
// positive finite number (the rescale divides by it).
Status positive_scale(PrepareContext& ctx, const TensorInfo& t, const char* what, float* scale);

// Per-output-channel multipliers of an integer conv: input_scale * filter_scale[c] /
// output_scale in double precision, each split into Q0.31 and a shift (TFLite's
// PopulateConvolutionQuantizationParams). A per-tensor filter scale is broadcast.
// `max_shift` bounds the left shift the kernel's rescale can apply without overflow.
Status per_channel_multipliers(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                               const TensorInfo& output, int32_t channels, int32_t quantized_dim, int max_shift,
                               int32_t** multipliers, int32_t** shifts);

// Quantized output clamp after the fused activation ([qmin, qmax] of the output type).
Status quantized_activation(PrepareContext& ctx, Activation act, const TensorInfo& output, int32_t* act_min,
                            int32_t* act_max);

// Activation codes in the model must be ones TFLite defines for these ops.
bool known_activation(int8_t code);

// x + y with two's complement wrap-around: TFLM's int32 arithmetic on the targets it runs
// on, without the undefined behaviour a hostile model could otherwise trigger.
inline int32_t wrapping_add(int32_t x, int32_t y) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) + static_cast<uint32_t>(y));
}

// The 64-bit rescale is exact only for |x| < 2^47 (TFLite's stated input range); larger
// values can only come from absurd biases and are saturated rather than overflowed.
inline int64_t clamp_accumulator_48(int64_t x) {
  const int64_t limit = int64_t{1} << 47;
  return x < -limit ? -limit : (x >= limit ? limit - 1 : x);
}

// What CONV_2D and DEPTHWISE_CONV_2D keep from prepare() for eval().
struct ConvData {
  Geometry g;
  int32_t batches = 0;
  int32_t in_h = 0, in_w = 0, in_d = 0;
  int32_t filter_h = 0, filter_w = 0, filter_d = 0;
  int32_t out_h = 0, out_w = 0, out_d = 0;
  int32_t depth_multiplier = 1;  // DEPTHWISE_CONV_2D only
  int32_t input_offset = 0;      // minus the input zero point
  int32_t output_offset = 0;     // the output zero point
  int32_t act_min = 0, act_max = 0;
  float act_min_f = 0.0f, act_max_f = 0.0f;
  const int32_t* multipliers = nullptr;  // per output channel
  const int32_t* shifts = nullptr;
  TensorType type = TensorType::kFloat32;
  bool wide_accumulator = false;  // int16 activations with an int64 bias
};

// Shared prepare() steps of the two convolutions once the op-specific shape checks are
// done: type combination, bias, quantization and activation range. `channels_dim` is the
// filter axis holding the output channels (0 for CONV_2D, 3 for DEPTHWISE_CONV_2D).
// `int32_bias_for_int16` is whether int16 activations may come with an int32 bias (or none)
// and then accumulate in 32 bits, as TFLM's CONV_2D allows and its DEPTHWISE_CONV_2D does not.
Status prepare_quantization(PrepareContext& ctx, Activation act, int32_t channels_dim, bool int32_bias_for_int16,
                            ConvData* d);

}  // namespace conv
}  // namespace micro
}  // namespace tinyforge
