// KL divergence over the last axis (Keras): t = clip(y_true, eps, 1), p = clip(y_pred, eps, 1),
// row loss sum(t log(t / p)); d/dy_pred = -t / p inside the clip range, 0 outside.
#include <algorithm>
#include <cmath>

#include "nn/losses/loss_util.h"
#include "tinyforge/nn/losses.h"

namespace tinyforge::nn {

double KLDivergence::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                             Tensor* grad) const {
  const int64_t n = loss_detail::batch_size(name(), y_pred);
  if (y_true.shape() != y_pred.shape())
    throw Error(name() + ": y_true " + shape_str(y_true.shape()) + " must have y_pred's shape " +
                shape_str(y_pred.shape()));
  const int64_t c = y_pred.rank() >= 2 ? y_pred.dim(-1) : 1;
  const int64_t rows = y_pred.size() / c;
  loss_detail::UnitWeights weight(name(), sample_weight, n, rows);
  loss_detail::prepare_grad(grad, y_pred);
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const double w = weight(r);
    for (int64_t i = r * c; i < (r + 1) * c; ++i) {
      const double t = std::clamp(double(y_true[i]), kEpsilon, 1.0);
      const double x = y_pred[i];
      const double p = std::clamp(x, kEpsilon, 1.0);
      total += w * t * std::log(t / p);
      if (grad) (*grad)[i] = float(x >= kEpsilon && x <= 1.0 ? -w * t / p : 0.0);
    }
  }
  return total;
}

}  // namespace tinyforge::nn
