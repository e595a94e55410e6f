// Loading labelled data sets for evaluation: Fashion-MNIST from Debian's package, or .npy pairs.
#include <cstring>
#include <string>

#include "eval/sample_io.h"
#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"

namespace tinyforge::eval {

namespace {

NpyArray float_array(const nn::Tensor& t) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = t.shape();
  a.data.resize(static_cast<size_t>(t.size()) * sizeof(float));
  if (t.size() > 0) std::memcpy(a.data.data(), t.data(), a.data.size());
  return a;
}

}  // namespace

LabelledData load_fashion_mnist_data(const std::string& spec) {
  std::string part;
  if (spec == "fashion-mnist" || spec == "fashion-mnist:test") {
    part = "t10k";
  } else if (spec == "fashion-mnist:train") {
    part = "train";
  } else {
    throw Error("unknown data set '" + spec + "' (known: fashion-mnist, fashion-mnist:test, fashion-mnist:train)");
  }
  nn::Tensor x, y;
  // The loader scales pixels to [0, 1] exactly as training does.
  data::load_fashion_mnist_part(data::fashion_mnist_dir(), part, x, y);
  LabelledData d;
  d.source = part == "t10k" ? "fashion-mnist:test" : "fashion-mnist:train";
  d.x = float_array(x);
  d.y = float_array(y);
  d.class_names.assign(data::kFashionMnistClasses.begin(), data::kFashionMnistClasses.end());
  return d;
}

void validate(const LabelledData& d) {
  const std::string what = d.source.empty() ? "data" : d.source;
  if (d.x.shape.empty()) throw Error(what + ": samples need a first (sample) dimension; x is a scalar");
  if (d.y.shape.empty()) throw Error(what + ": labels need a first (sample) dimension; y is a scalar");
  if (d.x.shape[0] != d.y.shape[0]) {
    throw Error(what + ": " + std::to_string(d.x.shape[0]) + " samples but " + std::to_string(d.y.shape[0]) +
                " labels");
  }
  if (d.x.shape[0] == 0) throw Error(what + ": no samples");
  for (const NpyArray* a : {&d.x, &d.y}) {
    if (a->element_count() > 0) detail::npy_element(*a, 0);  // throws for dtypes with no numeric meaning
  }
}

LabelledData load_npy_data(const std::string& x_path, const std::string& y_path) {
  LabelledData d;
  d.source = x_path + " + " + y_path;
  d.x = read_npy(x_path);
  d.y = read_npy(y_path);
  validate(d);
  return d;
}

Task parse_task(const std::string& name) {
  if (name == "auto") return Task::kAuto;
  if (name == "classification") return Task::kClassification;
  if (name == "regression") return Task::kRegression;
  throw Error("unknown task '" + name + "' (known: auto, classification, regression)");
}

const char* task_name(Task task) {
  switch (task) {
    case Task::kAuto: return "auto";
    case Task::kClassification: return "classification";
    case Task::kRegression: return "regression";
  }
  return "?";
}

const char* label_format_name(LabelFormat f) {
  switch (f) {
    case LabelFormat::kClassIndex: return "class indices";
    case LabelFormat::kOneHot: return "one-hot";
    case LabelFormat::kValues: return "values";
  }
  return "?";
}

}  // namespace tinyforge::eval
