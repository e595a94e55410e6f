// Accuracy metrics: auto-chosen, sparse/categorical/binary, and top-k.
#include "nn/metrics/metric_util.h"
#include "tinyforge/nn/metrics.h"

namespace tinyforge::nn {

using namespace metric_detail;

void Accuracy::update(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  if (c == 1 && y_true.size() == y_pred.size()) {
    for (int64_t i = 0; i < y_pred.size(); ++i) correct_ += (y_pred[i] > 0.5f) == (y_true[i] > 0.5f);
    total_ += y_pred.size();
    return;
  }
  check_class_labels(name_, y_true, y_pred);
  const int64_t rows = y_pred.size() / c;
  for (int64_t r = 0; r < rows; ++r) correct_ += argmax_row(y_pred, r, c) == true_class(name_, y_true, y_pred, r);
  total_ += rows;
}

void SparseCategoricalAccuracy::update(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  const int64_t rows = y_pred.size() / c;
  if (y_true.size() != rows || y_pred.empty())
    throw Error(name_ + ": " + shapes(y_true, y_pred) + " do not fit; expected one class index per row");
  for (int64_t r = 0; r < rows; ++r) correct_ += argmax_row(y_pred, r, c) == label(name_, y_true, r, c);
  total_ += rows;
}

void CategoricalAccuracy::update(const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.size() != y_pred.size() || y_pred.empty())
    throw Error(name_ + ": " + shapes(y_true, y_pred) + " do not fit; expected one-hot labels of y_pred's shape");
  const int64_t c = classes(y_pred);
  const int64_t rows = y_pred.size() / c;
  for (int64_t r = 0; r < rows; ++r) correct_ += argmax_row(y_pred, r, c) == argmax_row(y_true, r, c);
  total_ += rows;
}

void BinaryAccuracy::update(const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.size() != y_pred.size())
    throw Error(name_ + ": " + shapes(y_true, y_pred) + " must have the same number of elements");
  for (int64_t i = 0; i < y_pred.size(); ++i) correct_ += (double(y_pred[i]) > threshold_) == (y_true[i] > 0.5f);
  total_ += y_pred.size();
}

namespace {

// In the top k: fewer than k scores strictly above the label's score.
bool in_top_k(const Tensor& y_pred, int64_t r, int64_t c, int64_t label, int k) {
  const float* p = y_pred.data() + r * c;
  int64_t above = 0;
  for (int64_t i = 0; i < c; ++i) above += p[i] > p[label];
  return above < k;
}

}  // namespace

void TopKCategoricalAccuracy::update(const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.size() != y_pred.size() || y_pred.empty())
    throw Error(name_ + ": " + shapes(y_true, y_pred) + " do not fit; expected one-hot labels of y_pred's shape");
  const int64_t c = classes(y_pred);
  const int64_t rows = y_pred.size() / c;
  for (int64_t r = 0; r < rows; ++r) correct_ += in_top_k(y_pred, r, c, argmax_row(y_true, r, c), k_);
  total_ += rows;
}

void SparseTopKCategoricalAccuracy::update(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  const int64_t rows = y_pred.size() / c;
  if (y_true.size() != rows || y_pred.empty())
    throw Error(name_ + ": " + shapes(y_true, y_pred) + " do not fit; expected one class index per row");
  for (int64_t r = 0; r < rows; ++r) correct_ += in_top_k(y_pred, r, c, label(name_, y_true, r, c), k_);
  total_ += rows;
}

}  // namespace tinyforge::nn
