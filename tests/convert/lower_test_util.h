// Shared by the lowering tests: seeded non-trivial weights, seeded inputs, running a lowered
// graph in the micro runtime and in Arm NN, and comparing with nn::Model::predict.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tinyforge/convert/graph.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::convert::test_lower {

// Gives every weight seeded values a default initializer would not (biases, BN gamma/beta and
// moving statistics, Normalization stats), so folding mistakes change outputs.
void randomize_weights(nn::Model& model, uint64_t seed);
// One batch-1 input per model input, N(0, 1) from `seed`.
std::vector<nn::Tensor> seeded_inputs(const nn::Model& model, uint64_t seed);

// Writes the graph and runs it once in the micro runtime; one float vector per output.
std::vector<std::vector<float>> run_micro(const Graph& g, const std::vector<nn::Tensor>& inputs);
// nn::Model::predict (the training engine's own inference), flattened per output.
std::vector<std::vector<float>> run_nn(nn::Model& model, const std::vector<nn::Tensor>& inputs);
// The Arm NN oracle on the written graph; empty with the reason in `error` when it rejects it.
std::vector<std::vector<float>> run_armnn(const Graph& g, const std::vector<nn::Tensor>& inputs, std::string* error);

// Builtin names of the ops in order, e.g. {"CONV_2D", "MAX_POOL_2D", ...}.
std::vector<std::string> op_names(const Graph& g);

// The largest |a - b| / (|b| + floor) over all values (sizes must match; +inf if not).
double max_relative_error(const std::vector<float>& a, const std::vector<float>& b, double floor);
// Arm NN vs ours: max |a - b| / (|b| + floor) with floor = 1e-3 * max|b|: relative per value,
// except that values within a thousandth of the output's scale (differences of much larger
// terms) are compared against that floor. Tests require <= 1e-5.
double armnn_error(const std::vector<float>& armnn, const std::vector<float>& ours);
// max |a - b| / max |b|: the error relative to the output's scale (+inf on size mismatch).
double scaled_error(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace tinyforge::convert::test_lower
