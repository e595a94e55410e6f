// quantize(): checks, calibration when needed, and the pass for the mode.
#include "tinyforge/convert/quantize.h"

#include <algorithm>
#include <cmath>

#include "convert/quantize/passes.h"
#include "convert/quantize/tensor_data.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {

QuantMode parse_quant_mode(const std::string& name) {
  if (name == "float16") return QuantMode::kFloat16;
  if (name == "dynamic") return QuantMode::kDynamicRange;
  if (name == "int8") return QuantMode::kInt8;
  if (name == "int16x8") return QuantMode::kInt16x8;
  throw Error("unknown quantization mode '" + name + "' (valid: float16, dynamic, int8, int16x8)");
}

const char* quant_mode_name(QuantMode m) {
  switch (m) {
    case QuantMode::kFloat16: return "float16";
    case QuantMode::kDynamicRange: return "dynamic";
    case QuantMode::kInt8: return "int8";
    case QuantMode::kInt16x8: return "int16x8";
  }
  return "unknown";
}

namespace detail {

void check_float_graph(const Graph& g) {
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const GraphTensor& x = g.tensors[t];
    if (x.quant.quantized()) {
      throw Error("the graph is already quantized (" + tensor_label(g, static_cast<int32_t>(t)) +
                  " has quantization parameters); quantize the float32 model");
    }
    if (x.type == TensorType::kFloat32 && x.is_constant()) {
      for (float v : float_data(x)) {
        if (!std::isfinite(v)) {
          throw Error(tensor_label(g, static_cast<int32_t>(t)) + " holds a NaN or infinite value; fix the float model");
        }
      }
    }
    if (x.type == TensorType::kFloat16) {
      throw Error("the graph already holds float16 data (" + tensor_label(g, static_cast<int32_t>(t)) +
                  "); quantize the float32 model");
    }
  }
  for (int32_t in : g.inputs) {
    if (g.tensors[static_cast<size_t>(in)].type != TensorType::kFloat32) {
      throw Error("model input " + tensor_label(g, in) + " is " +
                  micro::type_name(g.tensors[static_cast<size_t>(in)].type) + "; quantization needs float32 inputs");
    }
  }
}

void update_versions(Graph& g) {
  for (GraphOp& o : g.ops) {
    if (o.builtin == micro::op::kCustom) continue;
    o.version = std::max(o.version, op_version(g, o));
  }
}

}  // namespace detail

QuantizeResult quantize_calibrated(const Graph& float_graph, const QuantizeOptions& options,
                                   const Calibration& calibration) {
  QuantizeResult r;
  switch (options.mode) {
    case QuantMode::kInt8:
    case QuantMode::kInt16x8: r = detail::quantize_integer(float_graph, options, calibration); break;
    case QuantMode::kFloat16: r = detail::quantize_float16(float_graph); break;
    case QuantMode::kDynamicRange: r = detail::quantize_dynamic_range(float_graph, options); break;
  }
  detail::update_metadata(r.graph);
  return r;
}

QuantizeResult quantize(const Graph& float_graph, const QuantizeOptions& options, const RepresentativeData* data) {
  if (options.mode == QuantMode::kFloat16 || options.mode == QuantMode::kDynamicRange) {
    return quantize_calibrated(float_graph, options, Calibration{});
  }
  if (data == nullptr || data->empty()) {
    throw Error(std::string(quant_mode_name(options.mode)) +
                " quantization needs a representative data set to calibrate activation ranges");
  }
  detail::check_float_graph(float_graph);
  detail::check_integer_ops(float_graph, options);  // before the (longer) calibration
  ObserverOptions obs = options.calibration;
  if (options.mode == QuantMode::kInt16x8) obs.mse_bits = 16;
  const Calibration cal = calibrate(float_graph, *data, obs);
  return quantize_calibrated(float_graph, options, cal);
}

}  // namespace tinyforge::convert
