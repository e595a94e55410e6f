// Internals shared by the model's files (graph, persistence, clone); not a public API.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "tinyforge/nn/model.h"

namespace tinyforge::nn {

// The stream call() initializes new layers from (seeded by set_random_seed).
Rng& layer_init_rng();

// The model's architecture as JSON: layers (type, config, name, trainable) and the graph.
nlohmann::json architecture_json(const Model& model);
// A new model from architecture_json(): fresh layers from make_layer(), initialized without
// disturbing layer_init_rng() (their weights are meant to be overwritten).
std::shared_ptr<Model> model_from_architecture(const nlohmann::json& arch);

}  // namespace tinyforge::nn
