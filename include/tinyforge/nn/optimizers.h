// Optimizers with Keras 3's update rules and defaults. Each apply() does, as Keras 3:
// clip the gradients (clipvalue | clipnorm | global_clipnorm), decay the weights when
// weight_decay > 0 (w -= w * weight_decay * lr, decoupled), run the update with the
// learning rate of the current step, then count the step.
//
// Slots (moment estimates) are one tensor per trainable param, in the order apply() receives
// them; state()/set_state() expose them under Keras' slot names plus "iterations" and
// "learning_rate" (each a double stored as two floats: hi + lo).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// Options are plain aggregates for designated initializers: SGD({.learning_rate = 0.1,
// .momentum = 0.9}). weight_decay and the clip fields are Keras' base optimizer arguments.
struct SGDOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  double clipvalue = 0.0, clipnorm = 0.0, global_clipnorm = 0.0;
};

// m = momentum * m - lr * g;  w += nesterov ? momentum * m - lr * g : m   (momentum > 0)
// w -= lr * g                                                            (momentum == 0)
class SGD : public Optimizer {
 public:
  explicit SGD(SGDOptions o = {});
  explicit SGD(double learning_rate, double momentum = 0.0, bool nesterov = false);
  std::string name() const override { return "SGD"; }
  void apply(std::vector<Param*>& params) override;
  std::map<std::string, std::vector<Tensor>> state() const override;
  void set_state(const std::map<std::string, std::vector<Tensor>>& s) override;
  const SGDOptions& options() const { return o_; }

 private:
  SGDOptions o_;
  std::vector<Tensor> momentums_;
};

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  bool amsgrad = false;
  double weight_decay = 0.0;
  double clipvalue = 0.0, clipnorm = 0.0, global_clipnorm = 0.0;
};

// t = step + 1;  alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
// m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
// amsgrad: v_hat = max(v_hat, v), used in place of v
// w -= alpha * m / (sqrt(v) + epsilon)
class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions o = {});
  explicit Adam(double learning_rate);
  std::string name() const override { return "Adam"; }
  void apply(std::vector<Param*>& params) override;
  std::map<std::string, std::vector<Tensor>> state() const override;
  void set_state(const std::map<std::string, std::vector<Tensor>>& s) override;
  const AdamOptions& options() const { return o_; }

 protected:
  AdamOptions o_;
  std::vector<Tensor> momentums_, velocities_, velocity_hats_;
};

// Adam with decoupled weight decay (Keras' AdamW: default weight_decay 0.004).
struct AdamWOptions {
  double learning_rate = 1e-3;
  double weight_decay = 0.004;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  bool amsgrad = false;
  double clipvalue = 0.0, clipnorm = 0.0, global_clipnorm = 0.0;
};

class AdamW : public Adam {
 public:
  explicit AdamW(AdamWOptions o = {});
  explicit AdamW(double learning_rate, double weight_decay = 0.004);
  std::string name() const override { return "AdamW"; }
};

struct RMSpropOptions {
  double learning_rate = 1e-3;
  double rho = 0.9, momentum = 0.0, epsilon = 1e-7;
  bool centered = false;
  double weight_decay = 0.0;
  double clipvalue = 0.0, clipnorm = 0.0, global_clipnorm = 0.0;
};

// v = rho * v + (1 - rho) * g^2
// centered: a = rho * a + (1 - rho) * g;  d = v - a^2 + epsilon   else d = v + epsilon
// inc = lr * g / sqrt(d)
// momentum > 0: m = momentum * m + inc; w -= m   else w -= inc
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(RMSpropOptions o = {});
  explicit RMSprop(double learning_rate);
  std::string name() const override { return "RMSprop"; }
  void apply(std::vector<Param*>& params) override;
  std::map<std::string, std::vector<Tensor>> state() const override;
  void set_state(const std::map<std::string, std::vector<Tensor>>& s) override;
  const RMSpropOptions& options() const { return o_; }

 private:
  RMSpropOptions o_;
  std::vector<Tensor> velocities_, momentums_, average_gradients_;
};

// "sgd", "adam", "adamw", "rmsprop" (any case) with Keras defaults; the learning rate when
// given. Throws Error listing the known names.
std::shared_ptr<Optimizer> make_optimizer(const std::string& name, std::optional<double> learning_rate = std::nullopt);

// {"class_name": "Adam", "config": {"learning_rate": ..., "beta_1": ..., ...}} and back, for
// save/load (slots travel separately through state()/set_state()). A schedule is not
// serialized: the current learning rate is.
nlohmann::json optimizer_to_json(const Optimizer& opt);
std::shared_ptr<Optimizer> optimizer_from_json(const nlohmann::json& j);

}  // namespace tinyforge::nn
