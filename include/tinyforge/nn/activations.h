// Elementwise activations with Keras' names and defaults, forward and derivative, shared by
// every layer's fused `activation` option and by the Activation layer.
//
// Keras 3 defaults: leaky_relu's negative_slope is 0.2 for the activation function
// (keras.activations.leaky_relu; the LeakyReLU *layer* defaults to 0.3), elu's alpha is 1.0.
// hard_swish is x * relu6(x + 3) / 6 (Keras 3's hard_silu). softmax normalizes the last axis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn {

enum class ActivationKind { kLinear, kRelu, kRelu6, kLeakyRelu, kSigmoid, kTanh, kSoftmax, kHardSwish, kElu };

class ActivationFn {
 public:
  ActivationFn() = default;  // linear
  // Parses a Keras activation name ("relu", "softmax", "hard_silu", ...; empty or "linear" is the
  // identity). `alpha` < 0 means the Keras default (leaky_relu 0.2, elu 1.0). Throws Error listing the
  // known names.
  static ActivationFn parse(const std::string& name, float alpha = -1.0f);

  ActivationKind kind() const { return kind_; }
  std::string name() const;  // canonical Keras name
  float alpha() const { return alpha_; }
  bool has_default_alpha() const;
  bool is_linear() const { return kind_ == ActivationKind::kLinear; }
  // True when the derivative needs the pre-activation input x; otherwise backward() only reads
  // the output y (so layers need not keep x alive).
  bool derivative_needs_input() const { return kind_ == ActivationKind::kHardSwish; }

  // y = f(x) over `n` values laid out as rows of `last_dim` (softmax normalizes each row).
  // `y` may alias `x`.
  void forward(const float* x, float* y, int64_t n, int64_t last_dim) const;
  // dx = dL/dx from dy = dL/dy. `x` may be null unless derivative_needs_input(); `dx` may alias `dy`.
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t n, int64_t last_dim) const;

  // Tensor conveniences (last axis is the softmax axis).
  Tensor forward(const Tensor& x) const;
  void forward_inplace(Tensor& x) const;
  // `x` may be null unless derivative_needs_input().
  Tensor backward(const Tensor* x, const Tensor& y, const Tensor& dy) const;

 private:
  // forward()/backward() on one chunk of whole rows; the public ones share rows between threads.
  void forward_rows(const float* x, float* y, int64_t n, int64_t last_dim) const;
  void backward_rows(const float* x, const float* y, const float* dy, float* dx, int64_t n, int64_t last_dim) const;

  ActivationKind kind_ = ActivationKind::kLinear;
  float alpha_ = 0.0f;
};

// The names parse() accepts (for error messages and tests).
std::vector<std::string> activation_names();

}  // namespace tinyforge::nn
