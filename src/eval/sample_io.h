// What evaluate and compare share: moving a data set's sample into a model input, reading
// tensors back as floats, and scoring outputs against labels.
#pragma once

#include <cstdint>
#include <vector>

#include "tinyforge/evaluate.h"

namespace tinyforge::eval::detail {

// Element `index` (flat, C order) of a numeric .npy array as a double.
double npy_element(const NpyArray& a, size_t index);
// Values per sample (product of the dimensions after the first).
size_t sample_elements(const NpyArray& a);

// Throws Error when a sample of x does not have input 0's element count.
void check_sample_shape(const micro::Interpreter& interp, const NpyArray& x);
// Writes sample `i` of x into input 0: copied as is when the dtype is the input's, else
// converted (float input) or quantized with the input's scale and zero point (quantized
// integer input). Throws Error when the sizes or types do not fit.
void set_sample_input(micro::Interpreter& interp, const NpyArray& x, int64_t i);
// A tensor's values as floats: dequantized (scale * (q - zero point), per channel when the
// tensor has several scales) when quantized, converted otherwise.
std::vector<float> tensor_floats(const micro::TensorInfo& info, const void* data);
// Runs the model once on sample i; returns output 0 as floats and adds the invoke time.
std::vector<float> run_sample(micro::Interpreter& interp, const NpyArray& x, int64_t i, double* seconds);

// Reads labels, decides the task and accumulates the metrics of one model's outputs.
class Scorer {
 public:
  // Throws Error when the labels do not fit the model's output (count, values, classes).
  Scorer(const LabelledData& data, size_t output_elements, Task requested);
  // Scores sample i's output; returns the predicted class (-1 for regression).
  int64_t add(int64_t i, const std::vector<float>& output);
  // Fills the task, label format, metrics and sample count.
  void finish(EvalResult* r) const;
  Task task() const { return task_; }

 private:
  int64_t label_class(int64_t i) const;

  const LabelledData& data_;
  size_t output_elements_ = 0;
  size_t label_elements_ = 0;
  Task task_ = Task::kRegression;
  LabelFormat format_ = LabelFormat::kValues;
  int64_t classes_ = 0;
  int64_t samples_ = 0, correct_ = 0;
  double squared_error_ = 0, absolute_error_ = 0;
  std::vector<std::vector<int64_t>> confusion_;
};

// argmax (first maximum) of several values; one value: 1 when >= 0.5, else 0.
int64_t predicted_class(const std::vector<float>& output);

}  // namespace tinyforge::eval::detail
