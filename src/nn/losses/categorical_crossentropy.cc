// Categorical crossentropy, dense and sparse labels, over the last axis of y_pred.
//
// Probabilities (Keras 3): q = p / sum(p), c = clip(q, eps, 1 - eps), row loss -sum(t * log c).
// With g_i = -t_i / c_i where q_i is inside the clip range (0 outside), the chain rule through
// the normalization gives dL/dp_k = (g_k - sum_i g_i q_i) / sum(p).
// Logits: row loss -sum(t * log_softmax(x)), dL/dx = softmax(x) * sum(t) - t.
#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/losses/loss_util.h"
#include "tinyforge/nn/losses.h"

namespace tinyforge::nn {
namespace {

using loss_detail::UnitWeights;

int64_t num_classes(const std::string& loss, const Tensor& y_pred) {
  if (y_pred.rank() < 2 || y_pred.dim(-1) < 1)
    throw Error(loss + ": y_pred " + shape_str(y_pred.shape()) +
                " must be [N, ..., classes] (class scores on the last axis)");
  return y_pred.dim(-1);
}

// One row: target distribution t (already smoothed), predictions x; returns the row loss and
// writes scale * dL/dx into g (when non-null).
double row_loss(const double* t, const float* x, int64_t c, bool from_logits, double scale, float* g) {
  double loss = 0;
  if (from_logits) {
    double mx = x[0];
    for (int64_t i = 1; i < c; ++i) mx = std::max(mx, double(x[i]));
    double sum = 0;
    for (int64_t i = 0; i < c; ++i) sum += std::exp(double(x[i]) - mx);
    const double log_sum = std::log(sum);
    double t_sum = 0;
    for (int64_t i = 0; i < c; ++i) {
      loss -= t[i] * (double(x[i]) - mx - log_sum);
      t_sum += t[i];
    }
    if (g)
      for (int64_t i = 0; i < c; ++i) g[i] = float(scale * (std::exp(double(x[i]) - mx - log_sum) * t_sum - t[i]));
    return loss;
  }
  double s = 0;
  for (int64_t i = 0; i < c; ++i) s += x[i];
  if (!(s > 0))
    throw Error("categorical crossentropy: a row of y_pred sums to " + std::to_string(s) +
                "; expected probabilities (softmax output). For raw scores use from_logits=true");
  double gq = 0;  // sum_i g_i q_i
  for (int64_t i = 0; i < c; ++i) {
    const double q = double(x[i]) / s;
    const double cl = std::clamp(q, kEpsilon, 1.0 - kEpsilon);
    loss -= t[i] * std::log(cl);
    if (g) {
      const double gi = (q >= kEpsilon && q <= 1.0 - kEpsilon) ? -t[i] / cl : 0.0;
      g[i] = float(gi);  // temporarily g_i, rescaled below
      gq += gi * q;
    }
  }
  if (g)
    for (int64_t i = 0; i < c; ++i) g[i] = float(scale * (double(g[i]) - gq) / s);
  return loss;
}

}  // namespace

CategoricalCrossentropy::CategoricalCrossentropy(bool from_logits, double label_smoothing)
    : from_logits_(from_logits), label_smoothing_(label_smoothing) {
  if (label_smoothing < 0 || label_smoothing > 1)
    throw Error("CategoricalCrossentropy: label_smoothing " + std::to_string(label_smoothing) + " must be in [0, 1]");
}

double CategoricalCrossentropy::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                        Tensor* grad) const {
  const int64_t n = loss_detail::batch_size(name(), y_pred);
  const int64_t c = num_classes(name(), y_pred);
  if (y_true.shape() != y_pred.shape())
    throw Error(name() + ": y_true " + shape_str(y_true.shape()) + " must have y_pred's shape " +
                shape_str(y_pred.shape()) + " (one-hot labels; for class indices use sparse_categorical_crossentropy)");
  const int64_t rows = y_pred.size() / c;
  UnitWeights weight(name(), sample_weight, n, rows);
  loss_detail::prepare_grad(grad, y_pred);
  std::vector<double> t(static_cast<size_t>(c));
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < c; ++i)
      t[size_t(i)] = double(y_true[r * c + i]) * (1.0 - label_smoothing_) + label_smoothing_ / double(c);
    const double w = weight(r);
    total += w * row_loss(t.data(), y_pred.data() + r * c, c, from_logits_, w, grad ? grad->data() + r * c : nullptr);
  }
  return total;
}

double SparseCategoricalCrossentropy::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                              Tensor* grad) const {
  const int64_t n = loss_detail::batch_size(name(), y_pred);
  const int64_t c = num_classes(name(), y_pred);
  const int64_t rows = y_pred.size() / c;
  if (y_true.size() != rows)
    throw Error(name() + ": y_true " + shape_str(y_true.shape()) + " must hold one class index per row of y_pred " +
                shape_str(y_pred.shape()) + " (" + std::to_string(rows) +
                " values; for one-hot labels use categorical_crossentropy)");
  UnitWeights weight(name(), sample_weight, n, rows);
  loss_detail::prepare_grad(grad, y_pred);
  std::vector<double> t(static_cast<size_t>(c), 0.0);
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float label = y_true[r];
    if (!(label >= 0 && label < float(c)) || label != std::floor(label))
      throw Error(name() + ": label " + std::to_string(label) + " at row " + std::to_string(r) +
                  " is not a class index in [0, " + std::to_string(c) + ")");
    const auto k = static_cast<size_t>(label);
    t[k] = 1.0;
    const double w = weight(r);
    total += w * row_loss(t.data(), y_pred.data() + r * c, c, from_logits_, w, grad ? grad->data() + r * c : nullptr);
    t[k] = 0.0;
  }
  return total;
}

}  // namespace tinyforge::nn
