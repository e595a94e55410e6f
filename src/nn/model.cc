// The model graph: symbolic construction (Input, call), topological order, forward that keeps
// every node's output, and backward that sums gradients where a tensor feeds several nodes.
#include "tinyforge/nn/model.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <set>
#include <unordered_map>

#include "nn/flush_denormals.h"
#include "nn/model_internal.h"
#include "nn/parallel_chunks.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {

namespace {

// Layers are initialized from this stream when first called (Keras builds on first call).
thread_local Rng g_init_rng{42};

std::string snake_case(const std::string& type) {
  std::string out;
  for (size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      // "Conv2D" -> "conv2d", "MaxPooling2D" -> "max_pooling2d"
      if (i > 0 && std::islower(static_cast<unsigned char>(type[i - 1]))) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// Sums gradients where a tensor fans out; the first one is moved in, not copied.
void add_into(Tensor& acc, Tensor&& g) {
  if (g.empty()) return;  // a gradient nobody needs (LayerCall::need_input_grad was false)
  if (acc.empty()) {
    acc = std::move(g);
    return;
  }
  float* a = acc.data();
  const float* b = g.data();
  for (int64_t i = 0; i < acc.size(); ++i) a[i] += b[i];
}

}  // namespace

void set_random_seed(uint64_t seed) {
  g_init_rng = Rng(seed);
}
Rng& layer_init_rng() {
  return g_init_rng;
}

Shape SymbolicTensor::shape() const {
  if (!node) throw Error("symbolic tensor is empty (not produced by Input() or a layer call)");
  return node->shape;
}

SymbolicTensor Input(Shape shape, std::string name) {
  for (int64_t d : shape) {
    if (d <= 0) throw Error("Input shape " + shape_str(shape) + " must have positive dimensions (no batch dimension)");
  }
  auto node = std::make_shared<Node>();
  node->shape = std::move(shape);
  node->input_name = std::move(name);
  return SymbolicTensor{node};
}

SymbolicTensor call(const LayerPtr& layer, const std::vector<SymbolicTensor>& inputs) {
  if (!layer) throw Error("call(): layer is null");
  if (inputs.empty()) throw Error("layer '" + layer->name() + "' (" + layer->type() + ") called on no inputs");
  std::vector<Shape> shapes;
  for (const auto& in : inputs) shapes.push_back(in.shape());
  auto node = std::make_shared<Node>();
  node->layer = layer;
  node->inputs = inputs;
  if (!layer->built()) {
    Rng rng = g_init_rng.fork();
    layer->build(shapes, rng);
    layer->mark_built();
  }
  node->shape = layer->output_shape(shapes);
  return SymbolicTensor{node};
}

Model::Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name)
    : name_(std::move(name)) {
  init_graph(std::move(inputs), std::move(outputs));
}

void Model::init_graph(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs) {
  if (inputs.empty()) throw Error("model '" + name_ + "' needs at least one input");
  if (outputs.empty()) throw Error("model '" + name_ + "' needs at least one output");
  nodes_.clear();
  input_nodes_.clear();
  output_nodes_.clear();
  layers_.clear();
  input_shapes_.clear();
  output_shapes_.clear();
  node_input_index_.clear();
  node_outputs_.clear();
  calls_.clear();

  std::unordered_map<const Node*, size_t> index;
  for (const auto& in : inputs) {
    if (!in.node || in.node->layer) throw Error("model '" + name_ + "': every model input must come from Input()");
    if (index.count(in.node.get())) throw Error("model '" + name_ + "': the same Input is passed twice");
    index[in.node.get()] = nodes_.size();
    nodes_.push_back(in.node);
    input_nodes_.push_back(in.node);
    input_shapes_.push_back(in.node->shape);
  }
  // Depth-first post-order from the outputs gives an order where every node follows its inputs.
  std::set<const Node*> on_stack;
  std::function<void(const std::shared_ptr<Node>&)> visit = [&](const std::shared_ptr<Node>& n) {
    if (index.count(n.get())) return;
    if (!n->layer) {
      const std::string nm = n->input_name.empty() ? "" : " '" + n->input_name + "'";
      throw Error("model '" + name_ + "': the graph uses an Input" + nm + " of shape " + shape_str(n->shape) +
                  " that is not among the model's inputs (graph disconnected)");
    }
    if (!on_stack.insert(n.get()).second) throw Error("model '" + name_ + "': the graph has a cycle");
    for (const auto& in : n->inputs) visit(in.node);
    on_stack.erase(n.get());
    index[n.get()] = nodes_.size();
    nodes_.push_back(n);
  };
  for (const auto& out : outputs) {
    if (!out.node) throw Error("model '" + name_ + "': an output is an empty symbolic tensor");
    visit(out.node);
    output_nodes_.push_back(out.node);
    output_shapes_.push_back(out.node->shape);
  }
  node_input_index_.resize(nodes_.size());
  std::set<const Layer*> seen;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const auto& in : nodes_[i]->inputs) node_input_index_[i].push_back(index.at(in.node.get()));
    const LayerPtr& l = nodes_[i]->layer;
    if (l && seen.insert(l.get()).second) layers_.push_back(l);
  }
  plan_fusion();
  // Keras gives unnamed layers "<snake_type>", "<snake_type>_1", ... unique within the model.
  std::set<std::string> names;
  for (const auto& l : layers_) {
    if (l->name().empty()) continue;
    if (!names.insert(l->name()).second)
      throw Error("model '" + name_ + "': two different layers are both named '" + l->name() +
                  "'; layer names must be unique");
  }
  for (const auto& l : layers_) {
    if (!l->name().empty()) continue;
    const std::string base = snake_case(l->type());
    std::string nm = base;
    for (int k = 1; names.count(nm); ++k) nm = base + "_" + std::to_string(k);
    names.insert(nm);
    l->set_name(nm);
  }
}

// An Activation node is fused into the node before it when it is that node's only consumer, the
// node is no model output (its own output is never materialized), and its layer says it can
// apply the activation itself.
void Model::plan_fusion() {
  std::vector<int> consumers(nodes_.size(), 0);
  for (const auto& ins : node_input_index_)
    for (size_t j : ins) ++consumers[j];
  for (const auto& out : output_nodes_)
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i] == out) ++consumers[i];
  fused_producer_.assign(nodes_.size(), kNotFused);
  fused_consumer_.assign(nodes_.size(), kNotFused);
  for (size_t i = input_nodes_.size(); i < nodes_.size(); ++i) {
    const ActivationFn* act = nodes_[i]->layer->as_activation();
    if (act == nullptr || node_input_index_[i].size() != 1) continue;
    const size_t p = node_input_index_[i][0];
    if (p < input_nodes_.size() || consumers[p] != 1 || !nodes_[p]->layer->can_fuse_activation(*act)) continue;
    fused_producer_[i] = p;
    fused_consumer_[p] = i;
  }
}

std::vector<std::pair<std::string, std::string>> Model::fused_activations() const {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (fused_producer_[i] != kNotFused)
      pairs.emplace_back(nodes_[fused_producer_[i]]->layer->name(), nodes_[i]->layer->name());
  return pairs;
}

namespace {
std::atomic<bool> g_layer_fusion{true};
}  // namespace

void set_layer_fusion(bool enabled) { g_layer_fusion = enabled; }
bool layer_fusion() { return g_layer_fusion; }

std::vector<Tensor> Model::forward(const std::vector<Tensor>& inputs, bool training) {
  return forward(std::vector<Tensor>(inputs), training);
}

std::vector<Tensor> Model::forward(std::vector<Tensor>&& inputs, bool training) {
  const ScopedFlushDenormals flush;
  if (inputs.size() != input_nodes_.size())
    throw Error("model '" + name_ + "' expects " + std::to_string(input_nodes_.size()) + " input(s), got " +
                std::to_string(inputs.size()));
  int64_t batch = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (x.rank() < 1 || x.sample_shape() != input_shapes_[i])
      throw Error("model '" + name_ + "' input " + std::to_string(i) + " has shape " + shape_str(x.shape()) +
                  "; expected (batch, " + shape_str(input_shapes_[i]).substr(1));
    if (batch >= 0 && x.dim(0) != batch)
      throw Error("model '" + name_ + "': inputs have different batch sizes (" + std::to_string(batch) + " and " +
                  std::to_string(x.dim(0)) + ")");
    batch = x.dim(0);
  }
  node_outputs_.assign(nodes_.size(), Tensor());
  calls_.assign(nodes_.size(), LayerCall());
  for (size_t i = 0; i < input_nodes_.size(); ++i) node_outputs_[i] = std::move(inputs[i]);
  const bool fuse = fused_last_forward_ = layer_fusion();
  for (size_t i = input_nodes_.size(); i < nodes_.size(); ++i) {
    Layer& layer = *nodes_[i]->layer;
    LayerCall& c = calls_[i];
    c.training = training;
    c.rng = &rng_;
    for (size_t j : node_input_index_[i]) c.inputs.push_back(&node_outputs_[j]);
    if (fuse && fused_producer_[i] != kNotFused) {
      // The producer has applied this activation already: take over its output.
      const size_t p = fused_producer_[i];
      node_outputs_[i] = std::move(node_outputs_[p]);
      c.output = &node_outputs_[i];
      calls_[p].output = &node_outputs_[i];
      continue;
    }
    if (fuse && fused_consumer_[i] != kNotFused)
      c.fused_activation = nodes_[fused_consumer_[i]]->layer->as_activation();
    node_outputs_[i] = layer.forward(c);
    c.output = &node_outputs_[i];
    Shape want = nodes_[i]->shape;
    want.insert(want.begin(), batch);
    if (node_outputs_[i].shape() != want)
      throw Error("layer '" + layer.name() + "' (" + layer.type() + ") returned shape " +
                  shape_str(node_outputs_[i].shape()) + " but declared " + shape_str(want));
  }
  std::vector<Tensor> out;
  for (const auto& n : output_nodes_) {
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i] == n) out.push_back(node_outputs_[i]);
  }
  return out;
}

void Model::backward(const std::vector<Tensor>& d_outputs) { backward(std::vector<Tensor>(d_outputs)); }

void Model::backward(std::vector<Tensor>&& d_outputs) {
  const ScopedFlushDenormals flush;
  if (d_outputs.size() != output_nodes_.size())
    throw Error("model '" + name_ + "' backward expects " + std::to_string(output_nodes_.size()) +
                " output gradient(s), got " + std::to_string(d_outputs.size()));
  if (calls_.size() != nodes_.size()) throw Error("model '" + name_ + "': backward() called before forward()");
  std::vector<Tensor> grads(nodes_.size());
  for (size_t k = 0; k < output_nodes_.size(); ++k) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i] != output_nodes_[k]) continue;
      if (d_outputs[k].shape() != node_outputs_[i].shape())
        throw Error("model '" + name_ + "': gradient for output " + std::to_string(k) + " has shape " +
                    shape_str(d_outputs[k].shape()) + ", output has " + shape_str(node_outputs_[i].shape()));
      add_into(grads[i], std::move(d_outputs[k]));  // the same node may be listed as two outputs
    }
  }
  // A node's gradient is needed when it or something upstream has weights to train; the
  // gradient of a model input never is (nodes_ lists every node after its inputs).
  std::vector<bool> grad_needed(nodes_.size(), false);
  for (size_t i = input_nodes_.size(); i < nodes_.size(); ++i) {
    const Layer& layer = *nodes_[i]->layer;
    bool needed = false;
    if (layer.trainable())
      for (const Param& p : layer.params()) needed = needed || p.trainable;
    for (size_t j : node_input_index_[i]) needed = needed || grad_needed[j];
    grad_needed[i] = needed;
  }
  for (size_t i = nodes_.size(); i-- > input_nodes_.size();) {
    if (grads[i].empty() || !grad_needed[i]) continue;  // reaches no output / updates nothing
    bool inputs_need = false;
    for (size_t j : node_input_index_[i]) inputs_need = inputs_need || grad_needed[j];
    calls_[i].need_input_grad = inputs_need;
    if (fused_last_forward_ && fused_producer_[i] != kNotFused) {  // the producer took d(activation)
      add_into(grads[fused_producer_[i]], std::move(grads[i]));
      grads[i] = Tensor();
      continue;
    }
    Layer& layer = *nodes_[i]->layer;
    std::vector<Tensor> d_in = layer.backward_consuming(calls_[i], std::move(grads[i]));
    grads[i] = Tensor();  // free as we go
    const auto& ins = node_input_index_[i];
    if (d_in.size() != ins.size())
      throw Error("layer '" + layer.name() + "' (" + layer.type() + ") backward returned " +
                  std::to_string(d_in.size()) + " gradients for " + std::to_string(ins.size()) + " inputs");
    for (size_t j = 0; j < ins.size(); ++j) {
      if (ins[j] < input_nodes_.size()) continue;   // nothing upstream of a model input
      add_into(grads[ins[j]], std::move(d_in[j]));  // fan-out: a tensor used twice gets both gradients
    }
  }
}

void Model::zero_grads() {
  std::vector<Param*> ps;
  std::vector<int64_t> sizes;
  for (const auto& l : layers_)
    for (Param& p : l->params()) {
      if (p.grad.shape() != p.value.shape()) p.grad = Tensor::for_overwrite(p.value.shape());
      ps.push_back(&p);
      sizes.push_back(p.grad.size());
    }
  // One pass over all gradients, split between threads.
  for_chunks_of_all(sizes, [&](size_t k, int64_t i0, int64_t i1) {
    std::fill(ps[k]->grad.data() + i0, ps[k]->grad.data() + i1, 0.0f);
  });
}

LayerPtr Model::layer(const std::string& name) const {
  for (const auto& l : layers_)
    if (l->name() == name) return l;
  std::string known;
  for (const auto& l : layers_) known += (known.empty() ? "" : ", ") + l->name();
  throw Error("model '" + name_ + "' has no layer named '" + name + "' (layers: " + known + ")");
}

Sequential::Sequential(Shape input_shape, std::vector<LayerPtr> layers, std::string name)
    : input_shape_(std::move(input_shape)), chain_(std::move(layers)) {
  name_ = std::move(name);
  rebuild();
}

void Sequential::add(LayerPtr layer) {
  chain_.push_back(std::move(layer));
  try {
    rebuild();
  } catch (...) {
    chain_.pop_back();
    rebuild();
    throw;
  }
}

void Sequential::rebuild() {
  SymbolicTensor in = Input(input_shape_);
  SymbolicTensor x = in;
  for (const auto& l : chain_) x = call(l, {x});
  init_graph({in}, {x});
}

}  // namespace tinyforge::nn
