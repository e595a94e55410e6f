// The samples an image replays, and the host's predictions for the same samples.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "deploy/prediction.h"  // firmware/deploy: the image formats predictions with the same code
#include "tinyforge/deploy/baremetal.h"
#include "tinyforge/error.h"
#include "tinyforge/evaluate.h"
#include "tinyforge/npy.h"

namespace tinyforge::deploy {

namespace {

std::string npy_dtype_of(micro::TensorType t) {
  switch (t) {
    case micro::TensorType::kFloat32: return "f4";
    case micro::TensorType::kInt8: return "i1";
    case micro::TensorType::kUInt8: return "u1";
    case micro::TensorType::kInt16: return "i2";
    case micro::TensorType::kInt32: return "i4";
    case micro::TensorType::kInt64: return "i8";
    case micro::TensorType::kBool: return "b1";
    default: return "";
  }
}

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(dims[i]);
  }
  s += ']';
  return s;
}

template <typename T>
void quantize_into(const float* x, size_t n, float scale, int32_t zero_point, const std::string& path, uint8_t* out) {
  constexpr long lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) throw Error(path + ": element " + std::to_string(i) + " is not a finite number");
    // As `tinyforge run --input` and TFLite's quantize: round(x / scale) in float, half away from zero.
    const double q = static_cast<double>(std::round(x[i] / scale));
    // Clamp in double first: a huge value must saturate, not overflow the integer conversion.
    const long v =
        static_cast<long>(std::fmax(std::fmin(q + zero_point, static_cast<double>(hi)), static_cast<double>(lo)));
    const T t = static_cast<T>(v);
    std::memcpy(out + i * sizeof(T), &t, sizeof(T));
  }
}

firmware::OutputView output_view(micro::Interpreter& interp, const uint8_t* data) {
  const micro::TensorInfo info = interp.output_info(0);
  firmware::OutputView v;
  v.type = info.type;
  v.data = data;
  v.count = static_cast<uint32_t>(info.shape.flat_size());
  v.quantized = info.quant.count == 1 && info.type != micro::TensorType::kFloat32;
  v.scale = info.quant.scale(0);
  v.zero_point = info.quant.zero_point(0);
  return v;
}

}  // namespace

PredictionMode parse_prediction_mode(const std::string& name) {
  if (name == "auto") return PredictionMode::kAuto;
  if (name == "argmax") return PredictionMode::kArgmax;
  if (name == "values") return PredictionMode::kValues;
  throw Error("unknown prediction mode '" + name + "' (known: auto, argmax, values)");
}

namespace {

// "fashion-mnist[:test|:train]:N": the first N images (pixels in [0, 1], as training scales them).
bool is_fashion_mnist_spec(const std::string& spec) {
  return spec.rfind("fashion-mnist", 0) == 0;
}

NpyArray fashion_mnist_samples(const std::string& spec) {
  const auto colon = spec.find_last_of(':');
  char* end = nullptr;
  const long long n = colon == std::string::npos ? -1 : std::strtoll(spec.c_str() + colon + 1, &end, 10);
  if (n <= 0 || end == nullptr || *end != '\0')
    throw Error("--samples '" + spec + "': expected fashion-mnist[:test|:train]:N with N >= 1 images");
  const eval::LabelledData data = eval::load_fashion_mnist_data(spec.substr(0, colon));
  NpyArray a = data.x;
  const int64_t count = std::min<int64_t>(n, a.shape[0]);
  a.data.resize(a.data.size() / static_cast<size_t>(a.shape[0]) * static_cast<size_t>(count));
  a.shape[0] = count;
  return a;
}

}  // namespace

NpyArray read_sample_array(const std::string& spec) {
  return is_fashion_mnist_spec(spec) ? fashion_mnist_samples(spec) : read_npy(spec);
}

SampleSet load_samples(const ModelBytes& model, const std::string& npy_path) {
  Runner runner(model);
  micro::Interpreter& interp = runner.interpreter();
  if (interp.num_inputs() != 1) {
    throw Error("--samples needs a model with one input; this model has " + std::to_string(interp.num_inputs()) +
                " (leave --samples out to replay the TFLM input pattern on every input)");
  }
  const micro::TensorInfo info = interp.input_info(0);
  const NpyArray a = read_sample_array(npy_path);

  // Accepted shapes: [N, *input] and, for a batch-1 input, [N, *input[1:]].
  const std::vector<int64_t> input(info.shape.dims, info.shape.dims + info.shape.rank);
  const std::vector<int64_t> tail =
      a.shape.empty() ? std::vector<int64_t>{} : std::vector<int64_t>(a.shape.begin() + 1, a.shape.end());
  const bool batch_one = !input.empty() && input[0] == 1;
  const bool fits = !a.shape.empty() && a.shape[0] > 0 &&
                    (tail == input || (batch_one && tail == std::vector<int64_t>(input.begin() + 1, input.end())));
  if (!fits) {
    std::string expected = "[N," + shape_text(input).substr(1);
    if (batch_one) expected += " or [N," + shape_text(std::vector<int64_t>(input.begin() + 1, input.end())).substr(1);
    throw Error(npy_path + ": shape " + shape_text(a.shape) + " does not fit input '" + info.name + "' of shape " +
                shape_text(input) + " (expected " + expected + ", N >= 1 samples)");
  }

  SampleSet set;
  set.count = static_cast<size_t>(a.shape[0]);
  set.sample_bytes = info.bytes;
  set.source = npy_path;
  const size_t per_sample = static_cast<size_t>(info.shape.flat_size());
  const std::string want = npy_dtype_of(info.type);
  const bool quantized_int =
      info.quant.count == 1 && (info.type == micro::TensorType::kInt8 || info.type == micro::TensorType::kUInt8 ||
                                info.type == micro::TensorType::kInt16);
  if (!want.empty() && a.dtype == want) {
    set.bytes = a.data;
  } else if (a.dtype == "f4" && quantized_int) {
    set.bytes.assign(set.count * set.sample_bytes, 0);
    const float* x = reinterpret_cast<const float*>(a.data.data());
    const float scale = info.quant.scale(0);
    const int32_t zp = info.quant.zero_point(0);
    const size_t n = set.count * per_sample;
    if (info.type == micro::TensorType::kInt8) quantize_into<int8_t>(x, n, scale, zp, npy_path, set.bytes.data());
    if (info.type == micro::TensorType::kUInt8) quantize_into<uint8_t>(x, n, scale, zp, npy_path, set.bytes.data());
    if (info.type == micro::TensorType::kInt16) quantize_into<int16_t>(x, n, scale, zp, npy_path, set.bytes.data());
  } else {
    throw Error(npy_path + ": dtype '" + a.dtype + "' does not fit input '" + info.name + "' of type " +
                micro::type_name(info.type) + " (expected '" + want + "'" + (quantized_int ? " or float32 'f4'" : "") +
                ")");
  }
  if (set.bytes.size() != set.count * set.sample_bytes) {
    throw Error(npy_path + ": holds " + std::to_string(set.bytes.size()) + " bytes of data, expected " +
                std::to_string(set.count * set.sample_bytes));
  }
  return set;
}

SampleSet tflm_pattern_samples(const ModelBytes& model) {
  Runner runner(model);
  micro::Interpreter& interp = runner.interpreter();
  runner.fill_tflm_pattern();
  SampleSet set;
  set.count = 1;
  set.source = "tflm pattern";
  for (uint32_t k = 0; k < interp.num_inputs(); ++k) {
    const micro::TensorInfo info = interp.input_info(k);
    const auto* p = static_cast<const uint8_t*>(interp.input_data(k));
    if (!p) throw Error("input " + std::to_string(k) + " '" + info.name + "' has no memory to fill");
    set.bytes.insert(set.bytes.end(), p, p + info.bytes);
    set.sample_bytes += info.bytes;
  }
  return set;
}

bool predicts_argmax(const ModelBytes& model, PredictionMode mode) {
  Runner runner(model);
  micro::Interpreter& interp = runner.interpreter();
  if (interp.num_outputs() == 0) throw Error("the model has no outputs");
  const micro::TensorInfo out = interp.output_info(0);
  if (!firmware::supported_prediction_type(out.type)) {
    throw Error(std::string("output 0 '") + out.name + "' is " + micro::type_name(out.type) +
                ": predictions are printed for float32, int8, uint8, int16 and int32 outputs only");
  }
  if (mode == PredictionMode::kAuto) return out.shape.flat_size() > 1;
  return mode == PredictionMode::kArgmax;
}

std::vector<Prediction> host_predictions(const ModelBytes& model, const SampleSet& samples, bool argmax) {
  Runner runner(model);
  micro::Interpreter& interp = runner.interpreter();
  std::vector<Prediction> out;
  for (size_t s = 0; s < samples.count; ++s) {
    const uint8_t* sample = samples.bytes.data() + s * samples.sample_bytes;
    for (uint32_t k = 0; k < interp.num_inputs(); ++k) {
      const uint32_t bytes = interp.input_info(k).bytes;
      runner.set_input(k, sample, bytes);
      sample += bytes;
    }
    runner.invoke();
    const std::vector<uint8_t> output0 = runner.output_bytes(0);
    char buf[512];
    firmware::Text text(buf, sizeof buf);
    if (!firmware::format_prediction(output_view(interp, output0.data()), argmax, &text)) {
      throw Error("output 0 has no prediction rule for its type");
    }
    out.push_back({text.c_str(), hex16(runner.outputs_fnv1a64())});
  }
  return out;
}

}  // namespace tinyforge::deploy
