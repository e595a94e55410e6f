// A layer: weights plus a forward pass and its backward pass, with Keras' names and defaults.
//
// The model calls build() once with per-sample input shapes (no batch dimension), then
// forward() on batches [N, ...] and, when training, backward() with dL/d(output) in reverse
// order. A layer object may be called at several places in a graph (shared layers): all
// per-call state lives in the LayerCall the model passes in, never in the layer.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tinyforge/nn/activations.h"
#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/random.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn {

class Regularizer;

// A trainable (or frozen) weight and its gradient, accumulated by backward().
struct Param {
  std::string name;  // "kernel", "bias", "gamma", "moving_mean", ...
  Tensor value;
  Tensor grad;
  bool trainable = true;                     // false for BatchNorm's moving statistics
  std::shared_ptr<Regularizer> regularizer;  // may be null
};

// What one call of a layer in a graph keeps between forward and backward.
struct LayerCall {
  bool training = false;
  Rng* rng = nullptr;                  // for Dropout and other random layers
  std::vector<const Tensor*> inputs;   // valid during forward and backward
  const Tensor* output = nullptr;      // set by the model after forward
  std::vector<Tensor> saved;           // anything else forward wants backward to have
  // e.g. max-pool argmax; resize() leaves new entries uninitialized (for one the backend fills)
  std::vector<int64_t, UninitializedAllocator<int64_t>> saved_indices;
  // False when no input's gradient is used (every input is a model input, or nothing upstream
  // has trainable weights): backward may then return empty tensors instead of d(input).
  bool need_input_grad = true;
  // Set by the model when this call also applies the activation that follows it (see
  // Layer::can_fuse_activation): forward returns act(output), backward receives d(act(output)).
  const ActivationFn* fused_activation = nullptr;
};

class Layer {
 public:
  explicit Layer(std::string name = "") : name_(std::move(name)) {}
  virtual ~Layer() = default;

  virtual std::string type() const = 0;  // Keras class name: "Dense", "Conv2D", ...
  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }

  // Per-sample output shape for per-sample input shapes; throws Error naming the layer when
  // the inputs do not fit.
  virtual Shape output_shape(const std::vector<Shape>& inputs) const = 0;
  // Creates the weights (Keras initializers, seeded). Called once before the first call.
  virtual void build(const std::vector<Shape>& inputs, Rng& rng) {
    (void)inputs;
    (void)rng;
  }
  bool built() const { return built_; }
  void mark_built() { built_ = true; }

  // Batch forward. `call.inputs` holds the inputs; returns the output [N, ...].
  virtual Tensor forward(LayerCall& call) = 0;
  // Given dL/d(output), ACCUMULATES dL/d(params) into Param::grad (when trainable) and returns
  // dL/d(input) for each input, in order (an empty tensor allowed when !call.need_input_grad).
  virtual std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) = 0;
  // backward() given ownership of d_output (the model's training step no longer needs it), so
  // elementwise layers can turn it into d(input) in place instead of allocating.
  virtual std::vector<Tensor> backward_consuming(LayerCall& call, Tensor&& d_output) {
    return backward(call, d_output);
  }

  std::vector<Param>& params() { return params_; }
  const std::vector<Param>& params() const { return params_; }
  Param* param(const std::string& name);

  // Layer-level freeze for transfer learning (Keras' layer.trainable).
  bool trainable() const { return trainable_; }
  void set_trainable(bool t) { trainable_ = t; }

  // Whether forward and backward can apply `act` after the layer's own output (LayerCall::
  // fused_activation). The model then fuses an Activation layer that is the only consumer of
  // this layer's output into it, as TensorFlow's graph remapper fuses BatchNorm + ReLU: one
  // pass and one tensor fewer each way.
  virtual bool can_fuse_activation(const ActivationFn& act) const {
    (void)act;
    return false;
  }
  // The function, when the layer is nothing but an elementwise activation (the Activation layer).
  virtual const ActivationFn* as_activation() const { return nullptr; }

  // Multiply-accumulates per sample (for summary()).
  virtual int64_t macs(const std::vector<Shape>& inputs) const {
    (void)inputs;
    return 0;
  }
  // Keras-style config (constructor arguments) for save/load and clone.
  virtual nlohmann::json config() const = 0;

 protected:
  Param& add_param(const std::string& name, Tensor value, bool trainable = true);

 private:
  std::string name_;
  bool trainable_ = true;
  bool built_ = false;
  std::vector<Param> params_;
};

using LayerPtr = std::shared_ptr<Layer>;

// The one-input result of backward(), moved in: `return {std::move(dx)};` would copy dx (a
// braced list's elements are const).
inline std::vector<Tensor> one_gradient(Tensor&& d_input) {
  std::vector<Tensor> v;
  v.push_back(std::move(d_input));
  return v;
}

// Creates a layer from its type and config (the inverse of type()/config()); throws Error.
// After the factory runs, make_layer applies the config's "name" and "trainable" keys when
// present, so factories need not.
LayerPtr make_layer(const std::string& type, const nlohmann::json& config);

// The make_layer registry. Each layer .cc registers its own type with a static registrar, so
// adding a layer touches no shared file:
//
//   namespace {
//   const LayerRegistrar kRegisterDense("Dense", [](const nlohmann::json& c) -> LayerPtr { ... });
//   }
//
// Keep the registrar in the same .cc as the layer's public factory (e.g. Dense()): the library
// is static, so the linker keeps that object file whenever a program uses the factory.
// Registering a type twice throws Error (at static initialization: a programming error).
using LayerFactory = LayerPtr (*)(const nlohmann::json& config);
void register_layer(const std::string& type, LayerFactory factory);
std::vector<std::string> registered_layer_types();  // sorted
struct LayerRegistrar {
  LayerRegistrar(const std::string& type, LayerFactory factory) { register_layer(type, factory); }
};

// Keras-style automatic names: "dense", then "dense_1", "dense_2", ... per prefix, per process.
std::string auto_layer_name(const std::string& prefix);

}  // namespace tinyforge::nn
