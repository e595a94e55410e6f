// Recurrent layers with Keras' names, defaults and weight layout:
//
//   auto x = nn::Input({49, 10});                         // [T, F] per sample
//   auto y = nn::LSTM(32, {.return_sequences = true})(x);  // [49, 32]
//   auto z = nn::GRU(16)(y);                               // [16] (last step only)
//
// Weight layout (identical to Keras, so weights load unchanged):
//   LSTM  kernel [F, 4*units], recurrent_kernel [units, 4*units], bias [4*units];
//         gate blocks along the last axis in the order i (input), f (forget), c (cell), o (output).
//   GRU   kernel [F, 3*units], recurrent_kernel [units, 3*units]; gate blocks z (update),
//         r (reset), h (candidate). reset_after=true: bias [2, 3*units], row 0 the input bias,
//         row 1 the recurrent bias, and r multiplies (h_prev @ U_h + b_rec_h).
//         reset_after=false: bias [3*units], r multiplies h_prev before the product.
// Converter note: TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM takes the same gate order (i, f, c, o)
// but as separate per-gate tensors, transposed ([units, F] and [units, units]); split the
// column blocks of kernel/recurrent_kernel/bias and transpose each when exporting.
//
// Regularizers are attached to the Params; like the core layers, config() records them with
// regularizer_to_json. Initializers: any of initializers.h plus "orthogonal".
//
// Inputs are [N, T, F]; the initial state is zero. go_backwards processes the sequence last
// step first and, as in Keras, returns the sequence in processing order (not re-reversed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tinyforge/nn/initializers.h"
#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/layer_ref.h"

namespace tinyforge::nn {

struct LSTMOptions {
  std::string activation = "tanh";               // tanh, sigmoid, relu, linear, hard_sigmoid
  std::string recurrent_activation = "sigmoid";  // same choices
  bool use_bias = true;
  bool return_sequences = false;
  bool go_backwards = false;
  bool unit_forget_bias = true;  // forget-gate bias starts at 1 (overrides bias_initializer there)
  Initializer kernel_initializer = "glorot_uniform";
  Initializer recurrent_initializer = "orthogonal";  // Keras' Orthogonal(gain=1)
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> kernel_regularizer = nullptr;
  std::shared_ptr<Regularizer> recurrent_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";  // empty: "lstm", "lstm_1", ... / "gru", ...
};

struct GRUOptions {
  std::string activation = "tanh";
  std::string recurrent_activation = "sigmoid";
  bool use_bias = true;
  bool return_sequences = false;
  bool go_backwards = false;
  bool reset_after = true;  // Keras 2.x/3 default (the cuDNN-compatible variant)
  Initializer kernel_initializer = "glorot_uniform";
  Initializer recurrent_initializer = "orthogonal";  // Keras' Orthogonal(gain=1)
  Initializer bias_initializer = "zeros";
  std::shared_ptr<Regularizer> kernel_regularizer = nullptr;
  std::shared_ptr<Regularizer> recurrent_regularizer = nullptr;
  std::shared_ptr<Regularizer> bias_regularizer = nullptr;
  std::string name = "";  // empty: "lstm", "lstm_1", ... / "gru", ...
};

class LSTMLayer : public Layer {
 public:
  LSTMLayer(int64_t units, LSTMOptions options);
  std::string type() const override { return "LSTM"; }
  int64_t units() const { return units_; }
  const LSTMOptions& options() const { return options_; }

  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  Tensor forward(LayerCall& call) override;
  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override;
  int64_t macs(const std::vector<Shape>& inputs) const override;
  nlohmann::json config() const override;

 private:
  int64_t units_;
  LSTMOptions options_;
};

class GRULayer : public Layer {
 public:
  GRULayer(int64_t units, GRUOptions options);
  std::string type() const override { return "GRU"; }
  int64_t units() const { return units_; }
  const GRUOptions& options() const { return options_; }

  Shape output_shape(const std::vector<Shape>& inputs) const override;
  void build(const std::vector<Shape>& inputs, Rng& rng) override;
  Tensor forward(LayerCall& call) override;
  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override;
  int64_t macs(const std::vector<Shape>& inputs) const override;
  nlohmann::json config() const override;

 private:
  Tensor forward_reset_after(LayerCall& call, const Tensor& x);
  Tensor forward_reset_before(LayerCall& call, const Tensor& x);
  std::vector<Tensor> backward_reset_after(LayerCall& call, const Tensor& d_output);
  std::vector<Tensor> backward_reset_before(LayerCall& call, const Tensor& d_output);

  int64_t units_;
  GRUOptions options_;
};

LayerRef LSTM(int64_t units, LSTMOptions options = {});
LayerRef GRU(int64_t units, GRUOptions options = {});

}  // namespace tinyforge::nn
