#include "convert/quantize/tensor_data.h"

#include <cmath>

#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

std::vector<float> float_data(const GraphTensor& t) {
  if (t.type != TensorType::kFloat32) {
    throw Error("tensor '" + t.name + "' is " + micro::type_name(t.type) + ", expected FLOAT32");
  }
  std::vector<float> out(t.data.size() / sizeof(float));
  if (!out.empty()) std::memcpy(out.data(), t.data.data(), out.size() * sizeof(float));
  return out;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof(x));
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));  // inf / NaN
  const int32_t e = static_cast<int32_t>(exp) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);  // too large: infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit into place.
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    const uint32_t shift = static_cast<uint32_t>(14 - e);
    uint32_t half = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rest = mant & 0x1fffu;
  // Rounding may carry into the exponent, which is still the right result (up to infinity).
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<uint16_t>(sign | half);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) ? 1u : 0u;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? NAN : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400u), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

std::string op_label(const Graph& g, size_t op_index) {
  const GraphOp& op = g.ops[op_index];
  const std::string name =
      op.builtin == micro::op::kCustom ? "CUSTOM(" + op.custom_code + ")" : micro::builtin_op_name(op.builtin);
  return "op " + std::to_string(op_index) + " (" + name + ")";
}

std::string tensor_label(const Graph& g, int32_t tensor) {
  return "tensor " + std::to_string(tensor) + " '" + g.tensors[static_cast<size_t>(tensor)].name + "'";
}

}  // namespace tinyforge::convert::detail
