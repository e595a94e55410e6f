// Mean squared / absolute error metrics over all elements seen.
#include <cmath>

#include "nn/metrics/metric_util.h"
#include "tinyforge/nn/metrics.h"

namespace tinyforge::nn {

void MeanSquaredErrorMetric::update(const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.size() != y_pred.size())
    throw Error(name_ + ": " + metric_detail::shapes(y_true, y_pred) + " must have the same number of elements");
  for (int64_t i = 0; i < y_pred.size(); ++i) {
    const double e = double(y_pred[i]) - double(y_true[i]);
    sum_ += e * e;
  }
  count_ += y_pred.size();
}

void MeanAbsoluteErrorMetric::update(const Tensor& y_true, const Tensor& y_pred) {
  if (y_true.size() != y_pred.size())
    throw Error(name_ + ": " + metric_detail::shapes(y_true, y_pred) + " must have the same number of elements");
  for (int64_t i = 0; i < y_pred.size(); ++i) sum_ += std::abs(double(y_pred[i]) - double(y_true[i]));
  count_ += y_pred.size();
}

}  // namespace tinyforge::nn
