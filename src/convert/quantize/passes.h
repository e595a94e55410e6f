// The quantization passes behind quantize(); each takes a float32 graph and returns the result.
#pragma once

#include <string>

#include "tinyforge/convert/quantize.h"

namespace tinyforge::convert::detail {

QuantizeResult quantize_integer(const Graph& float_graph, const QuantizeOptions& options,
                                const Calibration& calibration);
QuantizeResult quantize_float16(const Graph& float_graph);
// Throws Error listing every op without a kernel for the integer mode, or a wrong io_type.
void check_integer_ops(const Graph& float_graph, const QuantizeOptions& options);
QuantizeResult quantize_dynamic_range(const Graph& float_graph, const QuantizeOptions& options);

// Throws Error naming the first tensor that shows the graph is not a plain float32 graph
// (quantization parameters, or a non-float activation where the ops need float ones).
void check_float_graph(const Graph& g);

// Bias correction (see bias_correction.cc): the float bias of a weighted op, shifted by the mean
// error the quantized weights add to its outputs given the mean of its input.
std::vector<float> corrected_bias(const GraphOp& op, const GraphTensor& weights, const std::vector<int8_t>& q,
                                  const QuantParams& wq, const std::vector<float>& bias,
                                  const std::vector<double>& input_means);

// TF's "min_runtime_version" for the graph's (op, version) pairs ("" when none is known), and
// the metadata update every pass ends with: that version stored, the float conversion's record
// (CONVERSION_METADATA) dropped.
std::string min_runtime_version(const Graph& g);
void update_metadata(Graph& g);

// Sets every op's version to what TF's converter writes for its types (never lowering one).
void update_versions(Graph& g);

}  // namespace tinyforge::convert::detail
