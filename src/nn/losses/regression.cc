// Element-wise regression losses, e = y_pred - y_true, averaged per sample then over the batch.
//   MSE: e^2, 2e.   MAE: |e|, sign(e) (0 at e = 0).
//   Huber: 0.5 e^2, e where |e| <= delta; delta |e| - 0.5 delta^2, delta sign(e) beyond.
#include <cmath>
#include <vector>

#include "nn/losses/loss_util.h"
#include "nn/parallel_chunks.h"
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
  // Samples are split between threads; each sums its own values in order, and the samples'
  // sums are added in order, so the result does not depend on the thread count.
  const int64_t per = n > 0 ? y_pred.size() / n : 0;
  std::vector<double> sample_total(static_cast<size_t>(n));
  const float* pred = y_pred.data();
  const float* truth = y_true.data();
  float* g_out = grad ? grad->data() : nullptr;
  // Within a sample the losses go to kLanes partial sums (by index mod kLanes), added in a fixed
  // order at the end: a single chain of double additions waited on each one's latency.
  constexpr int64_t kLanes = 8;
  for_chunks(n, per, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const double w = weight(s * per);  // one weight per sample (batch_size rejected empty ones)
      double lanes[kLanes] = {};
      const int64_t begin = s * per, end = begin + per;
      int64_t i = begin;
      for (; i + kLanes <= end; i += kLanes)
        for (int64_t j = 0; j < kLanes; ++j) {
          const auto [l, g] = f(double(pred[i + j]) - double(truth[i + j]));
          lanes[j] += l;
          if (g_out) g_out[i + j] = float(w * g);
        }
      for (; i < end; ++i) {
        const auto [l, g] = f(double(pred[i]) - double(truth[i]));
        lanes[(i - begin) % kLanes] += l;
        if (g_out) g_out[i] = float(w * g);
      }
      const double sum =
          ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
      sample_total[static_cast<size_t>(s)] = w * sum;
    }
  });
  double total = 0;
  for (const double t : sample_total) total += t;
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
