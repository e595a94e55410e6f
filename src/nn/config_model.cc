// Building a model from the "model" object of a config (see config_training.h): Sequential or
// Functional, every layer through the layer registry, errors naming the config key.
#include <algorithm>
#include <map>
#include <optional>

#include "nn/config_json.h"
#include "tinyforge/nn/config_training.h"

namespace tinyforge::nn {
namespace {

using namespace config_json;

// The per-model Keras-style name for a layer the config left unnamed ("dense", "dense_1", ...),
// taken from the layer's own prefix. Naming per model (not per process) keeps a config's saved
// file identical however many models the process built before.
std::string model_local_name(const Layer& layer, std::map<std::string, int>& used) {
  std::string prefix = layer.name();
  const auto us = prefix.find_last_of('_');
  if (us != std::string::npos && us + 1 < prefix.size() &&
      std::all_of(prefix.begin() + static_cast<long>(us) + 1, prefix.end(),
                  [](char ch) { return ch >= '0' && ch <= '9'; }))
    prefix.resize(us);
  const int n = used[prefix]++;
  return n == 0 ? prefix : prefix + "_" + std::to_string(n);
}

// make_layer from a config layer dict; the keys outside the layer's own config() are typos.
LayerPtr layer_from_dict(const json& dict, const std::string& key, const std::vector<std::string>& extra_keys,
                         std::map<std::string, int>& names) {
  get_object(dict, key);
  if (!dict.contains("type")) fail(key + ".type", "missing (a Keras layer class name such as \"Dense\")");
  const std::string type = get_string(dict["type"], key + ".type");
  json config = dict;
  config.erase("type");
  for (const auto& k : extra_keys) config.erase(k);
  LayerPtr layer;
  try {
    layer = make_layer(type, config);
  } catch (const Error& e) {
    const auto types = registered_layer_types();
    if (std::find(types.begin(), types.end(), type) == types.end()) fail(key + ".type", e.what());
    fail(key + " (" + type + ")", e.what());
  }
  // activation_alpha: config() states it only when it differs from the default.
  std::vector<std::string> known{"type", "name", "trainable", "activation_alpha"};
  known.insert(known.end(), extra_keys.begin(), extra_keys.end());
  const json own = layer->config();
  for (const auto& [k, v] : own.items()) known.push_back(k);
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  check_keys(dict, key, known);
  if (!dict.contains("name")) layer->set_name(model_local_name(*layer, names));
  return layer;
}

SymbolicTensor call_checked(const LayerPtr& layer, const std::vector<SymbolicTensor>& inputs, const std::string& key) {
  try {
    return call(layer, inputs);
  } catch (const Error& e) {
    fail(key + " (" + layer->type() + " '" + layer->name() + "')", e.what());
  }
}

std::shared_ptr<Model> build_sequential(const json& m, const std::optional<Shape>& data_shape) {
  check_keys(m, "model", {"type", "name", "input_shape", "layers"});
  if (!m.contains("layers") || !m["layers"].is_array() || m["layers"].empty())
    fail("model.layers", "expected a non-empty list of layer objects");
  const json& layers_j = m["layers"];
  std::optional<Shape> input_shape;
  if (m.contains("input_shape")) input_shape = get_shape(m["input_shape"], "model.input_shape");
  if (layers_j[0].is_object() && layers_j[0].contains("input_shape")) {
    if (input_shape) fail("model.layers[0].input_shape", "given twice (also as model.input_shape)");
    input_shape = get_shape(layers_j[0]["input_shape"], "model.layers[0].input_shape");
  }
  if (!input_shape) input_shape = data_shape;
  if (!input_shape) fail("model.input_shape", "missing (the per-sample input shape, e.g. [28, 28, 1])");

  std::map<std::string, int> names;
  std::vector<LayerPtr> layers;
  SymbolicTensor x = Input(*input_shape);
  for (size_t i = 0; i < layers_j.size(); ++i) {
    const std::string key = "model.layers[" + std::to_string(i) + "]";
    layers.push_back(layer_from_dict(
        layers_j[i], key, i == 0 ? std::vector<std::string>{"input_shape"} : std::vector<std::string>{}, names));
    // Calling each layer here (it builds once) lets a shape error name its place in the list.
    x = call_checked(layers.back(), {x}, key);
  }
  const std::string name = m.contains("name") ? get_string(m["name"], "model.name") : "sequential";
  return std::make_shared<Sequential>(*input_shape, layers, name);
}

// {"type": "functional", "inputs": [{"name": "img", "shape": [...]}], "layers": [{..., "name": "c1",
//  "inputs": ["img"]}, ...], "outputs": ["c1"]}. A layer without "inputs" takes the previous node.
std::shared_ptr<Model> build_functional(const json& m, const std::optional<Shape>& data_shape) {
  check_keys(m, "model", {"type", "name", "inputs", "layers", "outputs"});
  if (!m.contains("inputs") || !m["inputs"].is_array() || m["inputs"].empty())
    fail("model.inputs", "expected a non-empty list like [{\"name\": \"image\", \"shape\": [28, 28, 1]}]");
  if (!m.contains("layers") || !m["layers"].is_array() || m["layers"].empty())
    fail("model.layers", "expected a non-empty list of layer objects");
  std::map<std::string, SymbolicTensor> nodes;
  std::vector<SymbolicTensor> inputs;
  const json& ins = m["inputs"];
  for (size_t i = 0; i < ins.size(); ++i) {
    const std::string key = "model.inputs[" + std::to_string(i) + "]";
    get_object(ins[i], key);
    check_keys(ins[i], key, {"name", "shape"});
    const std::string name =
        ins[i].contains("name") ? get_string(ins[i]["name"], key + ".name") : "input_" + std::to_string(i);
    std::optional<Shape> shape;
    if (ins[i].contains("shape")) shape = get_shape(ins[i]["shape"], key + ".shape");
    if (!shape && ins.size() == 1) shape = data_shape;
    if (!shape) fail(key + ".shape", "missing (the per-sample input shape)");
    if (nodes.count(name)) fail(key + ".name", "'" + name + "' is used twice");
    inputs.push_back(Input(*shape, name));
    nodes[name] = inputs.back();
  }
  std::map<std::string, int> names;
  SymbolicTensor previous = inputs.back();
  const json& layers_j = m["layers"];
  for (size_t i = 0; i < layers_j.size(); ++i) {
    const std::string key = "model.layers[" + std::to_string(i) + "]";
    LayerPtr layer = layer_from_dict(layers_j[i], key, {"inputs"}, names);
    if (nodes.count(layer->name())) fail(key + ".name", "'" + layer->name() + "' is used twice");
    std::vector<SymbolicTensor> args;
    if (layers_j[i].contains("inputs")) {
      const json& a = layers_j[i]["inputs"];
      if (!a.is_array() || a.empty()) fail(key + ".inputs", "expected a list of earlier input or layer names");
      for (const auto& n : a) {
        const std::string name = get_string(n, key + ".inputs");
        auto it = nodes.find(name);
        if (it == nodes.end()) fail(key + ".inputs", "no input or earlier layer is named '" + name + "'");
        args.push_back(it->second);
      }
    } else {
      args.push_back(previous);
    }
    previous = call_checked(layer, args, key);
    nodes[layer->name()] = previous;
  }
  std::vector<SymbolicTensor> outputs;
  if (m.contains("outputs")) {
    if (!m["outputs"].is_array() || m["outputs"].empty()) fail("model.outputs", "expected a list of layer names");
    for (const auto& n : m["outputs"]) {
      const std::string name = get_string(n, "model.outputs");
      auto it = nodes.find(name);
      if (it == nodes.end()) fail("model.outputs", "no layer is named '" + name + "'");
      outputs.push_back(it->second);
    }
  } else {
    outputs.push_back(previous);
  }
  const std::string name = m.contains("name") ? get_string(m["name"], "model.name") : "model";
  try {
    return std::make_shared<Model>(inputs, outputs, name);
  } catch (const Error& e) {
    fail("model", e.what());
  }
}
}  // namespace

std::shared_ptr<Model> build_model_from_config(const json& model, uint64_t seed,
                                               const std::optional<Shape>& data_shape) {
  get_object(model, "model");
  set_random_seed(seed);
  const std::string type = model.contains("type") ? get_string(model["type"], "model.type") : "sequential";
  if (type == "sequential") return build_sequential(model, data_shape);
  if (type == "functional") return build_functional(model, data_shape);
  fail("model.type", "unknown model type '" + type + "' (known: sequential, functional)");
}

}  // namespace tinyforge::nn
