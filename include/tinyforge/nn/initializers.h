// Weight initializers with Keras 3's names, defaults and fan computation.
//
// An Initializer is a name plus the few numbers the parameterized ones take, so layer options
// read like Keras: `{.kernel_initializer = "he_normal"}` or `{.bias_initializer = Constant(0.1)}`.
// Names: zeros, ones, constant, random_normal, random_uniform, truncated_normal, glorot_uniform,
// glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal (Keras class names such as
// "GlorotUniform" are accepted too), and torch_default: PyTorch's default for Linear/Conv weights,
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with Keras' fan_in (PyTorch draws biases from the same bounds
// with the weight's fan_in: use RandomUniform for those, as the bias's own shape has no fan_in).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "tinyforge/nn/random.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn {

struct Initializer {
  Initializer(const char* n) : name(n) {}             // NOLINT: implicit, so a name reads as an initializer
  Initializer(std::string n) : name(std::move(n)) {}  // NOLINT

  std::string name;
  // Keras defaults for the parameterized initializers.
  double value = 0.0;                    // constant
  double mean = 0.0, stddev = 0.05;      // random_normal, truncated_normal
  double minval = -0.05, maxval = 0.05;  // random_uniform

  // A string when the parameters are the defaults, else {"class_name": ..., "config": {...}}.
  nlohmann::json to_json() const;
  static Initializer from_json(const nlohmann::json& j);  // throws Error
};

Initializer Constant(double value);
Initializer RandomNormal(double mean = 0.0, double stddev = 0.05);
Initializer RandomUniform(double minval = -0.05, double maxval = 0.05);
Initializer TruncatedNormal(double mean = 0.0, double stddev = 0.05);

// fan_in and fan_out as Keras computes them: rank 0 -> (1, 1); rank 1 -> (n, n); rank 2 [in, out];
// rank >= 3 (conv kernels [..spatial.., in, out]): spatial product times in / out. For a depthwise
// kernel [kh, kw, C, M] that gives fan_in = kh*kw*C, fan_out = kh*kw*M, as Keras does.
std::pair<double, double> compute_fans(const Shape& shape);

// A tensor of `shape` drawn from `init` (throws Error for an unknown name).
Tensor initialize(const Initializer& init, const Shape& shape, Rng& rng);

}  // namespace tinyforge::nn
