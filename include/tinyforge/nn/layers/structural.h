// Layers that reshape, pool, merge, normalize or regularize activations, with Keras' names and
// defaults: BatchNormalization, Dropout, Max/AveragePooling1D/2D, Global*Pooling1D/2D, Flatten,
// Reshape, ZeroPadding1D/2D, Add, Multiply, Concatenate, Normalization, Rescaling.
//
//   auto x = nn::MaxPooling2D(2)(nn::BatchNormalization()(conv));
//   auto y = nn::Concatenate()({a, b});
//   auto norm = nn::Normalization();  norm.adapt(train_x);
//
// Layers without a name get Keras' automatic one ("batch_normalization", "max_pooling2d_1", ...).
// Options use designated initializers: `nn::AveragePooling2D({3, 3}, {.strides = {1, 1}, .padding = "same"})`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tinyforge/nn/layer_ref.h"
#include "tinyforge/nn/layers/core.h"  // Size2

namespace tinyforge::nn {

// --- BatchNormalization ----------------------------------------------------------------------
// Training: normalizes with the batch's mean and (biased) variance and moves the moving statistics
// toward them by (1 - momentum). Inference, or when the layer is frozen (trainable = false, as in
// Keras 2.x+ fine-tuning): uses the moving statistics. Params: gamma, beta (trainable, when
// scale/center), moving_mean, moving_variance (non-trainable).
struct BatchNormalizationOptions {
  int axis = -1;
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;
  bool scale = true;
  std::string name;
};
LayerRef BatchNormalization(const BatchNormalizationOptions& options = {});

// --- Dropout ---------------------------------------------------------------------------------
// Inverted dropout: in training zeroes each element with probability `rate` and scales the rest by
// 1 / (1 - rate); identity at inference. Draws from the model's Rng (LayerCall::rng); a layer
// called outside a model falls back to its own Rng seeded with `seed`.
struct DropoutOptions {
  uint64_t seed = 0;
  std::string name;
};
LayerRef Dropout(float rate, const DropoutOptions& options = {});

// --- Pooling ---------------------------------------------------------------------------------
// strides 0 = pool_size (Keras' strides=None). padding "valid" or "same"; average pooling with
// "same" divides by the number of real (unpadded) cells in each window, as Keras does.
struct Pooling1DOptions {
  int64_t strides = 0;
  std::string padding = "valid";
  std::string name;
};
struct Pooling2DOptions {
  Size2 strides = 0;
  std::string padding = "valid";
  std::string name;
};
LayerRef MaxPooling1D(int64_t pool_size = 2, const Pooling1DOptions& options = {});
LayerRef AveragePooling1D(int64_t pool_size = 2, const Pooling1DOptions& options = {});
LayerRef MaxPooling2D(Size2 pool_size = 2, const Pooling2DOptions& options = {});
LayerRef AveragePooling2D(Size2 pool_size = 2, const Pooling2DOptions& options = {});

// Global pooling over the steps (1D) or height and width (2D); keepdims keeps them as size 1.
struct GlobalPoolingOptions {
  bool keepdims = false;
  std::string name;
};
LayerRef GlobalAveragePooling1D(const GlobalPoolingOptions& options = {});
LayerRef GlobalAveragePooling2D(const GlobalPoolingOptions& options = {});
LayerRef GlobalMaxPooling1D(const GlobalPoolingOptions& options = {});
LayerRef GlobalMaxPooling2D(const GlobalPoolingOptions& options = {});

// --- Shape -----------------------------------------------------------------------------------
LayerRef Flatten(std::string name = "");
// Per-sample target shape; one entry may be -1 (inferred from the input size).
LayerRef Reshape(Shape target_shape, std::string name = "");

// Zeros added at the start/end of the steps axis (1D) or the top/bottom, left/right (2D).
struct Padding1D {
  int64_t left = 1, right = 1;
  Padding1D(int64_t both = 1) : left(both), right(both) {}  // NOLINT: implicit on purpose
  Padding1D(int64_t l, int64_t r) : left(l), right(r) {}
};
struct Padding2D {
  int64_t top = 1, bottom = 1, left = 1, right = 1;
  Padding2D(int64_t all = 1) : top(all), bottom(all), left(all), right(all) {}  // NOLINT
  Padding2D(int64_t h, int64_t w) : top(h), bottom(h), left(w), right(w) {}
  Padding2D(std::array<int64_t, 2> top_bottom, std::array<int64_t, 2> left_right)
      : top(top_bottom[0]), bottom(top_bottom[1]), left(left_right[0]), right(left_right[1]) {}
};
LayerRef ZeroPadding1D(Padding1D padding = 1, std::string name = "");
LayerRef ZeroPadding2D(Padding2D padding = 1, std::string name = "");

// --- Merge -----------------------------------------------------------------------------------
// Elementwise over inputs of the same shape.
LayerRef Add(std::string name = "");
LayerRef Multiply(std::string name = "");
// Joins inputs along `axis` (per-sample axes count from 1 as in Keras; -1 = last).
LayerRef Concatenate(int axis = -1, std::string name = "");

// --- Preprocessing ---------------------------------------------------------------------------
// (x - mean) / max(sqrt(variance), 1e-7) per index of `axis`, as Keras' Normalization. Set mean and
// variance directly (each of size 1 or the axis' size), or call adapt() on data before training.
struct NormalizationOptions {
  int axis = -1;
  std::vector<float> mean;      // empty: from adapt(), else 0
  std::vector<float> variance;  // empty: from adapt(), else 1
  std::string name;
};
class NormalizationRef : public LayerRef {
 public:
  using LayerRef::LayerRef;
  // Computes the mean and (population) variance of `data` [N, ...] per index of the axis, building
  // the layer from data's per-sample shape if needed. Throws Error if the shape does not fit.
  void adapt(const Tensor& data) const;
};
NormalizationRef Normalization(const NormalizationOptions& options = {});

// x * scale + offset.
struct RescalingOptions {
  float offset = 0.0f;
  std::string name;
};
LayerRef Rescaling(float scale, const RescalingOptions& options = {});

}  // namespace tinyforge::nn
