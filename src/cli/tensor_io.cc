#include "cli/tensor_io.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "tinyforge/error.h"
#include "tinyforge/npy.h"

namespace tinyforge::cli {

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
    case micro::TensorType::kFloat64: return "f8";
    default: return "?";
  }
}

template <typename T>
std::vector<uint8_t> quantize_floats(const float* x, size_t n, float scale, int32_t zp, int32_t lo, int32_t hi) {
  std::vector<uint8_t> out(n * sizeof(T));
  T* q = reinterpret_cast<T*>(out.data());
  for (size_t i = 0; i < n; ++i) {
    const long v = std::lround(x[i] / scale) + zp;
    q[i] = static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
  }
  return out;
}

}  // namespace

void load_input_npy(Runner& runner, uint32_t i, const std::string& path) {
  const NpyArray a = read_npy(path);
  const micro::TensorInfo info = runner.interpreter().input_info(i);
  const size_t count = static_cast<size_t>(info.shape.flat_size());
  if (a.element_count() != count) {
    throw Error(path + ": has " + std::to_string(a.element_count()) + " elements, input " + std::to_string(i) + " '" +
                info.name + "' needs " + std::to_string(count));
  }
  const std::string want = npy_dtype_of(info.type);
  if (a.dtype == want) {
    runner.set_input(i, a.data.data(), a.data.size());
    return;
  }
  const bool quantized_int = info.quant.count == 1 && (info.type == micro::TensorType::kInt8 ||
                                                       info.type == micro::TensorType::kUInt8 ||
                                                       info.type == micro::TensorType::kInt16);
  if (a.dtype == "f4" && quantized_int) {
    const float* x = reinterpret_cast<const float*>(a.data.data());
    const float s = info.quant.scale(0);
    const int32_t zp = info.quant.zero_point(0);
    std::vector<uint8_t> q;
    if (info.type == micro::TensorType::kInt8) q = quantize_floats<int8_t>(x, count, s, zp, -128, 127);
    if (info.type == micro::TensorType::kUInt8) q = quantize_floats<uint8_t>(x, count, s, zp, 0, 255);
    if (info.type == micro::TensorType::kInt16) q = quantize_floats<int16_t>(x, count, s, zp, -32768, 32767);
    runner.set_input(i, q.data(), q.size());
    return;
  }
  throw Error(path + ": dtype '" + a.dtype + "' does not fit input " + std::to_string(i) + " '" + info.name + "' of type " +
              micro::type_name(info.type) + " (expected '" + want + "'" + (quantized_int ? " or float32 'f4'" : "") + ")");
}

nlohmann::json output_json(const Runner& runner, uint32_t i) {
  Runner& r = const_cast<Runner&>(runner);
  const micro::TensorInfo info = r.interpreter().output_info(i);
  const std::vector<uint8_t> bytes = runner.output_bytes(i);
  nlohmann::json values = nlohmann::json::array();
  const size_t n = static_cast<size_t>(info.shape.flat_size());
  for (size_t k = 0; k < n; ++k) {
    const uint8_t* p = bytes.data() + k * micro::type_size(info.type);
    switch (info.type) {
      case micro::TensorType::kFloat32: { float v; std::memcpy(&v, p, 4); values.push_back(v); break; }
      case micro::TensorType::kInt8: values.push_back(static_cast<int8_t>(*p)); break;
      case micro::TensorType::kUInt8: values.push_back(*p); break;
      case micro::TensorType::kBool: values.push_back(*p != 0); break;
      case micro::TensorType::kInt16: { int16_t v; std::memcpy(&v, p, 2); values.push_back(v); break; }
      case micro::TensorType::kInt32: { int32_t v; std::memcpy(&v, p, 4); values.push_back(v); break; }
      case micro::TensorType::kInt64: { int64_t v; std::memcpy(&v, p, 8); values.push_back(v); break; }
      default: values.push_back(nullptr); break;
    }
  }
  std::vector<int32_t> shape(info.shape.dims, info.shape.dims + info.shape.rank);
  return {{"index", i}, {"name", info.name}, {"type", micro::type_name(info.type)}, {"shape", shape},
          {"fnv1a64", hex16(fnv1a64(bytes.data(), bytes.size()))}, {"values", values}};
}

}  // namespace tinyforge::cli
