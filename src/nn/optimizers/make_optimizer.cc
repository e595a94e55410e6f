// Optimizers by Keras name, and their JSON form for save/load.
#include <algorithm>
#include <cctype>

#include "tinyforge/error.h"
#include "tinyforge/nn/optimizers.h"

namespace tinyforge::nn {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

template <typename O>
void read_common(O& o, const nlohmann::json& c) {
  o.learning_rate = c.value("learning_rate", o.learning_rate);
  o.weight_decay = c.value("weight_decay", o.weight_decay);
  o.clipvalue = c.value("clipvalue", 0.0);
  o.clipnorm = c.value("clipnorm", 0.0);
  o.global_clipnorm = c.value("global_clipnorm", 0.0);
}

}  // namespace

std::shared_ptr<Optimizer> make_optimizer(const std::string& name, std::optional<double> learning_rate) {
  const std::string n = lower(name);
  std::shared_ptr<Optimizer> opt;
  if (n == "sgd")
    opt = std::make_shared<SGD>();
  else if (n == "adam")
    opt = std::make_shared<Adam>();
  else if (n == "adamw")
    opt = std::make_shared<AdamW>();
  else if (n == "rmsprop")
    opt = std::make_shared<RMSprop>();
  else
    throw Error("unknown optimizer '" + name + "'; known: sgd, adam, adamw, rmsprop");
  if (learning_rate) opt->set_learning_rate(*learning_rate);
  return opt;
}

nlohmann::json optimizer_to_json(const Optimizer& opt) {
  nlohmann::json c;
  c["learning_rate"] = opt.learning_rate();
  c["clipvalue"] = opt.clipvalue;
  c["clipnorm"] = opt.clipnorm;
  c["global_clipnorm"] = opt.global_clipnorm;
  if (auto* o = dynamic_cast<const SGD*>(&opt)) {
    c["momentum"] = o->options().momentum;
    c["nesterov"] = o->options().nesterov;
    c["weight_decay"] = o->options().weight_decay;
  } else if (auto* o = dynamic_cast<const Adam*>(&opt)) {  // also AdamW
    c["beta_1"] = o->options().beta_1;
    c["beta_2"] = o->options().beta_2;
    c["epsilon"] = o->options().epsilon;
    c["amsgrad"] = o->options().amsgrad;
    c["weight_decay"] = o->options().weight_decay;
  } else if (auto* o = dynamic_cast<const RMSprop*>(&opt)) {
    c["rho"] = o->options().rho;
    c["momentum"] = o->options().momentum;
    c["epsilon"] = o->options().epsilon;
    c["centered"] = o->options().centered;
    c["weight_decay"] = o->options().weight_decay;
  } else {
    throw Error("optimizer '" + opt.name() + "' is a custom optimizer and cannot be saved");
  }
  return {{"class_name", opt.name()}, {"config", c}};
}

std::shared_ptr<Optimizer> optimizer_from_json(const nlohmann::json& j) {
  try {
    const std::string cls = j.at("class_name").get<std::string>();
    const nlohmann::json c = j.value("config", nlohmann::json::object());
    if (cls == "SGD") {
      SGDOptions o;
      read_common(o, c);
      o.momentum = c.value("momentum", o.momentum);
      o.nesterov = c.value("nesterov", o.nesterov);
      return std::make_shared<SGD>(o);
    }
    if (cls == "Adam" || cls == "AdamW") {
      AdamWOptions o;
      if (cls == "Adam") o.weight_decay = 0.0;
      read_common(o, c);
      o.beta_1 = c.value("beta_1", o.beta_1);
      o.beta_2 = c.value("beta_2", o.beta_2);
      o.epsilon = c.value("epsilon", o.epsilon);
      o.amsgrad = c.value("amsgrad", o.amsgrad);
      // AdamW is Adam with weight decay; the class name is kept for a faithful round trip.
      if (cls == "AdamW") return std::make_shared<AdamW>(o);
      return std::make_shared<Adam>(AdamOptions{.learning_rate = o.learning_rate,
                                                .beta_1 = o.beta_1,
                                                .beta_2 = o.beta_2,
                                                .epsilon = o.epsilon,
                                                .amsgrad = o.amsgrad,
                                                .weight_decay = o.weight_decay,
                                                .clipvalue = o.clipvalue,
                                                .clipnorm = o.clipnorm,
                                                .global_clipnorm = o.global_clipnorm});
    }
    if (cls == "RMSprop") {
      RMSpropOptions o;
      read_common(o, c);
      o.rho = c.value("rho", o.rho);
      o.momentum = c.value("momentum", o.momentum);
      o.epsilon = c.value("epsilon", o.epsilon);
      o.centered = c.value("centered", o.centered);
      return std::make_shared<RMSprop>(o);
    }
    throw Error("unknown optimizer class '" + cls + "' in saved config; known: SGD, Adam, AdamW, RMSprop");
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bad optimizer config: ") + e.what());
  }
}

}  // namespace tinyforge::nn
