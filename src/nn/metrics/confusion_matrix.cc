// Confusion matrix over argmax (or > 0.5 for one-column binary) predictions.
#include "nn/metrics/metric_util.h"
#include "tinyforge/nn/metrics.h"

namespace tinyforge::nn {

using namespace metric_detail;

ConfusionMatrix::ConfusionMatrix(int num_classes) : num_classes_(num_classes) {
  if (num_classes < 0 || num_classes == 1)
    throw Error("ConfusionMatrix: num_classes must be >= 2 (or 0 to take it from the data), got " +
                std::to_string(num_classes));
  reset();
}

void ConfusionMatrix::reset() {
  counts_.assign(size_t(num_classes_) * size_t(num_classes_), 0);
}

void ConfusionMatrix::update(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  const int64_t k = c == 1 ? 2 : c;
  if (num_classes_ == 0) {
    num_classes_ = int(k);
    reset();
  }
  if (k != num_classes_)
    throw Error("confusion_matrix: y_pred " + shape_str(y_pred.shape()) + " has " + std::to_string(k) +
                " classes but the matrix was made for " + std::to_string(num_classes_));
  const int64_t rows = y_pred.size() / c;
  if (c == 1) {
    if (y_true.size() != rows) throw Error("confusion_matrix: " + shapes(y_true, y_pred) + " do not fit");
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t t = label("confusion_matrix", y_true, r, 2);
      const int64_t p = y_pred[r] > 0.5f ? 1 : 0;
      counts_[size_t(t * k + p)] += 1;
    }
    return;
  }
  check_class_labels("confusion_matrix", y_true, y_pred);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = true_class("confusion_matrix", y_true, y_pred, r);
    counts_[size_t(t * k + argmax_row(y_pred, r, c))] += 1;
  }
}

double ConfusionMatrix::result() const {
  int64_t total = 0, diag = 0;
  for (int t = 0; t < num_classes_; ++t)
    for (int p = 0; p < num_classes_; ++p) {
      total += count(t, p);
      diag += t == p ? count(t, p) : 0;
    }
  return total ? double(diag) / double(total) : 0.0;
}

std::vector<std::vector<int64_t>> ConfusionMatrix::matrix() const {
  const auto k = static_cast<size_t>(num_classes_);
  std::vector<std::vector<int64_t>> m(k, std::vector<int64_t>(k, 0));
  for (int t = 0; t < num_classes_; ++t)
    for (int p = 0; p < num_classes_; ++p) m[size_t(t)][size_t(p)] = count(t, p);
  return m;
}

int64_t ConfusionMatrix::count(int true_class, int predicted_class) const {
  if (true_class < 0 || true_class >= num_classes_ || predicted_class < 0 || predicted_class >= num_classes_)
    throw Error("confusion_matrix: class out of range [0, " + std::to_string(num_classes_) + ")");
  return counts_[size_t(true_class) * size_t(num_classes_) + size_t(predicted_class)];
}

}  // namespace tinyforge::nn
