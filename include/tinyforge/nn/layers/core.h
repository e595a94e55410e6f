// The core trainable layers with Keras' names, arguments and defaults:
//
//   auto y = nn::Conv2D(32, 3, {.padding = "same", .activation = "relu"})(x);
//   auto z = nn::Dense(10, {.activation = "softmax"})(nn::Flatten()(y));
//
// Weight layouts (Keras'): Dense kernel [in, units]; Conv1D kernel [k, Cin, Cout]; Conv2D kernel
// [KH, KW, Cin, Cout]; DepthwiseConv2D "kernel" [KH, KW, C, M] (output channel c*M + m);
// SeparableConv2D "depthwise_kernel" [KH, KW, C, M], "pointwise_kernel" [1, 1, C*M, filters]; biases
// are [out channels]. Weight names: "kernel", "bias" (and the two separable kernels).
// Regularizers are attached to the Params; they are not part of config() (no serializable form).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tinyforge/nn/initializers.h"
#include "tinyforge/nn/layer_ref.h"

namespace tinyforge::nn {

// A size per spatial axis (kernel, strides, dilation): `3` means {3, 3}.
struct Size2 {
  Size2(int64_t s) : h(s), w(s) {}  // NOLINT: implicit like Keras' int-or-tuple
  Size2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  int64_t h, w;
};

struct DenseOptions {
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> kernel_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";
};
// Applies to the last axis of inputs of any rank >= 1.
LayerRef Dense(int64_t units, DenseOptions o = {});

struct Conv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";  // "valid" | "same"
  Size2 dilation_rate = 1;
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> kernel_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";
};
// Input [H, W, C] per sample.
LayerRef Conv2D(int64_t filters, Size2 kernel_size, Conv2DOptions o = {});

struct Conv1DOptions {
  int64_t strides = 1;
  std::string padding = "valid";  // "valid" | "same" | "causal" (left-pad by dilation*(k-1))
  int64_t dilation_rate = 1;
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> kernel_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";
};
// Input [steps, C] per sample.
LayerRef Conv1D(int64_t filters, int64_t kernel_size, Conv1DOptions o = {});

struct DepthwiseConv2DOptions {
  int64_t depth_multiplier = 1;
  Size2 strides = 1;
  std::string padding = "valid";
  Size2 dilation_rate = 1;
  std::string activation = "linear";
  bool use_bias = true;
  Initializer depthwise_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> depthwise_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";
};
LayerRef DepthwiseConv2D(Size2 kernel_size, DepthwiseConv2DOptions o = {});

struct SeparableConv2DOptions {
  Size2 strides = 1;
  std::string padding = "valid";
  Size2 dilation_rate = 1;
  int64_t depth_multiplier = 1;
  std::string activation = "linear";
  bool use_bias = true;
  Initializer depthwise_initializer = "glorot_uniform";
  Initializer pointwise_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> depthwise_regularizer = nullptr;
  std::shared_ptr<Regularizer> pointwise_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";
};
// A depthwise conv (no bias) followed by a 1x1 conv with bias, as Keras' SeparableConv2D.
LayerRef SeparableConv2D(int64_t filters, Size2 kernel_size, SeparableConv2DOptions o = {});

struct ActivationOptions {
  float alpha = -1.0f;  // leaky_relu slope / elu alpha; < 0: Keras default (0.2 / 1.0)
  std::string name = "";
};
// An activation as its own layer: "relu", "softmax" (last axis), ... (see activations.h).
LayerRef Activation(const std::string& activation, ActivationOptions o = {});

}  // namespace tinyforge::nn
