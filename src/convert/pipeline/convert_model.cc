// convert_model(): load or lower to a float32 Graph, quantize in the requested mode, write the
// .tflite and record the exact arena the micro runtime plans for it (see pipeline.h).
#include <algorithm>
#include <filesystem>

#include "tinyforge/convert/arena_metadata.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/convert/pipeline.h"
#include "tinyforge/convert/quantize.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/file_util.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_float_graph(const Graph& g) {
  return std::none_of(g.tensors.begin(), g.tensors.end(), [](const GraphTensor& t) {
    return t.type != TensorType::kFloat32 && t.type != TensorType::kInt32 && t.type != TensorType::kInt64;
  });
}

Graph load_float_graph(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(path + ": no such file");
  if (ends_with(path, ".tfm")) return lower_model_file(path);
  if (ends_with(path, ".tflite")) return read_tflite(read_file_bytes(path));
  throw Error(path + ": unknown model file type (expected a TinyForge model .tfm or a TFLite model .tflite)");
}

TensorType parse_io(const std::string& io, QuantMode mode) {
  if (io.empty()) return mode == QuantMode::kInt16x8 ? TensorType::kInt16 : TensorType::kInt8;
  if (io == "int8") return TensorType::kInt8;
  if (io == "uint8") return TensorType::kUInt8;
  if (io == "int16") return TensorType::kInt16;
  if (io == "float" || io == "float32") return TensorType::kFloat32;
  throw Error("--io '" + io + "': expected int8, uint8, int16 or float");
}

int64_t planned_arena(const std::vector<uint8_t>& bytes) {
  try {
    return static_cast<int64_t>(exact_arena_bytes(ModelBytes(bytes)));
  } catch (const Error&) {
    return -1;  // e.g. hybrid (dynamic-range) ops, which the micro runtime does not run
  }
}

}  // namespace

ConvertResult convert_model(const ConvertRequest& request) {
  ConvertResult r;
  const Graph source = load_float_graph(request.input_path);
  r.input_file_bytes = std::filesystem::file_size(request.input_path);
  const bool integer_mode = request.mode == "int8" || request.mode == "int16x8";
  if (!request.io.empty() && !integer_mode)
    throw Error("--io applies to --to int8 or int16x8 only (a " + request.mode +
                " model keeps float inputs and outputs)");
  if (!request.representative.empty() && !integer_mode)
    throw Error("--representative applies to --to int8 or int16x8 only (" + request.mode + " needs no calibration)");

  if (request.mode == "float32") {
    r.graph = source;
  } else {
    if (!is_float_graph(source))
      throw Error(request.input_path + " is already quantized; convert its float32 model instead");
    const QuantMode mode = parse_quant_mode(request.mode);
    QuantizeOptions options;
    options.mode = mode;
    options.calibration = request.calibration;
    options.per_channel_fc = request.per_channel_fc;
    options.bias_correction = request.bias_correction;
    RepresentativeData data;
    if (integer_mode) {
      options.io_type = parse_io(request.io, mode);
      if (request.representative.empty())
        throw Error("--to " + request.mode +
                    " needs representative data to calibrate activation ranges: --representative X.npy (N x input "
                    "shape) or fashion-mnist[:N]");
      data = load_representative(request.representative, source, request.max_samples);
      r.representative_samples = static_cast<int64_t>(data.size());
    }
    QuantizeResult q = quantize(source, options, integer_mode ? &data : nullptr);
    r.graph = std::move(q.graph);
    r.warnings = std::move(q.warnings);
    r.ranges = std::move(q.ranges);
  }
  r.float_tflite_bytes = is_float_graph(source) ? write_tflite(source).size() : 0;
  r.bytes = write_tflite(r.graph);
  r.arena_bytes = planned_arena(r.bytes);
  // Firmware reads its arena size from the model (arena_metadata.h); the record does not change the plan.
  if (r.arena_bytes >= 0) r.bytes = write_tflite_with_arena(r.graph);
  return r;
}

}  // namespace tinyforge::convert
