// Labels against outputs: which task, how the labels are written, and the metrics.
#include <cmath>
#include <string>

#include "eval/sample_io.h"
#include "tinyforge/error.h"

namespace tinyforge::eval::detail {

namespace {

bool rows_are_one_hot(const NpyArray& y, size_t width) {
  const size_t rows = y.element_count() / width;
  for (size_t r = 0; r < rows; ++r) {
    int ones = 0;
    for (size_t k = 0; k < width; ++k) {
      const double v = npy_element(y, r * width + k);
      if (v == 1.0) {
        ++ones;
      } else if (v != 0.0) {
        return false;
      }
    }
    if (ones != 1) return false;
  }
  return rows > 0;
}

}  // namespace

Scorer::Scorer(const LabelledData& data, size_t output_elements, Task requested)
    : data_(data), output_elements_(output_elements), label_elements_(sample_elements(data.y)) {
  const std::string counts = "labels have " + std::to_string(label_elements_) +
                             " value(s) per sample and the model's " + "output has " + std::to_string(output_elements_);
  if (requested == Task::kRegression) {
    if (label_elements_ != output_elements_) throw Error(counts + ": regression needs the same number");
    task_ = Task::kRegression;
  } else if (label_elements_ == 1 && (output_elements_ > 1 || requested == Task::kClassification)) {
    task_ = Task::kClassification;
    format_ = LabelFormat::kClassIndex;
  } else if (label_elements_ == output_elements_ && output_elements_ > 1 && rows_are_one_hot(data.y, label_elements_)) {
    task_ = Task::kClassification;
    format_ = LabelFormat::kOneHot;
  } else if (requested == Task::kClassification) {
    throw Error(counts + ": classification needs one class index per sample or one-hot rows of the output's length");
  } else if (label_elements_ == output_elements_) {
    task_ = Task::kRegression;
  } else {
    throw Error(counts + ": give class indices ([N]), one-hot rows ([N, " + std::to_string(output_elements_) +
                "]) or regression targets with the output's length");
  }
  if (task_ == Task::kClassification) {
    classes_ = output_elements_ == 1 ? 2 : static_cast<int64_t>(output_elements_);
    confusion_.assign(static_cast<size_t>(classes_), std::vector<int64_t>(static_cast<size_t>(classes_), 0));
    for (int64_t i = 0; i < data.size(); ++i) label_class(i);  // every label checked before any run
  }
}

int64_t Scorer::label_class(int64_t i) const {
  const size_t base = static_cast<size_t>(i) * label_elements_;
  if (format_ == LabelFormat::kOneHot) {
    for (size_t k = 0; k < label_elements_; ++k) {
      if (npy_element(data_.y, base + k) == 1.0) return static_cast<int64_t>(k);
    }
  }
  const double v = npy_element(data_.y, base);
  if (v != std::floor(v) || v < 0 || v >= static_cast<double>(classes_)) {
    throw Error("label of sample " + std::to_string(i) + " is " + std::to_string(v) + ", not a class index in [0, " +
                std::to_string(classes_) + ")");
  }
  return static_cast<int64_t>(v);
}

int64_t Scorer::add(int64_t i, const std::vector<float>& output) {
  ++samples_;
  if (task_ == Task::kRegression) {
    const size_t base = static_cast<size_t>(i) * label_elements_;
    for (size_t k = 0; k < output.size(); ++k) {
      const double e = static_cast<double>(output[k]) - npy_element(data_.y, base + k);
      squared_error_ += e * e;
      absolute_error_ += std::fabs(e);
    }
    return -1;
  }
  const int64_t predicted = predicted_class(output);
  const int64_t truth = label_class(i);
  if (predicted == truth) ++correct_;
  ++confusion_[static_cast<size_t>(truth)][static_cast<size_t>(predicted)];
  return predicted;
}

void Scorer::finish(EvalResult* r) const {
  r->task = task_;
  r->label_format = format_;
  r->samples = samples_;
  r->num_classes = classes_;
  r->correct = correct_;
  r->confusion = confusion_;
  r->accuracy = samples_ ? static_cast<double>(correct_) / static_cast<double>(samples_) : 0.0;
  const double values = static_cast<double>(samples_) * static_cast<double>(output_elements_);
  r->mse = values > 0 ? squared_error_ / values : 0.0;
  r->mae = values > 0 ? absolute_error_ / values : 0.0;
}

}  // namespace tinyforge::eval::detail
