#include "eval/sample_io.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "tinyforge/error.h"

namespace tinyforge::eval::detail {

namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The .npy dtype that holds a tensor type's bytes unchanged ("" when none).
const char* npy_dtype_of(micro::TensorType t) {
  switch (t) {
    case micro::TensorType::kFloat32: return "f4";
    case micro::TensorType::kInt8: return "i1";
    case micro::TensorType::kUInt8: return "u1";
    case micro::TensorType::kInt16: return "i2";
    case micro::TensorType::kInt32: return "i4";
    default: return "";
  }
}

template <typename T>
void quantize_into(void* dst, const NpyArray& x, size_t first, size_t n, float scale, int32_t zp) {
  constexpr long lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  T* q = static_cast<T*>(dst);
  for (size_t k = 0; k < n; ++k) {
    // Round half away from zero, as TFLite's QUANTIZE does. NaN and huge values are brought into a
    // range where the rounding and the zero-point addition cannot overflow (the result is clamped).
    double scaled = npy_element(x, first + k) / static_cast<double>(scale);
    scaled = std::isnan(scaled) ? 0.0 : std::clamp(scaled, -1e9, 1e9);
    const long v = std::lround(scaled) + zp;
    q[k] = static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
  }
}

double tensor_element(micro::TensorType type, const uint8_t* p) {
  switch (type) {
    case micro::TensorType::kFloat32: return load<float>(p);
    case micro::TensorType::kInt8: return static_cast<int8_t>(*p);
    case micro::TensorType::kUInt8: return *p;
    case micro::TensorType::kBool: return *p != 0;
    case micro::TensorType::kInt16: return load<int16_t>(p);
    case micro::TensorType::kInt32: return load<int32_t>(p);
    case micro::TensorType::kInt64: return static_cast<double>(load<int64_t>(p));
    case micro::TensorType::kFloat64: return load<double>(p);
    default: throw Error(std::string("cannot read values of type ") + micro::type_name(type));
  }
}

}  // namespace

double npy_element(const NpyArray& a, size_t index) {
  const uint8_t* p = a.data.data() + index * a.element_size();
  const std::string& d = a.dtype;
  if (d == "f4") return load<float>(p);
  if (d == "f8") return load<double>(p);
  if (d == "i1") return static_cast<int8_t>(*p);
  if (d == "u1" || d == "b1") return *p;
  if (d == "i2") return load<int16_t>(p);
  if (d == "u2") return load<uint16_t>(p);
  if (d == "i4") return load<int32_t>(p);
  if (d == "u4") return load<uint32_t>(p);
  if (d == "i8") return static_cast<double>(load<int64_t>(p));
  if (d == "u8") return static_cast<double>(load<uint64_t>(p));
  throw Error("unsupported .npy dtype '" + d + "' (use float, int or uint data)");
}

size_t sample_elements(const NpyArray& a) {
  size_t n = 1;
  for (size_t k = 1; k < a.shape.size(); ++k) n *= static_cast<size_t>(a.shape[k]);
  return n;
}

void check_sample_shape(const micro::Interpreter& interp, const NpyArray& x) {
  const micro::TensorInfo info = interp.input_info(0);
  const size_t n = sample_elements(x);
  if (static_cast<int64_t>(n) != info.shape.flat_size()) {
    throw Error("each sample has " + std::to_string(n) + " values but the model's input '" + info.name + "' holds " +
                std::to_string(info.shape.flat_size()));
  }
}

void set_sample_input(micro::Interpreter& interp, const NpyArray& x, int64_t i) {
  check_sample_shape(interp, x);
  const micro::TensorInfo info = interp.input_info(0);
  const size_t n = sample_elements(x);
  void* dst = interp.input_data(0);
  const size_t first = static_cast<size_t>(i) * n;
  if (x.dtype == npy_dtype_of(info.type)) {
    std::memcpy(dst, x.data.data() + first * x.element_size(), info.bytes);
    return;
  }
  const bool quantized = info.quant.count == 1;
  switch (info.type) {
    case micro::TensorType::kFloat32: {
      float* f = static_cast<float*>(dst);
      for (size_t k = 0; k < n; ++k) f[k] = static_cast<float>(npy_element(x, first + k));
      return;
    }
    case micro::TensorType::kInt8:
      if (quantized) return quantize_into<int8_t>(dst, x, first, n, info.quant.scale(0), info.quant.zero_point(0));
      break;
    case micro::TensorType::kUInt8:
      if (quantized) return quantize_into<uint8_t>(dst, x, first, n, info.quant.scale(0), info.quant.zero_point(0));
      break;
    case micro::TensorType::kInt16:
      if (quantized) return quantize_into<int16_t>(dst, x, first, n, info.quant.scale(0), info.quant.zero_point(0));
      break;
    default: break;
  }
  throw Error(std::string("samples of dtype '") + x.dtype + "' do not fit the model's input '" + info.name +
              "' of type " + micro::type_name(info.type) + (quantized ? "" : " without quantization parameters") +
              " (give data of dtype '" + npy_dtype_of(info.type) + "')");
}

std::vector<float> tensor_floats(const micro::TensorInfo& info, const void* data) {
  const size_t n = static_cast<size_t>(info.shape.flat_size());
  std::vector<float> out(n);
  const auto* p = static_cast<const uint8_t*>(data);
  const size_t size = micro::type_size(info.type);
  const bool quantized = info.quant.count > 0 && info.type != micro::TensorType::kFloat32;
  // Per-channel: the channel of element k is its index along quantized_dimension.
  size_t inner = 1;
  if (quantized && info.quant.count > 1) {
    for (int d = info.quant.quantized_dimension + 1; d < info.shape.rank; ++d) inner *= info.shape.dims[d];
  }
  for (size_t k = 0; k < n; ++k) {
    const double v = tensor_element(info.type, p + k * size);
    if (!quantized) {
      out[k] = static_cast<float>(v);
      continue;
    }
    const uint32_t c = info.quant.count > 1 ? static_cast<uint32_t>((k / inner) % info.quant.count) : 0;
    out[k] = static_cast<float>(info.quant.scale(c) * (v - info.quant.zero_point(c)));
  }
  return out;
}

std::vector<float> run_sample(micro::Interpreter& interp, const NpyArray& x, int64_t i, double* seconds) {
  // Samples are independent: recurrent state starts afresh for each.
  micro::Status s = interp.reset_state();
  if (s == micro::Status::kOk) {
    set_sample_input(interp, x, i);
    const auto t0 = std::chrono::steady_clock::now();
    s = interp.invoke();
    *seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (s != micro::Status::kOk) {
    throw Error("sample " + std::to_string(i) + ": " + micro::status_name(s) + ": " + interp.error());
  }
  return tensor_floats(interp.output_info(0), interp.output_data(0));
}

int64_t predicted_class(const std::vector<float>& output) {
  if (output.size() == 1) return output[0] >= 0.5f ? 1 : 0;
  int64_t best = 0;
  for (size_t k = 1; k < output.size(); ++k) {
    if (output[k] > output[static_cast<size_t>(best)]) best = static_cast<int64_t>(k);
  }
  return best;
}

}  // namespace tinyforge::eval::detail
