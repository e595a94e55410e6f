// Metrics by Keras name.
#include "tinyforge/error.h"
#include "tinyforge/nn/metrics.h"

namespace tinyforge::nn {

std::shared_ptr<Metric> make_metric(const std::string& name) {
  if (name == "accuracy" || name == "acc") return std::make_shared<Accuracy>(name);
  if (name == "sparse_categorical_accuracy") return std::make_shared<SparseCategoricalAccuracy>();
  if (name == "categorical_accuracy") return std::make_shared<CategoricalAccuracy>();
  if (name == "binary_accuracy") return std::make_shared<BinaryAccuracy>();
  if (name == "top_k_categorical_accuracy") return std::make_shared<TopKCategoricalAccuracy>();
  if (name == "sparse_top_k_categorical_accuracy") return std::make_shared<SparseTopKCategoricalAccuracy>();
  if (name == "precision") return std::make_shared<Precision>();
  if (name == "recall") return std::make_shared<Recall>();
  if (name == "f1_score") return std::make_shared<F1Score>();
  if (name == "auc") return std::make_shared<AUC>();
  if (name == "mse" || name == "mean_squared_error") return std::make_shared<MeanSquaredErrorMetric>(name);
  if (name == "mae" || name == "mean_absolute_error") return std::make_shared<MeanAbsoluteErrorMetric>(name);
  if (name == "confusion_matrix") return std::make_shared<ConfusionMatrix>();
  throw Error("unknown metric '" + name +
              "'; known: accuracy (acc), sparse_categorical_accuracy, categorical_accuracy, binary_accuracy, "
              "top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, precision, recall, f1_score, auc, "
              "mean_squared_error (mse), mean_absolute_error (mae), confusion_matrix");
}

}  // namespace tinyforge::nn
