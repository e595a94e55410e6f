// Losses with Keras' names, defaults and reduction ("sum_over_batch_size": the sum of
// per-sample losses times their weights, divided by the batch size N). A per-sample loss is
// the mean of its elements (rows of the last axis for crossentropies), so spatial outputs
// [N, H, W, C] give the same numbers as Keras. compute() also writes the exact gradient
// of the returned value with respect to y_pred.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// Keras' backend epsilon: probabilities are clipped to [kEpsilon, 1 - kEpsilon].
inline constexpr double kEpsilon = 1e-7;

// y_true: class indices as floats, shape [N] or [N, 1] (one per row of y_pred's last axis).
class SparseCategoricalCrossentropy : public Loss {
 public:
  explicit SparseCategoricalCrossentropy(bool from_logits = false) : from_logits_(from_logits) {}
  std::string name() const override { return "sparse_categorical_crossentropy"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
  bool from_logits() const { return from_logits_; }

 private:
  bool from_logits_;
};

// y_true: one-hot (or any distribution), same shape as y_pred.
class CategoricalCrossentropy : public Loss {
 public:
  explicit CategoricalCrossentropy(bool from_logits = false, double label_smoothing = 0.0);
  std::string name() const override { return "categorical_crossentropy"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
  bool from_logits() const { return from_logits_; }
  double label_smoothing() const { return label_smoothing_; }

 private:
  bool from_logits_;
  double label_smoothing_;
};

// y_true in {0, 1} (or soft labels), same number of elements as y_pred.
class BinaryCrossentropy : public Loss {
 public:
  explicit BinaryCrossentropy(bool from_logits = false, double label_smoothing = 0.0);
  std::string name() const override { return "binary_crossentropy"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
  bool from_logits() const { return from_logits_; }
  double label_smoothing() const { return label_smoothing_; }

 private:
  bool from_logits_;
  double label_smoothing_;
};

class MeanSquaredError : public Loss {
 public:
  std::string name() const override { return "mean_squared_error"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
};

class MeanAbsoluteError : public Loss {
 public:
  std::string name() const override { return "mean_absolute_error"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
};

// 0.5 e^2 where |e| <= delta, else delta * (|e| - 0.5 delta), with e = y_pred - y_true.
class Huber : public Loss {
 public:
  explicit Huber(double delta = 1.0);
  std::string name() const override { return "huber"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
  double delta() const { return delta_; }

 private:
  double delta_;
};

// sum(t * log(t / p)) over the last axis, t and p clipped to [kEpsilon, 1].
class KLDivergence : public Loss {
 public:
  std::string name() const override { return "kl_divergence"; }
  double compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const override;
};

// By Keras name or alias ("sparse_categorical_crossentropy", "mse", "mae", "huber", "kld", ...);
// throws Error listing the known names.
std::shared_ptr<Loss> make_loss(const std::string& name, bool from_logits = false);

// {"class_name": "CategoricalCrossentropy", "config": {"from_logits": true, ...}} and back, for save/load.
nlohmann::json loss_to_json(const Loss& loss);
std::shared_ptr<Loss> loss_from_json(const nlohmann::json& j);

}  // namespace tinyforge::nn
