// Shared plumbing of the losses: shape checks, per-sample weights and the Keras reduction
// ("sum_over_batch_size") over rows or elements.
#pragma once

#include <string>

#include "tinyforge/error.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn::loss_detail {

inline int64_t batch_size(const std::string& loss, const Tensor& y_pred) {
  if (y_pred.rank() < 1 || y_pred.dim(0) <= 0 || y_pred.empty())
    throw Error(loss + ": y_pred " + shape_str(y_pred.shape()) + " is empty; expected a batch [N, ...]");
  return y_pred.dim(0);
}

inline void check_same_size(const std::string& loss, const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.size() != y_pred.size())
    throw Error(loss + ": y_true " + shape_str(y_true.shape()) + " and y_pred " + shape_str(y_pred.shape()) +
                " must have the same number of elements");
}

// Weight of each of the `units` loss terms (rows or elements) of a batch of n samples, so that
// sum(weight * term) is Keras' sum_over_batch_size of the per-sample means. Returns the
// weight of unit `u`.
class UnitWeights {
 public:
  UnitWeights(const std::string& loss, const Tensor* sample_weight, int64_t n, int64_t units)
      : sw_(sample_weight), per_sample_(units / n), base_(1.0 / double(units)) {
    if (sw_ && sw_->size() != n)
      throw Error(loss + ": sample_weight " + shape_str(sw_->shape()) + " must hold one weight per sample (" +
                  std::to_string(n) + ")");
  }
  double operator()(int64_t u) const { return sw_ ? base_ * double((*sw_)[u / per_sample_]) : base_; }

 private:
  const Tensor* sw_;
  int64_t per_sample_;
  double base_;
};

// Makes `grad` a tensor of y_pred's shape (reusing its storage when it already fits).
inline void prepare_grad(Tensor* grad, const Tensor& y_pred) {
  if (!grad) return;
  if (grad->shape() != y_pred.shape()) *grad = Tensor(y_pred.shape());
}

}  // namespace tinyforge::nn::loss_detail
