// Precision, Recall (Keras: element-wise thresholded counts) and F1Score (per class).
#include <algorithm>

#include "nn/metrics/metric_util.h"
#include "tinyforge/nn/metrics.h"

namespace tinyforge::nn {

using namespace metric_detail;

void Precision::update(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  const bool sparse = is_sparse(y_true, y_pred);
  if (!sparse && y_true.size() != y_pred.size())
    throw Error(name_ + ": " + shapes(y_true, y_pred) + " do not fit; expected the same number of elements");
  if (class_id_ >= c)
    throw Error(name_ + ": class_id " + std::to_string(class_id_) + " but y_pred has " + std::to_string(c) +
                " classes");
  const int64_t rows = y_pred.size() / c;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t k = sparse ? label(name_, y_true, r, c) : -1;
    for (int64_t i = 0; i < c; ++i) {
      if (class_id_ >= 0 && i != class_id_) continue;
      const bool pred = double(y_pred[r * c + i]) > threshold_;
      const bool truth = sparse ? i == k : y_true[r * c + i] != 0.0f;
      tp_ += pred && truth;
      fp_ += pred && !truth;
      fn_ += !pred && truth;
    }
  }
}

F1Score::F1Score(std::string average, double threshold) : average_(std::move(average)), threshold_(threshold) {
  if (average_ != "macro" && average_ != "micro")
    throw Error("F1Score: average '" + average_ + "' is not supported; use \"macro\" or \"micro\"");
}

void F1Score::update(const Tensor& y_true, const Tensor& y_pred) {
  const int64_t c = classes(y_pred);
  const int64_t rows = y_pred.size() / std::max<int64_t>(c, 1);
  if (tp_.empty()) tp_.assign(size_t(c), 0), fp_.assign(size_t(c), 0), fn_.assign(size_t(c), 0);
  if (int64_t(tp_.size()) != c)
    throw Error("f1_score: y_pred has " + std::to_string(c) + " classes but earlier batches had " +
                std::to_string(tp_.size()));
  if (c == 1) {
    if (y_true.size() != y_pred.size()) throw Error("f1_score: " + shapes(y_true, y_pred) + " do not fit");
    const double th = threshold_ < 0 ? 0.5 : threshold_;
    for (int64_t i = 0; i < y_pred.size(); ++i) {
      const bool pred = double(y_pred[i]) > th, truth = y_true[i] > 0.5f;
      tp_[0] += pred && truth;
      fp_[0] += pred && !truth;
      fn_[0] += !pred && truth;
    }
    return;
  }
  check_class_labels("f1_score", y_true, y_pred);
  const bool sparse = is_sparse(y_true, y_pred);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t k = sparse ? label("f1_score", y_true, r, c) : -1;
    const int64_t top = argmax_row(y_pred, r, c);
    for (int64_t i = 0; i < c; ++i) {
      const bool pred = threshold_ < 0 ? i == top : double(y_pred[r * c + i]) > threshold_;
      const bool truth = sparse ? i == k : y_true[r * c + i] > 0.5f;
      tp_[size_t(i)] += pred && truth;
      fp_[size_t(i)] += pred && !truth;
      fn_[size_t(i)] += !pred && truth;
    }
  }
}

double F1Score::result() const {
  // F1 = 2 tp / (2 tp + fp + fn), which equals 2 p r / (p + r) and is 0 when tp = 0.
  auto f1 = [](int64_t tp, int64_t fp, int64_t fn) { return tp ? 2.0 * double(tp) / double(2 * tp + fp + fn) : 0.0; };
  if (tp_.empty()) return 0.0;
  if (average_ == "micro") {
    int64_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < tp_.size(); ++i) tp += tp_[i], fp += fp_[i], fn += fn_[i];
    return f1(tp, fp, fn);
  }
  double sum = 0;
  for (size_t i = 0; i < tp_.size(); ++i) sum += f1(tp_[i], fp_[i], fn_[i]);
  return sum / double(tp_.size());
}

}  // namespace tinyforge::nn
