// Binary crossentropy, element-wise, averaged per sample then over the batch (Keras).
//
// Probabilities: p = clip(y, eps, 1 - eps), l = -(t log p + (1 - t) log(1 - p)),
//   dl/dy = (p - t) / (p (1 - p)) inside the clip range, 0 outside.
// Logits (stable, as tf.nn.sigmoid_cross_entropy_with_logits):
//   l = max(x, 0) - x t + log(1 + exp(-|x|)),  dl/dx = sigmoid(x) - t.
// Label smoothing: t = t (1 - s) + s / 2.
#include <algorithm>
#include <cmath>

#include "nn/losses/loss_util.h"
#include "tinyforge/nn/losses.h"

namespace tinyforge::nn {

BinaryCrossentropy::BinaryCrossentropy(bool from_logits, double label_smoothing)
    : from_logits_(from_logits), label_smoothing_(label_smoothing) {
  if (label_smoothing < 0 || label_smoothing > 1)
    throw Error("BinaryCrossentropy: label_smoothing " + std::to_string(label_smoothing) + " must be in [0, 1]");
}

double BinaryCrossentropy::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                   Tensor* grad) const {
  const int64_t n = loss_detail::batch_size(name(), y_pred);
  loss_detail::check_same_size(name(), y_true, y_pred);
  loss_detail::UnitWeights weight(name(), sample_weight, n, y_pred.size());
  loss_detail::prepare_grad(grad, y_pred);
  double total = 0;
  for (int64_t i = 0; i < y_pred.size(); ++i) {
    const double t = double(y_true[i]) * (1.0 - label_smoothing_) + 0.5 * label_smoothing_;
    const double x = y_pred[i];
    const double w = weight(i);
    double l, g;
    if (from_logits_) {
      l = std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::abs(x)));
      const double sig = x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
      g = sig - t;
    } else {
      const double p = std::clamp(x, kEpsilon, 1.0 - kEpsilon);
      l = -(t * std::log(p) + (1.0 - t) * std::log(1.0 - p));
      g = (x >= kEpsilon && x <= 1.0 - kEpsilon) ? (p - t) / (p * (1.0 - p)) : 0.0;
    }
    total += w * l;
    if (grad) (*grad)[i] = float(w * g);
  }
  return total;
}

}  // namespace tinyforge::nn
