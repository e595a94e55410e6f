// Small helpers the quantization passes share: typed views of a GraphTensor's constant bytes,
// float16 conversion, and op/tensor labels for error messages.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tinyforge/convert/graph.h"

namespace tinyforge::convert::detail {

// Constant data as floats (the tensor must be float32).
std::vector<float> float_data(const GraphTensor& t);

template <typename T>
std::vector<uint8_t> to_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// IEEE 754 binary32 -> binary16, round to nearest even; overflow gives infinity, NaN stays NaN.
uint16_t float_to_half(float f);
float half_to_float(uint16_t h);

std::string op_label(const Graph& g, size_t op_index);
std::string tensor_label(const Graph& g, int32_t tensor);

}  // namespace tinyforge::convert::detail
