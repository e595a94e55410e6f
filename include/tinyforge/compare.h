// Two models of the same network (say float and int8) on the same labelled data: the accuracy
// of both, how often they agree, and where the second one departs from the first, layer by
// layer, as SQNR in dB, to find the layer that quantization hurts.
//
// Tensors are matched (A -> B), every A tensor at most once, in this order:
//   1. "name":       an operator output of B with the same name and element count;
//   2. "model output": model output k of A with model output k of B;
//   3. "op order":   the output of the n-th operator of some opcode in A with the output of the
//                    n-th operator of that opcode in B (QUANTIZE and DEQUANTIZE ops are not
//                    counted: they are what a converter adds at a quantized model's edges).
// Both sides are dequantized to float. SQNR = 10 log10(sum A^2 / sum (B - A)^2), sums over
// every element of every sample (total signal power over total noise power).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tinyforge/evaluate.h"

namespace tinyforge::eval {

struct LayerError {
  uint32_t op_a = 0;   // the operator of A that writes the tensor (execution order)
  std::string opcode;  // of that operator
  int32_t tensor_a = -1, tensor_b = -1;
  std::string name_a, name_b;
  std::string matched_by;   // "name", "model output", "op order"
  int64_t elements = 0;     // per sample
  double signal_power = 0;  // sum of A^2 over all samples
  double noise_power = 0;   // sum of (B - A)^2
  double sqnr_db = 0;       // +inf when B equals A; -inf when A is all zero and B is not
  double max_abs_error = 0;
  bool worst = false;  // the lowest SQNR of all matched tensors
};

struct CompareResult {
  EvalResult a, b;
  int64_t agreeing = 0;                // samples where both predict the same class (classification)
  double agreement = 0;                // agreeing / samples
  std::vector<LayerError> layers;      // A's execution order
  std::vector<std::string> unmatched;  // A's operator outputs without a partner in B
};

// Throws Error when either model cannot run the data (see evaluate_model) or the outputs differ
// in size.
CompareResult compare_models(const ModelBytes& a, const ModelBytes& b, const LabelledData& data,
                             const EvalOptions& options = {});

std::string compare_text(const CompareResult& r, const std::string& name_a, const std::string& name_b);
nlohmann::json compare_json(const CompareResult& r);

}  // namespace tinyforge::eval
