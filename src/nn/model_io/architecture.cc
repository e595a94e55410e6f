// The architecture as JSON (layer type/config via Layer::type()/config(), and the graph's
// connectivity), and a fresh model built back from it. Used by save/load and clone.
#include "nn/model_internal.h"
#include "tinyforge/error.h"

namespace tinyforge::nn {

nlohmann::json architecture_json(const Model& model) {
  nlohmann::json layers = nlohmann::json::array();
  std::map<const Layer*, size_t> layer_index;
  for (const auto& l : model.layers()) {
    layer_index[l.get()] = layers.size();
    layers.push_back({{"name", l->name()}, {"type", l->type()}, {"config", l->config()}, {"trainable", l->trainable()}});
  }
  std::map<const Node*, size_t> node_index;
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : model.nodes()) {
    node_index[n.get()] = nodes.size();
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& in : n->inputs) inputs.push_back(node_index.at(in.node.get()));
    nodes.push_back({{"layer", n->layer ? static_cast<int64_t>(layer_index.at(n->layer.get())) : -1},
                     {"inputs", inputs},
                     {"shape", n->shape},
                     {"input_name", n->input_name}});
  }
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& n : model.output_nodes()) outputs.push_back(node_index.at(n.get()));
  const bool sequential = dynamic_cast<const Sequential*>(&model) != nullptr;
  return {{"class", sequential ? "Sequential" : "Functional"},
          {"name", model.name()},
          {"num_inputs", model.input_nodes().size()},
          {"layers", layers},
          {"nodes", nodes},
          {"outputs", outputs}};
}

std::shared_ptr<Model> model_from_architecture(const nlohmann::json& arch) {
  std::vector<LayerPtr> layers;
  for (const auto& j : arch.at("layers")) {
    LayerPtr l = make_layer(j.at("type").get<std::string>(), j.at("config"));
    l->set_name(j.at("name").get<std::string>());
    l->set_trainable(j.at("trainable").get<bool>());
    layers.push_back(l);
  }
  const auto& nodes_j = arch.at("nodes");
  const auto num_inputs = arch.at("num_inputs").get<size_t>();
  if (num_inputs == 0 || num_inputs > nodes_j.size()) throw Error("model architecture: bad number of inputs");
  // Building fresh layers draws initial weights; keep the user's init stream where it was.
  const Rng saved = layer_init_rng();
  struct Restore {
    Rng r;
    ~Restore() { layer_init_rng() = r; }
  } restore{saved};

  const std::string name = arch.at("name").get<std::string>();
  if (arch.at("class") == "Sequential") {
    std::vector<LayerPtr> chain;
    for (size_t i = 1; i < nodes_j.size(); ++i) chain.push_back(layers.at(nodes_j[i].at("layer").get<size_t>()));
    return std::make_shared<Sequential>(nodes_j[0].at("shape").get<Shape>(), chain, name);
  }
  std::vector<SymbolicTensor> nodes, inputs, outputs;
  for (size_t i = 0; i < nodes_j.size(); ++i) {
    const auto& nj = nodes_j[i];
    const auto li = nj.at("layer").get<int64_t>();
    if (li < 0) {
      nodes.push_back(Input(nj.at("shape").get<Shape>(), nj.at("input_name").get<std::string>()));
      if (i < num_inputs) inputs.push_back(nodes.back());
      continue;
    }
    std::vector<SymbolicTensor> ins;
    for (const auto& k : nj.at("inputs")) {
      const auto idx = k.get<size_t>();
      if (idx >= i) throw Error("model architecture: node " + std::to_string(i) + " uses a later node");
      ins.push_back(nodes[idx]);
    }
    nodes.push_back(call(layers.at(static_cast<size_t>(li)), ins));
  }
  for (const auto& k : arch.at("outputs")) outputs.push_back(nodes.at(k.get<size_t>()));
  return std::make_shared<Model>(inputs, outputs, name);
}

}  // namespace tinyforge::nn
