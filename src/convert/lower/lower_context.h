// State shared by the per-layer lowerings: the Graph being built, what each model node became
// (a tensor, possibly with a deferred per-channel affine), and the helpers that add constants,
// activations and ops with the versions Google's converter gives float models.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tinyforge/convert/graph.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::convert::lower {

// y = (x - center) * scale + shift per index of the last axis; each vector has one value per
// channel, or one for all, or (center, shift) none. Normalization is (x - mean) * (1 / std), the
// SUB + MUL TensorFlow's graph has; BatchNormalization and Rescaling are x * scale + shift.
struct Affine {
  std::vector<float> center, scale, shift;
  static float at(const std::vector<float>& v, size_t c, float none) {
    return v.empty() ? none : v.size() == 1 ? v[0] : v[c];
  }
  double scale_at(size_t c) const { return at(scale, c, 1.0f); }
  // The shift once the centering is folded in: shift - center * scale.
  double shift_at(size_t c) const { return double(at(shift, c, 0.0f)) - double(at(center, c, 0.0f)) * scale_at(c); }
  size_t channels() const { return std::max(center.size(), std::max(scale.size(), shift.size())); }
};

// What one model node's output is in the graph.
struct Value {
  int32_t tensor = -1;
  std::vector<int32_t> shape;  // with the batch dimension (1)
  // The op that wrote `tensor`, when later layers may fold into it (BatchNormalization, a
  // fused RELU/RELU6); -1 otherwise.
  int32_t producer_op = -1;
  // Normalization/Rescaling deferred into the single consumer: the value is tensor * affine.
  bool has_affine = false;
  Affine affine;
};

class Context {
 public:
  Context(const nn::Model& model, const LowerOptions& options);

  const nn::Model& model;
  const LowerOptions& options;
  Graph graph;

  size_t node_index(const nn::Node* node) const;
  const nn::Node& node(size_t i) const { return *model.nodes()[i]; }
  // How many node inputs read node i's output, and whether it is a model output.
  int consumers(size_t i) const { return consumers_[i]; }
  bool is_model_output(size_t i) const { return is_output_[i]; }
  // The single node reading node i, or -1 when there are none or several.
  int64_t single_consumer(size_t i) const;
  // True when node i's output may be rewritten in place (read once, not a model output).
  bool private_to_consumer(size_t i) const { return consumers_[i] == 1 && !is_output_[i]; }

  Value& value(size_t i) { return values_[i]; }
  // Input k of node i as a plain tensor (a deferred affine becomes MUL/ADD ops first).
  const Value& input(size_t i, size_t k);
  // Input k of node i, keeping a deferred affine for the caller to fold.
  const Value& input_raw(size_t i, size_t k);
  size_t input_node(size_t i, size_t k) const;

  int32_t add_const_f32(const std::string& name, std::vector<int32_t> shape, const std::vector<float>& values);
  int32_t add_const_i32(const std::string& name, std::vector<int32_t> shape, const std::vector<int32_t>& values);
  int32_t add_activation(const std::string& name, std::vector<int32_t> shape);
  // Adds any tensor under a unique name (a shared layer called twice gets "name_1", ...).
  int32_t add_tensor(GraphTensor t);
  // Adds an op with the version op_version() gives it; returns its index.
  int32_t emit(int32_t builtin, std::vector<int32_t> inputs, std::vector<int32_t> outputs, OpOptions options = {});

  // Emits out = in * affine as MUL then ADD (each skipped when it is the identity).
  Value materialize(const Value& v, const std::string& name);

  // "Dense 'dense_1'" for messages.
  static std::string describe(const nn::Layer& layer);

 private:
  std::vector<Value> values_;
  std::vector<int> consumers_;
  std::vector<bool> is_output_;
  std::vector<int64_t> single_consumer_;
  std::unordered_map<const nn::Node*, size_t> index_;
  std::unordered_map<std::string, int> name_uses_;
};

// Float data of a constant tensor (the graph stores little-endian bytes).
std::vector<float> read_f32(const GraphTensor& t);
void write_f32(GraphTensor& t, const std::vector<float>& values);

// The version Google's converter (tensorflow/lite/tools/versioning/op_version.cc) writes for a
// float32 op: 1, except FULLY_CONNECTED with keep_num_dims (5) and DEPTHWISE_CONV_2D with
// dilation (2).
int32_t float_op_version(int32_t builtin, const OpOptions& options);

// Per-sample nn shape -> graph shape with batch 1.
std::vector<int32_t> with_batch(const nn::Shape& sample);

}  // namespace tinyforge::convert::lower
