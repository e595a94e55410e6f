// Element-wise regression losses, e = y_pred - y_true, averaged per sample then over the batch.
//   MSE: e^2, 2e.   MAE: |e|, sign(e) (0 at e = 0).
//   Huber: 0.5 e^2, e where |e| <= delta; delta |e| - 0.5 delta^2, delta sign(e) beyond.
#include <cmath>

#include "nn/losses/loss_util.h"
#include "tinyforge/nn/losses.h"

namespace tinyforge::nn {
namespace {

// Applies f(e) -> {loss, dloss/de} to every element.
template <typename F>
double elementwise(const std::string& loss, const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                   Tensor* grad, F f) {
  const int64_t n = loss_detail::batch_size(loss, y_pred);
  loss_detail::check_same_size(loss, y_true, y_pred);
  loss_detail::UnitWeights weight(loss, sample_weight, n, y_pred.size());
  loss_detail::prepare_grad(grad, y_pred);
  double total = 0;
  for (int64_t i = 0; i < y_pred.size(); ++i) {
    const double e = double(y_pred[i]) - double(y_true[i]);
    const auto [l, g] = f(e);
    const double w = weight(i);
    total += w * l;
    if (grad) (*grad)[i] = float(w * g);
  }
  return total;
}

double sign(double e) {
  return e > 0 ? 1.0 : (e < 0 ? -1.0 : 0.0);
}

struct LG {
  double l, g;
};

}  // namespace

double MeanSquaredError::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                 Tensor* grad) const {
  return elementwise(name(), y_true, y_pred, sample_weight, grad, [](double e) { return LG{e * e, 2 * e}; });
}

double MeanAbsoluteError::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight,
                                  Tensor* grad) const {
  return elementwise(name(), y_true, y_pred, sample_weight, grad, [](double e) { return LG{std::abs(e), sign(e)}; });
}

Huber::Huber(double delta) : delta_(delta) {
  if (!(delta > 0)) throw Error("Huber: delta " + std::to_string(delta) + " must be > 0");
}

double Huber::compute(const Tensor& y_true, const Tensor& y_pred, const Tensor* sample_weight, Tensor* grad) const {
  const double d = delta_;
  return elementwise(name(), y_true, y_pred, sample_weight, grad, [d](double e) {
    const double a = std::abs(e);
    return a <= d ? LG{0.5 * e * e, e} : LG{d * a - 0.5 * d * d, d * sign(e)};
  });
}

}  // namespace tinyforge::nn
