#include "deploy/replay_samples.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tinyforge/error.h"

namespace tinyforge::deploy {

namespace {

using micro::TensorType;

constexpr uint32_t kMaxSamples = 256;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

const char* npy_dtype_of(TensorType type) {
  switch (type) {
    case TensorType::kInt8: return "i1";
    case TensorType::kUInt8: return "u1";
    case TensorType::kInt16: return "i2";
    case TensorType::kInt32: return "i4";
    case TensorType::kFloat32: return "f4";
    case TensorType::kBool: return "b1";
    default: return nullptr;
  }
}

void put_random(TensorType type, uint64_t r, uint8_t* dst) {
  const int32_t s = static_cast<int32_t>(r & 0xff) - 128;
  switch (type) {
    case TensorType::kInt8: *reinterpret_cast<int8_t*>(dst) = static_cast<int8_t>(s); break;
    case TensorType::kUInt8: *dst = static_cast<uint8_t>(s + 128); break;
    case TensorType::kInt16: {
      const int16_t v = static_cast<int16_t>(static_cast<uint16_t>(r & 0xffff));
      std::memcpy(dst, &v, 2);
      break;
    }
    case TensorType::kInt32: std::memcpy(dst, &s, 4); break;
    case TensorType::kFloat32: {
      const float v = static_cast<float>(s) / 128.0f;  // exact, in [-1, 1)
      std::memcpy(dst, &v, 4);
      break;
    }
    case TensorType::kBool: *dst = static_cast<uint8_t>(r & 1); break;
    default: break;
  }
}

}  // namespace

ReplaySampleSet default_replay_samples(const std::vector<uint8_t>& pattern, const micro::TensorInfo& input,
                                       uint32_t count, uint64_t seed) {
  if (count == 0 || count > kMaxSamples) throw Error(fmt::format("--num-samples must be 1..{}", kMaxSamples));
  if (pattern.size() != input.bytes) throw Error("internal: pattern size differs from the input size");
  const uint32_t elements = static_cast<uint32_t>(input.shape.flat_size());
  const uint32_t element_size = elements ? input.bytes / elements : 0;
  if (npy_dtype_of(input.type) == nullptr || element_size == 0) {
    throw Error(fmt::format("replay samples for a {} input are not supported", micro::type_name(input.type)));
  }
  ReplaySampleSet set;
  set.sample_bytes = input.bytes;
  set.count = count;
  set.bytes = pattern;
  set.bytes.resize(static_cast<size_t>(count) * input.bytes);
  uint64_t state = seed;
  for (uint32_t s = 1; s < count; ++s) {
    for (uint32_t i = 0; i < elements; ++i) {
      put_random(input.type, splitmix64(state),
                 set.bytes.data() + static_cast<size_t>(s) * input.bytes + i * element_size);
    }
  }
  set.origin = fmt::format("sample 0: the TFLite Micro golden input pattern; samples 1..{}: pseudo-random, seed {}",
                           count - 1, seed);
  return set;
}

ReplaySampleSet replay_samples_from_npy(const NpyArray& array, const micro::TensorInfo& input,
                                        const std::string& what) {
  const char* want = npy_dtype_of(input.type);
  if (want == nullptr) {
    throw Error(fmt::format("replay samples for a {} input are not supported", micro::type_name(input.type)));
  }
  const bool quantize =
      array.dtype == "f4" && input.quant.count != 0 &&
      (input.type == TensorType::kInt8 || input.type == TensorType::kUInt8 || input.type == TensorType::kInt16);
  if (array.dtype != want && !quantize) {
    throw Error(fmt::format("{}: dtype '{}' does not match the model input ({}, npy '{}'{})", what, array.dtype,
                            micro::type_name(input.type), want,
                            input.quant.count != 0 ? " or float32 to be quantized" : ""));
  }
  const size_t per_sample = static_cast<size_t>(input.shape.flat_size());
  const size_t total = array.element_count();
  if (per_sample == 0 || total == 0 || total % per_sample != 0) {
    throw Error(
        fmt::format("{}: {} elements is not a whole number of model inputs of {} elements", what, total, per_sample));
  }
  const size_t count = total / per_sample;
  if (count > kMaxSamples)
    throw Error(fmt::format("{}: {} samples, at most {} fit a firmware", what, count, kMaxSamples));
  ReplaySampleSet set;
  set.sample_bytes = input.bytes;
  set.count = static_cast<uint32_t>(count);
  set.origin = fmt::format("{} samples from {}", count, what);
  if (!quantize) {
    set.bytes = array.data;
    return set;
  }
  const float scale = input.quant.scale(0);
  const int32_t zero_point = input.quant.zero_point(0);
  const int32_t lo = input.type == TensorType::kInt8 ? -128 : input.type == TensorType::kUInt8 ? 0 : -32768;
  const int32_t hi = input.type == TensorType::kInt8 ? 127 : input.type == TensorType::kUInt8 ? 255 : 32767;
  const size_t element_size = input.type == TensorType::kInt16 ? 2 : 1;
  set.bytes.resize(total * element_size);
  for (size_t i = 0; i < total; ++i) {
    float v;
    std::memcpy(&v, array.data.data() + 4 * i, 4);
    if (!std::isfinite(v)) throw Error(fmt::format("{}: element {} is not a finite number", what, i));
    const double q = std::round(static_cast<double>(v) / scale) + zero_point;  // round half away from zero
    const int32_t c = static_cast<int32_t>(std::clamp(q, static_cast<double>(lo), static_cast<double>(hi)));
    if (element_size == 1) {
      set.bytes[i] = static_cast<uint8_t>(c & 0xff);
    } else {
      const int16_t v16 = static_cast<int16_t>(c);
      std::memcpy(set.bytes.data() + 2 * i, &v16, 2);
    }
  }
  return set;
}

std::string replay_samples_header() {
  return "// Generated by tinyforge deploy esp-idf: the replay samples compiled into the firmware.\n"
         "#pragma once\n\n#include \"tinyforge/app/replay_source.h\"\n\n"
         "extern const tinyforge::app::ReplaySamples kReplaySamples;\n";
}

std::string replay_samples_source(const ReplaySampleSet& samples) {
  std::string s = "// Generated by tinyforge deploy esp-idf: do not edit.\n// " + samples.origin +
                  "\n#include \"replay_samples.h\"\n\nnamespace {\n\n";
  s += fmt::format("alignas(16) const uint8_t kSampleBytes[{}] = {{\n", samples.bytes.size());
  for (size_t i = 0; i < samples.bytes.size(); ++i) {
    if (i % 12 == 0) s += "  ";
    s += fmt::format("0x{:02x},", samples.bytes[i]);
    s += (i % 12 == 11 || i + 1 == samples.bytes.size()) ? "\n" : " ";
  }
  s += "};\n\n}  // namespace\n\n";
  s += fmt::format("const tinyforge::app::ReplaySamples kReplaySamples = {{kSampleBytes, {}u, {}u}};\n",
                   samples.sample_bytes, samples.count);
  return s;
}

}  // namespace tinyforge::deploy
