// Weight penalties with Keras' definitions: L1 adds l1 * sum(|w|), L2 adds l2 * sum(w^2)
// (no factor 1/2, so its gradient is 2 * l2 * w).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

class L1L2 : public Regularizer {
 public:
  explicit L1L2(double l1 = 0.0, double l2 = 0.0);
  double penalty(const Tensor& w) const override;
  // d|w|/dw is taken as 0 at w = 0 (as Keras' sign()).
  void add_gradient(const Tensor& w, Tensor& grad) const override;
  double l1() const { return l1_; }
  double l2() const { return l2_; }

 private:
  double l1_, l2_;
};

class L1 : public L1L2 {
 public:
  explicit L1(double l1 = 0.01) : L1L2(l1, 0.0) {}
};

class L2 : public L1L2 {
 public:
  explicit L2(double l2 = 0.01) : L1L2(0.0, l2) {}
};

// "l1", "l2", "l1_l2" with Keras' default factors; throws Error otherwise.
std::shared_ptr<Regularizer> make_regularizer(const std::string& name);
// Keras-style {"class_name": "L2", "config": {"l2": 0.01}} and back (null json for null).
nlohmann::json regularizer_to_json(const Regularizer* r);
std::shared_ptr<Regularizer> regularizer_from_json(const nlohmann::json& j);

}  // namespace tinyforge::nn
