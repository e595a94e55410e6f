// Losses by Keras name, and their JSON form for save/load.
#include <algorithm>
#include <cctype>

#include "tinyforge/error.h"
#include "tinyforge/nn/losses.h"

namespace tinyforge::nn {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

std::shared_ptr<Loss> make_loss(const std::string& name, bool from_logits) {
  const std::string n = lower(name);
  if (n == "sparse_categorical_crossentropy" || n == "sparsecategoricalcrossentropy")
    return std::make_shared<SparseCategoricalCrossentropy>(from_logits);
  if (n == "categorical_crossentropy" || n == "categoricalcrossentropy")
    return std::make_shared<CategoricalCrossentropy>(from_logits);
  if (n == "binary_crossentropy" || n == "binarycrossentropy" || n == "bce")
    return std::make_shared<BinaryCrossentropy>(from_logits);
  if (n == "mean_squared_error" || n == "meansquarederror" || n == "mse") return std::make_shared<MeanSquaredError>();
  if (n == "mean_absolute_error" || n == "meanabsoluteerror" || n == "mae")
    return std::make_shared<MeanAbsoluteError>();
  if (n == "huber" || n == "huber_loss") return std::make_shared<Huber>();
  if (n == "kl_divergence" || n == "kld" || n == "kullback_leibler_divergence" || n == "kldivergence")
    return std::make_shared<KLDivergence>();
  throw Error("unknown loss '" + name +
              "'; known: sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, "
              "mean_squared_error (mse), mean_absolute_error (mae), huber, kl_divergence (kld)");
}

nlohmann::json loss_to_json(const Loss& loss) {
  nlohmann::json config = nlohmann::json::object();
  std::string cls;
  if (auto* l = dynamic_cast<const SparseCategoricalCrossentropy*>(&loss)) {
    cls = "SparseCategoricalCrossentropy";
    config["from_logits"] = l->from_logits();
  } else if (auto* l = dynamic_cast<const CategoricalCrossentropy*>(&loss)) {
    cls = "CategoricalCrossentropy";
    config["from_logits"] = l->from_logits();
    config["label_smoothing"] = l->label_smoothing();
  } else if (auto* l = dynamic_cast<const BinaryCrossentropy*>(&loss)) {
    cls = "BinaryCrossentropy";
    config["from_logits"] = l->from_logits();
    config["label_smoothing"] = l->label_smoothing();
  } else if (dynamic_cast<const MeanSquaredError*>(&loss)) {
    cls = "MeanSquaredError";
  } else if (dynamic_cast<const MeanAbsoluteError*>(&loss)) {
    cls = "MeanAbsoluteError";
  } else if (auto* l = dynamic_cast<const Huber*>(&loss)) {
    cls = "Huber";
    config["delta"] = l->delta();
  } else if (dynamic_cast<const KLDivergence*>(&loss)) {
    cls = "KLDivergence";
  } else {
    throw Error("loss '" + loss.name() + "' is a custom loss and cannot be saved; save the weights only");
  }
  return {{"class_name", cls}, {"config", config}};
}

std::shared_ptr<Loss> loss_from_json(const nlohmann::json& j) {
  try {
    const std::string cls = j.at("class_name").get<std::string>();
    const nlohmann::json c = j.value("config", nlohmann::json::object());
    const bool logits = c.value("from_logits", false);
    const double smoothing = c.value("label_smoothing", 0.0);
    if (cls == "SparseCategoricalCrossentropy") return std::make_shared<SparseCategoricalCrossentropy>(logits);
    if (cls == "CategoricalCrossentropy") return std::make_shared<CategoricalCrossentropy>(logits, smoothing);
    if (cls == "BinaryCrossentropy") return std::make_shared<BinaryCrossentropy>(logits, smoothing);
    if (cls == "MeanSquaredError") return std::make_shared<MeanSquaredError>();
    if (cls == "MeanAbsoluteError") return std::make_shared<MeanAbsoluteError>();
    if (cls == "Huber") return std::make_shared<Huber>(c.value("delta", 1.0));
    if (cls == "KLDivergence") return std::make_shared<KLDivergence>();
    throw Error("unknown loss class '" + cls + "' in saved config");
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bad loss config: ") + e.what());
  }
}

}  // namespace tinyforge::nn
