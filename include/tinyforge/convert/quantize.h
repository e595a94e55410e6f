// Post-training quantization of a float32 Graph, producing what TensorFlow's converter produces
// for the same options (see docs/quantization.md):
//
//   kFloat16      float16 constants, each dequantized to float32 by a DEQUANTIZE op
//   kDynamicRange int8 weights of FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D, float activations
//                 (hybrid ops; TFLM and the micro runtime do not run them: see the warnings)
//   kInt8         full integer: int8 activations, int8 weights, int32 biases
//   kInt16x8      int16 activations, int8 weights, int64 biases
//
//   QuantizeResult r = quantize(float_graph, {.mode = QuantMode::kInt8, .io_type = TensorType::kInt8}, &data);
//   write_file_atomic("model_int8.tflite", write_tflite(r.graph));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/convert/calibration.h"
#include "tinyforge/convert/graph.h"

namespace tinyforge::convert {

enum class QuantMode { kFloat16, kDynamicRange, kInt8, kInt16x8 };

// "float16", "dynamic", "int8", "int16x8" -> QuantMode; throws Error listing the valid names.
QuantMode parse_quant_mode(const std::string& name);
const char* quant_mode_name(QuantMode m);

struct QuantizeOptions {
  QuantMode mode = QuantMode::kInt8;
  // Type of the model's inputs and outputs (kInt8 / kInt16x8 only). kInt8 mode: int8, uint8 or
  // float32; kInt16x8: int16 or float32. Anything but the activation type adds QUANTIZE /
  // DEQUANTIZE ops at the boundary, as TF's converter does.
  TensorType io_type = TensorType::kFloat32;
  ObserverOptions calibration;   // how activation ranges are picked
  bool per_channel_fc = false;   // per-channel FULLY_CONNECTED weights (axis 0) instead of per-tensor
  bool bias_correction = false;  // subtract the mean output shift the weight rounding causes
  // kDynamicRange: weights with fewer elements stay float32 (TF's converter default: 1024).
  int64_t dynamic_min_elements = 1024;
};

struct QuantizeResult {
  Graph graph;
  std::vector<std::string> warnings;  // things the user should know (e.g. hybrid ops do not run on TFLM)
  std::vector<TensorRange> ranges;    // calibrated ranges (kInt8 / kInt16x8), in float graph tensor indices
};

// `data` is required for kInt8 and kInt16x8 (calibration) and ignored otherwise. Throws Error
// naming the op or tensor when the graph cannot be quantized in this mode (an op without a
// quantized kernel, a non-float32 graph, a wrong io_type, no data...). The input graph is unchanged.
QuantizeResult quantize(const Graph& float_graph, const QuantizeOptions& options,
                        const RepresentativeData* data = nullptr);

// Same, with ranges calibrated beforehand (kInt8 / kInt16x8).
QuantizeResult quantize_calibrated(const Graph& float_graph, const QuantizeOptions& options,
                                   const Calibration& calibration);

// ---- Building blocks (TF's rules), exposed for tests and for other passes (QAT) ----

// Asymmetric per-tensor parameters for [min, max] on [qmin, qmax]: the range is widened to hold 0,
// scale = (max - min) / (qmax - qmin), zero point = round(qmin - min / scale) clamped to
// [qmin, qmax] (TF's nudging). An empty range gives scale 1 (nothing to resolve).
QuantParams asymmetric_params(float min, float max, int32_t qmin, int32_t qmax);
// Symmetric per-tensor: scale = max(|min|, |max|) / qmax, zero point 0 (int16 activations).
QuantParams symmetric_params(float min, float max, int32_t qmax);
// Symmetric int8 weights (narrow range [-127, 127]) of a float32 constant: one scale per slice
// along `axis`, or one for the tensor when axis < 0. scale = max|w| / 127 (1 for an all-zero
// slice). Returns the int8 data; `params` receives scales, zero points (0) and axis.
std::vector<int8_t> quantize_weights_symmetric(const GraphTensor& weights, int32_t axis, QuantParams* params);
// Bias of `input_scale` x weight scales: round(b / (input_scale * w_scale[c])), int32 or int64.
std::vector<uint8_t> quantize_bias(const std::vector<float>& bias, float input_scale,
                                   const std::vector<float>& weight_scales, TensorType type, QuantParams* params);

// Op version as TF's converter sets it (tensorflow/lite/tools/versioning/op_version.cc) for the
// types and options the op has in `graph`.
int32_t op_version(const Graph& graph, const GraphOp& op);

}  // namespace tinyforge::convert
