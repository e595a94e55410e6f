// Label and prediction helpers shared by the metrics.
#pragma once

#include <cmath>
#include <string>

#include "tinyforge/error.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn::metric_detail {

// Classes on y_pred's last axis (1 for rank-1 predictions).
inline int64_t classes(const Tensor& y_pred) {
  return y_pred.rank() >= 2 ? y_pred.dim(-1) : 1;
}

inline std::string shapes(const Tensor& y_true, const Tensor& y_pred) {
  return "y_true " + shape_str(y_true.shape()) + ", y_pred " + shape_str(y_pred.shape());
}

// The class index stored at y_true[i], checked to be an integer in [0, c).
inline int64_t label(const std::string& metric, const Tensor& y_true, int64_t i, int64_t c) {
  const float v = y_true[i];
  if (!(v >= 0 && v < float(c)) || v != std::floor(v))
    throw Error(metric + ": label " + std::to_string(v) + " at row " + std::to_string(i) +
                " is not a class index in [0, " + std::to_string(c) + ")");
  return static_cast<int64_t>(v);
}

// Index of the largest value in row r of a [rows, c] view (first one on ties, as argmax).
inline int64_t argmax_row(const Tensor& t, int64_t r, int64_t c) {
  const float* p = t.data() + r * c;
  int64_t best = 0;
  for (int64_t i = 1; i < c; ++i)
    if (p[i] > p[best]) best = i;
  return best;
}

// True when y_true holds one class index per row of a multi-class y_pred.
inline bool is_sparse(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  return c > 1 && y_true.size() * c == y_pred.size();
}

// Class of row r of y_true: the index itself (sparse) or the argmax (one-hot).
inline int64_t true_class(const std::string& metric, const Tensor& y_true, const Tensor& y_pred, int64_t r) {
  const int64_t c = classes(y_pred);
  return is_sparse(y_true, y_pred) ? label(metric, y_true, r, c) : argmax_row(y_true, r, c);
}

// Checks y_true is either sparse or one-hot for a multi-class y_pred.
inline void check_class_labels(const std::string& metric, const Tensor& y_true, const Tensor& y_pred) {
  if (!(is_sparse(y_true, y_pred) || y_true.size() == y_pred.size()) || y_pred.empty())
    throw Error(metric + ": " + shapes(y_true, y_pred) +
                " do not fit; expected one class index per row or one-hot rows of y_pred's shape");
}

}  // namespace tinyforge::nn::metric_detail
