// Bookkeeping for lowering: node indices and consumers, constants, ops and their versions.
#include "convert/lower/lower_context.h"

#include <cstring>

#include "tinyforge/error.h"

namespace tinyforge::convert::lower {

Context::Context(const nn::Model& m, const LowerOptions& o) : model(m), options(o) {
  const auto& nodes = model.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) index_[nodes[i].get()] = i;
  values_.resize(nodes.size());
  consumers_.assign(nodes.size(), 0);
  is_output_.assign(nodes.size(), false);
  single_consumer_.assign(nodes.size(), -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& in : nodes[i]->inputs) {
      const size_t src = node_index(in.node.get());
      ++consumers_[src];
      single_consumer_[src] = consumers_[src] == 1 ? static_cast<int64_t>(i) : -1;
    }
  }
  for (const auto& out : model.output_nodes()) is_output_[node_index(out.get())] = true;
}

size_t Context::node_index(const nn::Node* node) const {
  auto it = index_.find(node);
  if (it == index_.end()) throw Error("lowering: the model graph refers to a node outside the model");
  return it->second;
}

int64_t Context::single_consumer(size_t i) const {
  return consumers_[i] == 1 ? single_consumer_[i] : -1;
}

size_t Context::input_node(size_t i, size_t k) const {
  return node_index(node(i).inputs.at(k).node.get());
}

const Value& Context::input_raw(size_t i, size_t k) {
  const Value& v = values_[input_node(i, k)];
  if (v.tensor < 0) throw Error("lowering: node " + std::to_string(i) + " reads a value that was not lowered yet");
  return v;
}

const Value& Context::input(size_t i, size_t k) {
  const size_t src = input_node(i, k);
  if (values_[src].has_affine) {
    const std::string name = graph.tensors[static_cast<size_t>(values_[src].tensor)].name;
    values_[src] = materialize(values_[src], name);
  }
  return input_raw(i, k);
}

int32_t Context::add_const_f32(const std::string& name, std::vector<int32_t> shape, const std::vector<float>& values) {
  GraphTensor t;
  t.name = name;
  t.type = TensorType::kFloat32;
  t.shape = std::move(shape);
  write_f32(t, values);
  return add_tensor(std::move(t));
}

int32_t Context::add_const_i32(const std::string& name, std::vector<int32_t> shape,
                               const std::vector<int32_t>& values) {
  GraphTensor t;
  t.name = name;
  t.type = TensorType::kInt32;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(int32_t));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return add_tensor(std::move(t));
}

int32_t Context::add_activation(const std::string& name, std::vector<int32_t> shape) {
  GraphTensor t;
  t.name = name;
  t.type = TensorType::kFloat32;
  t.shape = std::move(shape);
  return add_tensor(std::move(t));
}

int32_t Context::add_tensor(GraphTensor t) {
  const int uses = name_uses_[t.name]++;
  if (uses > 0) {
    // Appended in two steps: GCC 12 warns falsely (-Wrestrict) on "_" + std::to_string().
    t.name += '_';
    t.name += std::to_string(uses);
  }
  return graph.add_tensor(std::move(t));
}

int32_t Context::emit(int32_t builtin, std::vector<int32_t> inputs, std::vector<int32_t> outputs, OpOptions opt) {
  GraphOp op;
  op.builtin = builtin;
  op.version = float_op_version(builtin, opt);
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options = std::move(opt);
  return graph.add_op(std::move(op));
}

Value Context::materialize(const Value& v, const std::string& name) {
  if (!v.has_affine) return v;
  Value out = v;
  out.has_affine = false;
  out.producer_op = -1;
  auto is_all = [](const std::vector<float>& xs, float want) {
    for (float x : xs) {
      if (x != want) return false;
    }
    return true;
  };
  struct Step {
    const std::vector<float>* values;
    float identity;
    int32_t builtin;
    const char* suffix;
  };
  const Step steps[] = {{&v.affine.center, 0.0f, micro::op::kSub, "/mean"},
                        {&v.affine.scale, 1.0f, micro::op::kMul, "/scale"},
                        {&v.affine.shift, 0.0f, micro::op::kAdd, "/offset"}};
  int last = -1;
  for (int k = 0; k < 3; ++k) {
    if (!is_all(*steps[k].values, steps[k].identity)) last = k;
  }
  for (int k = 0; k <= last; ++k) {
    const std::vector<float>& vals = *steps[k].values;
    if (is_all(vals, steps[k].identity)) continue;
    const int32_t c = add_const_f32(name + steps[k].suffix, {static_cast<int32_t>(vals.size())}, vals);
    const int32_t y = add_activation(k == last ? name : name + steps[k].suffix + "_out", v.shape);
    out.producer_op = emit(steps[k].builtin, {out.tensor, c}, {y});
    out.tensor = y;
  }
  return out;
}

std::string Context::describe(const nn::Layer& layer) {
  return layer.type() + " '" + layer.name() + "'";
}

std::vector<float> read_f32(const GraphTensor& t) {
  std::vector<float> v(t.data.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), t.data.data(), v.size() * sizeof(float));
  return v;
}

void write_f32(GraphTensor& t, const std::vector<float>& values) {
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
}

int32_t float_op_version(int32_t builtin, const OpOptions& o) {
  if (builtin == micro::op::kFullyConnected && o.keep_num_dims) return 5;
  if (builtin == micro::op::kDepthwiseConv2D && (o.dilation_w != 1 || o.dilation_h != 1)) return 2;
  return 1;
}

std::vector<int32_t> with_batch(const nn::Shape& sample) {
  std::vector<int32_t> s{1};
  for (int64_t d : sample) s.push_back(static_cast<int32_t>(d));
  return s;
}

}  // namespace tinyforge::convert::lower
