// Models: a directed acyclic graph of layer calls (Functional), with Sequential as the
// special case of a chain. Keras vocabulary:
//
//   auto in = nn::Input({28, 28, 1});
//   auto x = nn::Conv2D(32, 3, {.activation = "relu"})(in);
//   auto out = nn::Dense(10)(nn::Flatten()(x));
//   nn::Model model({in}, {out});
//
//   nn::Sequential seq({nn::Input({28, 28, 1}), nn::Flatten(), nn::Dense(10)});
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// A symbolic tensor: the output of a layer call in a graph being described.
struct Node;
struct SymbolicTensor {
  std::shared_ptr<Node> node;
  Shape shape() const;  // per sample
};

struct Node {
  LayerPtr layer;                      // null for an Input
  std::vector<SymbolicTensor> inputs;  // what the layer was called on
  Shape shape;                         // per-sample output shape
  std::string input_name;              // for Input nodes
};

SymbolicTensor Input(Shape shape, std::string name = "");
// Calls a layer on symbolic inputs (builds it on first use).
SymbolicTensor call(const LayerPtr& layer, const std::vector<SymbolicTensor>& inputs);
// Seeds the stream that call() builds (initializes) layers from, as keras.utils.set_random_seed:
// the same seed followed by the same model code gives the same initial weights (per thread).
void set_random_seed(uint64_t seed);

// Whether models fuse an Activation layer into the layer before it where that layer can apply it
// itself (Layer::can_fuse_activation: BatchNormalization + ReLU or ReLU6). On by default. The
// results are the same bytes either way; off is for tests and profiling. Process-wide.
void set_layer_fusion(bool enabled);
bool layer_fusion();

class Model {
 public:
  Model() = default;
  Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name = "model");
  virtual ~Model() = default;

  // Forward on batches (one tensor per model input); returns one tensor per output.
  std::vector<Tensor> forward(const std::vector<Tensor>& inputs, bool training);
  // The same, taking the inputs over instead of copying them (the model keeps them until the
  // next forward: layers' backward passes read them).
  std::vector<Tensor> forward(std::vector<Tensor>&& inputs, bool training);
  // Backward after a training forward: dL/d(outputs) -> accumulates Param grads.
  void backward(const std::vector<Tensor>& d_outputs);
  void backward(std::vector<Tensor>&& d_outputs);  // the same, consuming the gradients
  void zero_grads();

  // Layers in topological order (each shared layer once).
  const std::vector<LayerPtr>& layers() const { return layers_; }
  LayerPtr layer(const std::string& name) const;
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  const std::vector<Shape>& output_shapes() const { return output_shapes_; }
  const std::string& name() const { return name_; }

  // Graph nodes in execution order (inputs first).
  const std::vector<std::shared_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<std::shared_ptr<Node>>& input_nodes() const { return input_nodes_; }
  const std::vector<std::shared_ptr<Node>>& output_nodes() const { return output_nodes_; }

  // The (layer, activation layer) pairs whose activation the layer applies itself when layer
  // fusion is on (see set_layer_fusion), by layer name, in execution order.
  std::vector<std::pair<std::string, std::string>> fused_activations() const;

  void set_seed(uint64_t seed) { rng_ = Rng(seed); }
  Rng& rng() { return rng_; }

  // --- Keras training API (src/nn/training/) ---
  void compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
               std::vector<std::shared_ptr<Metric>> metrics = {});
  History fit(const std::vector<Tensor>& x, const std::vector<Tensor>& y, const FitOptions& options = {});
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {}) { return fit(std::vector<Tensor>{x}, std::vector<Tensor>{y}, options); }
  Logs evaluate(const std::vector<Tensor>& x, const std::vector<Tensor>& y, int64_t batch_size = 32);
  Logs evaluate(const Tensor& x, const Tensor& y, int64_t batch_size = 32) { return evaluate(std::vector<Tensor>{x}, std::vector<Tensor>{y}, batch_size); }
  std::vector<Tensor> predict(const std::vector<Tensor>& x, int64_t batch_size = 32);
  Tensor predict(const Tensor& x, int64_t batch_size = 32) { return predict(std::vector<Tensor>{x}, batch_size)[0]; }
  std::shared_ptr<Optimizer> optimizer() const { return optimizer_; }
  std::shared_ptr<Loss> loss() const { return loss_; }
  const std::vector<std::shared_ptr<Metric>>& metrics() const { return metrics_; }
  bool stop_training = false;

  // --- weights, summary, persistence (src/nn/model_io/) ---
  std::vector<Tensor> get_weights() const;  // every Param of every layer, in layer order
  void set_weights(const std::vector<Tensor>& weights);  // throws Error on count/shape mismatch
  // The table Keras prints, plus per-layer float32/int8 bytes and MACs, and totals with
  // estimates of int8 flash and peak activation RAM.
  std::string summary() const;
  int64_t count_params(bool trainable_only = false) const;
  // One versioned file: architecture, weights, optimizer state. Written atomically.
  void save(const std::string& path) const;
  static std::shared_ptr<Model> load(const std::string& path);  // throws Error on bad/truncated files
  std::shared_ptr<Model> clone() const;  // same architecture and weights, fresh layers

 protected:
  void init_graph(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs);
  void plan_fusion();

  std::string name_ = "model";
  std::vector<std::shared_ptr<Node>> nodes_;
  std::vector<std::shared_ptr<Node>> input_nodes_;
  std::vector<std::shared_ptr<Node>> output_nodes_;
  std::vector<LayerPtr> layers_;
  std::vector<Shape> input_shapes_;
  std::vector<Shape> output_shapes_;
  // Per node, the state of the last forward (outputs and layer call records).
  std::vector<Tensor> node_outputs_;
  std::vector<LayerCall> calls_;
  Rng rng_{42};
  std::shared_ptr<Optimizer> optimizer_;
  std::shared_ptr<Loss> loss_;
  std::vector<std::shared_ptr<Metric>> metrics_;
  // Per node, the indices (into nodes_) of its inputs.
  std::vector<std::vector<size_t>> node_input_index_;
  // Activation nodes their producer can apply (plan_fusion): per such node its producer's index,
  // and per producer the activation node's.
  static constexpr size_t kNotFused = static_cast<size_t>(-1);
  std::vector<size_t> fused_producer_, fused_consumer_;
  // Whether the last forward fused them (set_layer_fusion may change between calls).
  bool fused_last_forward_ = false;
};

class Sequential : public Model {
 public:
  // The first element must be an Input layer placeholder created with InputLayer(shape).
  explicit Sequential(Shape input_shape, std::vector<LayerPtr> layers = {}, std::string name = "sequential");
  void add(LayerPtr layer);

 private:
  void rebuild();
  Shape input_shape_;
  std::vector<LayerPtr> chain_;
};

}  // namespace tinyforge::nn
