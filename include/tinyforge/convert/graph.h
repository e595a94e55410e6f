// The converter's intermediate form: a TFLite-level graph (tensors + builtin operators in
// execution order), close enough to the .tflite schema that reading and writing are
// mechanical, and plain data so passes (fold, fuse, calibrate, quantize) are simple loops.
//
//   nn::Model ──lower──► Graph ──quantize──► Graph ──write──► .tflite bytes ──► micro runtime
//   .tflite   ──read───► Graph
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tinyforge/micro/types.h"

namespace tinyforge::convert {

using micro::TensorType;

struct QuantParams {
  std::vector<float> scales;        // empty: not quantized; 1: per-tensor; N: per-channel
  std::vector<int64_t> zero_points;
  int32_t axis = 0;                 // quantized_dimension for per-channel
  std::vector<float> min, max;      // optional calibration range (kept for import back into TF)

  bool quantized() const { return !scales.empty(); }
};

struct GraphTensor {
  std::string name;
  TensorType type = TensorType::kFloat32;
  std::vector<int32_t> shape;
  std::vector<uint8_t> data;  // constant data (little-endian); empty for activations
  bool is_variable = false;   // RNN/SVDF state
  QuantParams quant;

  bool is_constant() const { return !data.empty(); }
  int64_t element_count() const;
};

// Options of the builtin operators the converter writes and reads. Only the fields the
// op's schema table has are written (see writer); the rest keep their defaults.
struct OpOptions {
  micro::Activation activation = micro::Activation::kNone;
  micro::Padding padding = micro::Padding::kSame;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t depth_multiplier = 1;
  int32_t filter_w = 1, filter_h = 1;         // pooling
  bool keep_num_dims = false;                 // FULLY_CONNECTED
  bool keep_dims = false;                     // MEAN
  int32_t axis = 0;                           // CONCATENATION
  float beta = 1.0f;                          // SOFTMAX
  float alpha = 0.2f;                         // LEAKY_RELU
  std::vector<int32_t> new_shape;             // RESHAPE
  std::vector<int32_t> squeeze_dims;          // SQUEEZE
  float cell_clip = 0.0f, proj_clip = 0.0f;   // UNIDIRECTIONAL_SEQUENCE_LSTM
  bool time_major = false;                    // UNIDIRECTIONAL_SEQUENCE_LSTM
  int32_t rank = 1;                           // SVDF
  bool asymmetric_quantize_inputs = false;
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;  // STRIDED_SLICE
  bool pot_scale_int16 = true;                // ADD / SUB
};

struct GraphOp {
  int32_t builtin = 0;          // micro::op::k*
  std::string custom_code;      // for CUSTOM
  int32_t version = 1;
  std::vector<int32_t> inputs;  // tensor indices; -1 for an absent optional input
  std::vector<int32_t> outputs;
  std::vector<int32_t> intermediates;
  OpOptions options;
  std::vector<uint8_t> custom_options;
};

struct Graph {
  std::vector<GraphTensor> tensors;
  std::vector<GraphOp> ops;  // execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::string description = "TinyForge";
  std::map<std::string, std::vector<uint8_t>> metadata;  // name -> bytes (e.g. "min_runtime_version")

  int32_t add_tensor(GraphTensor t);
  int32_t add_op(GraphOp op);
  // Throws Error naming the first structural problem (index out of range, data size mismatch...).
  void validate() const;
};

}  // namespace tinyforge::convert
