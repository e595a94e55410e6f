// ROC AUC from streaming threshold counts, as Keras' AUC(curve="ROC",
// summation_method="interpolation").
#include <algorithm>

#include "nn/metrics/metric_util.h"
#include "tinyforge/nn/losses.h"
#include "tinyforge/nn/metrics.h"

namespace tinyforge::nn {

using namespace metric_detail;

AUC::AUC(int num_thresholds) {
  if (num_thresholds < 3) throw Error("AUC: num_thresholds must be > 2, got " + std::to_string(num_thresholds));
  thresholds_.push_back(float(0.0 - kEpsilon));
  for (int i = 1; i < num_thresholds - 1; ++i) thresholds_.push_back(float(double(i) / double(num_thresholds - 1)));
  thresholds_.push_back(float(1.0 + kEpsilon));
  reset();
}

void AUC::reset() {
  pos_.assign(thresholds_.size() + 1, 0);
  neg_.assign(thresholds_.size() + 1, 0);
}

void AUC::update(const Tensor& y_true, const Tensor& y_pred) {
  const bool sparse = is_sparse(y_true, y_pred);
  if (!sparse && y_true.size() != y_pred.size())
    throw Error("auc: " + shapes(y_true, y_pred) + " do not fit; expected the same number of elements");
  const int64_t c = classes(y_pred);
  for (int64_t i = 0; i < y_pred.size(); ++i) {
    const bool truth = sparse ? label("auc", y_true, i / c, c) == i % c : y_true[i] != 0.0f;
    // Bucket = how many thresholds lie strictly below the score (score > threshold).
    const auto b = size_t(std::lower_bound(thresholds_.begin(), thresholds_.end(), y_pred[i]) - thresholds_.begin());
    (truth ? pos_ : neg_)[b] += 1;
  }
}

double AUC::result() const {
  const size_t n = thresholds_.size();
  int64_t total_pos = 0, total_neg = 0;
  for (size_t b = 0; b <= n; ++b) total_pos += pos_[b], total_neg += neg_[b];
  // tp[j] / fp[j]: scores above threshold j, i.e. in buckets > j. Rates are 0 when a class is
  // absent (Keras' divide_no_nan).
  std::vector<double> tpr(n), fpr(n);
  int64_t tp = 0, fp = 0;
  for (size_t j = n; j-- > 0;) {
    tp += pos_[j + 1];
    fp += neg_[j + 1];
    tpr[j] = total_pos ? double(tp) / double(total_pos) : 0.0;
    fpr[j] = total_neg ? double(fp) / double(total_neg) : 0.0;
  }
  double auc = 0;
  for (size_t j = 0; j + 1 < n; ++j) auc += (fpr[j] - fpr[j + 1]) * (tpr[j] + tpr[j + 1]) / 2.0;
  return auc;
}

}  // namespace tinyforge::nn
