// Streaming metrics with Keras' names. Labels: class indices as floats ([N] or [N, 1]) for
// "sparse" metrics, one-hot rows otherwise; metrics that accept both say so.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tinyforge/nn/training.h"

namespace tinyforge::nn {

// Keras' compile(metrics=["accuracy"]): chooses by shapes on every update.
//  - y_pred last dim 1 (or rank 1), same size as y_true: binary, y_pred > 0.5;
//  - same size, last dim > 1: categorical (argmax == argmax);
//  - y_true has one value per row of y_pred: sparse (argmax == label).
class Accuracy : public Metric {
 public:
  explicit Accuracy(std::string name = "accuracy") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void reset() override { correct_ = total_ = 0; }
  void update(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override { return total_ ? double(correct_) / double(total_) : 0.0; }

 protected:
  std::string name_;
  int64_t correct_ = 0, total_ = 0;
};

class SparseCategoricalAccuracy : public Accuracy {
 public:
  SparseCategoricalAccuracy() : Accuracy("sparse_categorical_accuracy") {}
  void update(const Tensor& y_true, const Tensor& y_pred) override;
};

class CategoricalAccuracy : public Accuracy {
 public:
  CategoricalAccuracy() : Accuracy("categorical_accuracy") {}
  void update(const Tensor& y_true, const Tensor& y_pred) override;
};

// Element-wise: (y_pred > threshold) == (y_true > 0.5).
class BinaryAccuracy : public Accuracy {
 public:
  explicit BinaryAccuracy(double threshold = 0.5) : Accuracy("binary_accuracy"), threshold_(threshold) {}
  void update(const Tensor& y_true, const Tensor& y_pred) override;

 private:
  double threshold_;
};

// The label is in the top k when fewer than k classes score strictly higher (TF's in_top_k:
// ties at the boundary count as in).
class TopKCategoricalAccuracy : public Accuracy {
 public:
  explicit TopKCategoricalAccuracy(int k = 5) : Accuracy("top_k_categorical_accuracy"), k_(k) {}
  void update(const Tensor& y_true, const Tensor& y_pred) override;

 protected:
  TopKCategoricalAccuracy(int k, std::string name) : Accuracy(std::move(name)), k_(k) {}
  int k_;
};

class SparseTopKCategoricalAccuracy : public TopKCategoricalAccuracy {
 public:
  explicit SparseTopKCategoricalAccuracy(int k = 5) : TopKCategoricalAccuracy(k, "sparse_top_k_categorical_accuracy") {}
  void update(const Tensor& y_true, const Tensor& y_pred) override;
};

// Keras' Precision/Recall: every element of y_pred is a binary prediction (y_pred > threshold)
// against y_true != 0 (micro counts over all elements); class_id >= 0 looks at one column
// only. Extension: sparse labels with a multi-class y_pred are one-hot encoded first.
class Precision : public Metric {
 public:
  explicit Precision(double threshold = 0.5, int class_id = -1, std::string name = "precision")
      : threshold_(threshold), class_id_(class_id), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void reset() override { tp_ = fp_ = fn_ = 0; }
  void update(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override { return tp_ + fp_ ? double(tp_) / double(tp_ + fp_) : 0.0; }
  int64_t true_positives() const { return tp_; }
  int64_t false_positives() const { return fp_; }
  int64_t false_negatives() const { return fn_; }

 protected:
  double threshold_;
  int class_id_;
  std::string name_;
  int64_t tp_ = 0, fp_ = 0, fn_ = 0;
};

class Recall : public Precision {
 public:
  explicit Recall(double threshold = 0.5, int class_id = -1) : Precision(threshold, class_id, "recall") {}
  double result() const override { return tp_ + fn_ ? double(tp_) / double(tp_ + fn_) : 0.0; }
};

// F1 = 2 p r / (p + r) per class (0 where p + r = 0).
//  - binary (y_pred last dim 1): F1 of the positive class, y_pred > threshold (default 0.5);
//  - multi-class: the predicted class is the argmax (or y_pred > threshold when one is given),
//    labels one-hot or sparse; average "macro" (mean of per-class F1, the default) or "micro".
// Keras' F1Score adds epsilon 1e-7 to denominators; this divides exactly.
class F1Score : public Metric {
 public:
  explicit F1Score(std::string average = "macro", double threshold = -1.0);
  std::string name() const override { return "f1_score"; }
  void reset() override {
    tp_.clear();
    fp_.clear();
    fn_.clear();
  }
  void update(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;

 private:
  std::string average_;
  double threshold_;  // < 0: argmax (multi-class) / 0.5 (binary)
  std::vector<int64_t> tp_, fp_, fn_;
};

// Area under the ROC curve as Keras' AUC(): streaming counts at num_thresholds thresholds
// {-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7}, a prediction positive when > threshold, and the
// trapezoid rule over (FPR, TPR). Exact for scores that differ by more than a bucket. All
// elements are pooled (Keras' multi_label=false); sparse labels are one-hot encoded first.
class AUC : public Metric {
 public:
  explicit AUC(int num_thresholds = 200);
  std::string name() const override { return "auc"; }
  void reset() override;
  void update(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;

 private:
  std::vector<float> thresholds_;
  // Per bucket b (= number of thresholds below the score): positives and negatives seen.
  std::vector<int64_t> pos_, neg_;
};

// Mean over all elements of (y_true - y_pred)^2 (Keras' metric averages per-sample means,
// which is the same for equal-sized samples).
class MeanSquaredErrorMetric : public Metric {
 public:
  explicit MeanSquaredErrorMetric(std::string name = "mean_squared_error") : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void reset() override {
    sum_ = 0;
    count_ = 0;
  }
  void update(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override { return count_ ? sum_ / double(count_) : 0.0; }

 protected:
  std::string name_;
  double sum_ = 0;
  int64_t count_ = 0;
};

class MeanAbsoluteErrorMetric : public MeanSquaredErrorMetric {
 public:
  explicit MeanAbsoluteErrorMetric(std::string name = "mean_absolute_error")
      : MeanSquaredErrorMetric(std::move(name)) {}
  void update(const Tensor& y_true, const Tensor& y_pred) override;
};

// Counts [true class][predicted class]; result() is the accuracy (trace / total). Labels sparse
// or one-hot; a one-column y_pred is binary (> 0.5, two classes). num_classes 0: taken from the
// first batch.
class ConfusionMatrix : public Metric {
 public:
  explicit ConfusionMatrix(int num_classes = 0);
  std::string name() const override { return "confusion_matrix"; }
  void reset() override;
  void update(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;
  int num_classes() const { return num_classes_; }
  // matrix()[t][p]: samples of class t predicted as p.
  std::vector<std::vector<int64_t>> matrix() const;
  int64_t count(int true_class, int predicted_class) const;

 private:
  int num_classes_;
  std::vector<int64_t> counts_;
};

// Keras names and aliases: "accuracy"/"acc", "sparse_categorical_accuracy", "categorical_accuracy",
// "binary_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
// "precision", "recall", "f1_score", "auc", "mse"/"mean_squared_error", "mae"/"mean_absolute_error",
// "confusion_matrix". The metric is named as asked (logs show "acc" when asked for "acc").
std::shared_ptr<Metric> make_metric(const std::string& name);

}  // namespace tinyforge::nn
