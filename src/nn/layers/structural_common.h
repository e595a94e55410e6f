// Small helpers shared by the structural layers (pooling, shape, merge, normalization):
// argument checks with messages naming the layer, axis resolution, gradient buffers.
#pragma once

#include <string>
#include <vector>

#include "tinyforge/error.h"
#include "tinyforge/nn/layer.h"

namespace tinyforge::nn::structural {

inline std::string describe(const Layer& layer) {
  return layer.type() + (layer.name().empty() ? std::string(" layer") : " layer '" + layer.name() + "'");
}

// The given name, or Keras' automatic one for the prefix ("dropout", "dropout_1", ...).
inline std::string layer_name(const std::string& given, const char* prefix) {
  return given.empty() ? auto_layer_name(prefix) : given;
}

// The config keys every layer has; make_layer applies them after the layer's factory.
inline nlohmann::json base_config(const Layer& layer) {
  return {{"name", layer.name()}, {"trainable", layer.trainable()}};
}

inline void expect_input_count(const Layer& layer, const std::vector<Shape>& inputs, size_t n) {
  if (inputs.size() != n) {
    throw Error(describe(layer) + " takes " + std::to_string(n) + " input(s), got " + std::to_string(inputs.size()));
  }
}

inline void expect_sample_rank(const Layer& layer, const Shape& s, size_t rank, const char* layout) {
  if (s.size() != rank) {
    throw Error(describe(layer) + " expects per-sample input " + layout + ", got shape " + shape_str(s));
  }
}

// Keras counts axes over the batched shape (0 = batch, -1 = last). Returns the per-sample index.
inline size_t sample_axis(const Layer& layer, int axis, size_t sample_rank) {
  const int full_rank = static_cast<int>(sample_rank) + 1;
  const int a = axis < 0 ? axis + full_rank : axis;
  if (a <= 0 || a >= full_rank) {
    throw Error(describe(layer) + ": axis " + std::to_string(axis) + " is out of range for per-sample rank " +
                std::to_string(sample_rank) + " (the batch axis cannot be used)");
  }
  return static_cast<size_t>(a - 1);
}

// The batch tensor given to a single-input layer, checked against the layer's expectations.
inline const Tensor& only_input(const Layer& layer, const LayerCall& call) {
  if (call.inputs.size() != 1 || call.inputs[0] == nullptr) {
    throw Error(describe(layer) + " takes 1 input, got " + std::to_string(call.inputs.size()));
  }
  return *call.inputs[0];
}

// Gradients are accumulated only into params that are trainable in a trainable layer.
inline bool wants_grad(const Layer& layer, const Param& p) { return layer.trainable() && p.trainable; }

inline Tensor& grad_buffer(Param& p) {
  if (p.grad.shape() != p.value.shape()) p.grad = Tensor(p.value.shape(), 0.0f);
  return p.grad;
}

// Splits a batch shape around axis index `a` (into the batched shape) as outer x size x inner.
struct AxisSplit {
  int64_t outer = 1, size = 1, inner = 1;
};
inline AxisSplit split_at(const Shape& batched, size_t a) {
  AxisSplit s;
  for (size_t i = 0; i < batched.size(); ++i) {
    if (i < a) s.outer *= batched[i];
    else if (i == a) s.size = batched[i];
    else s.inner *= batched[i];
  }
  return s;
}

inline Shape with_batch(int64_t n, const Shape& sample) {
  Shape s{n};
  s.insert(s.end(), sample.begin(), sample.end());
  return s;
}

}  // namespace tinyforge::nn::structural
