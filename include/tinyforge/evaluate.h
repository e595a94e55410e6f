// Measuring a .tflite model on a labelled data set with the micro runtime: every sample goes
// through the same interpreter and kernels that run on the chip (DESIGN principle 1), so the
// accuracy printed here is the accuracy of the deployed model.
//
//   auto data = eval::load_fashion_mnist_data("fashion-mnist:test");
//   eval::EvalResult r = eval::evaluate_model(ModelBytes::load("model.tflite"), data);
//   std::puts(eval::eval_text(r).c_str());
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge::eval {

// Samples and labels, first dimension N. x holds one model input per sample (any numeric
// dtype); y holds class indices ([N] or [N,1]), one-hot rows ([N,K]) or regression targets.
struct LabelledData {
  std::string source;  // for reports: "fashion-mnist:test", "x.npy + y.npy"
  NpyArray x;
  NpyArray y;
  std::vector<std::string> class_names;  // optional, for reports (Fashion-MNIST's ten)

  int64_t size() const { return x.shape.empty() ? 0 : x.shape[0]; }
};

// "fashion-mnist" or "fashion-mnist:test" (the 10000 test images), "fashion-mnist:train" (60000).
// Pixels are scaled to [0, 1] as the training data loader scales them. Throws Error for another
// spec or missing files (naming the Debian package).
LabelledData load_fashion_mnist_data(const std::string& spec);
// X.npy and Y.npy with the same first dimension. Throws Error naming the file and the problem.
LabelledData load_npy_data(const std::string& x_path, const std::string& y_path);
// Checks shapes and dtypes (as load_npy_data does) for data made in memory.
void validate(const LabelledData& data);

enum class Task { kAuto, kClassification, kRegression };
// "auto", "classification", "regression"; throws Error otherwise.
Task parse_task(const std::string& name);
const char* task_name(Task task);

struct EvalOptions {
  Task task = Task::kAuto;
  int64_t limit = 0;  // 0: every sample; else the first `limit`
};

// How the labels were read (auto: class indices when the label is one value and the model has
// several outputs; one-hot when label rows have the output's length and are all 0/1 with one 1;
// otherwise regression targets).
enum class LabelFormat { kClassIndex, kOneHot, kValues };
const char* label_format_name(LabelFormat f);

struct EvalResult {
  std::string source;
  Task task = Task::kClassification;  // resolved, never kAuto
  LabelFormat label_format = LabelFormat::kClassIndex;
  int64_t samples = 0;
  // Classification: predicted class = argmax of output 0 (one output value: >= 0.5 is class 1).
  int64_t num_classes = 0;
  int64_t correct = 0;
  double accuracy = 0;
  std::vector<std::vector<int64_t>> confusion;  // [true class][predicted class]
  std::vector<std::string> class_names;         // from the data set, when it names its classes
  // Regression: over every output element of every sample, on dequantized outputs.
  double mse = 0;
  double mae = 0;
  double invoke_seconds = 0;  // wall time of the invokes alone (not asserted anywhere)
  size_t arena_bytes = 0;
};

// Runs every sample (the first options.limit) through the model. The model needs one input
// whose element count equals a sample's; float samples are quantized with the input's scale
// and zero point, samples whose dtype is the input's are copied as they are. Recurrent state
// is reset before each sample. Throws Error naming the problem.
EvalResult evaluate_model(const ModelBytes& model, const LabelledData& data, const EvalOptions& options = {});

// Text for people (with the confusion matrix when with_confusion) and JSON for tools.
std::string eval_text(const EvalResult& r, bool with_confusion = true);
nlohmann::json eval_json(const EvalResult& r);

}  // namespace tinyforge::eval
