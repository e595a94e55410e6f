#include "tinyforge/nn/layer.h"

#include <map>
#include <mutex>

#include "tinyforge/error.h"

namespace tinyforge::nn {
namespace {

// Function-local statics: registrars in other translation units run during static
// initialization, in an order we do not control, so the table must exist on first use.
std::map<std::string, LayerFactory>& registry() {
  static std::map<std::string, LayerFactory> table;
  return table;
}
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

Param* Layer::param(const std::string& name) {
  for (auto& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Param& Layer::add_param(const std::string& name, Tensor value, bool trainable) {
  if (param(name) != nullptr) throw Error("layer '" + name_ + "' already has a weight named '" + name + "'");
  Param p;
  p.name = name;
  p.grad = Tensor(value.shape());
  p.value = std::move(value);
  p.trainable = trainable;
  params_.push_back(std::move(p));
  return params_.back();
}

void register_layer(const std::string& type, LayerFactory factory) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto& table = registry();
  if (!table.emplace(type, factory).second) throw Error("layer type '" + type + "' is registered twice");
}

std::vector<std::string> registered_layer_types() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> types;
  for (const auto& [type, factory] : registry()) types.push_back(type);
  return types;
}

LayerPtr make_layer(const std::string& type, const nlohmann::json& config) {
  LayerFactory factory = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    auto it = registry().find(type);
    if (it != registry().end()) factory = it->second;
  }
  if (factory == nullptr) {
    std::string known;
    for (const auto& t : registered_layer_types()) known += (known.empty() ? "" : ", ") + t;
    throw Error("unknown layer type '" + type + "' (registered: " + known + ")");
  }
  LayerPtr layer;
  try {
    layer = factory(config);
  } catch (const nlohmann::json::exception& e) {
    throw Error("bad config for layer type '" + type + "': " + e.what() + " in " + config.dump());
  }
  if (config.contains("name") && config["name"].is_string()) layer->set_name(config["name"].get<std::string>());
  if (config.contains("trainable") && config["trainable"].is_boolean()) {
    layer->set_trainable(config["trainable"].get<bool>());
  }
  return layer;
}

std::string auto_layer_name(const std::string& prefix) {
  static std::mutex m;
  static std::map<std::string, int> counts;
  std::lock_guard<std::mutex> lock(m);
  const int n = counts[prefix]++;
  return n == 0 ? prefix : prefix + "_" + std::to_string(n);
}

}  // namespace tinyforge::nn
