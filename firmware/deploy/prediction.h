// How a deployed image turns a model's first output into a prediction line, shared by the
// firmware (deploy_main.cc) and the host (src/deploy/), so the host's expected line and the
// chip's printed line come from the same code and compare as text.
//
//   argmax: "class=<index> score=<value>"  (index of the largest element; the first on ties)
//   values: "values=<v0>,<v1>,..."         (every element, at most kMaxPrintedValues)
//
// A value is the element dequantized ((q - zero_point) * scale, in float, for quantized
// integer outputs), else the element itself, printed with six decimals like printf's "%.6f".
// Only integer arithmetic and one float multiply are used: no printf float engine (picolibc's
// small printf has none) and no float comparisons (lx106 has no FPU and few soft-float helpers).
// C headers only, C++17: this is compiled for every MCU target too.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tinyforge/micro/types.h"

namespace tinyforge {
namespace firmware {

constexpr uint32_t kMaxPrintedValues = 16;

// A fixed-capacity text buffer; output past the capacity is dropped, never overflows.
class Text {
 public:
  Text(char* buf, size_t capacity) : buf_(buf), cap_(capacity) { terminate(); }
  void add(const char* s) {
    while (*s) put(*s++);
    terminate();
  }
  void add_u64(uint64_t v) {
    char digits[21];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10u);
      v /= 10u;
    } while (v != 0u);
    while (n) put(digits[--n]);
    terminate();
  }
  void add_i64(int64_t v) {
    if (v < 0) put('-');
    add_u64(v < 0 ? 0u - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
  }
  void add_hex32(uint32_t v) {
    add("0x");
    for (int shift = 28; shift >= 0; shift -= 4) put("0123456789abcdef"[(v >> shift) & 0xfu]);
    terminate();
  }
  // The float as printf("%.6f") prints it (round half to even on the exact binary value).
  // Magnitudes of 2^43 and above (far beyond any model output) print as their IEEE bits.
  void add_fixed6(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    const bool negative = (bits >> 31) != 0u;
    const int32_t biased = static_cast<int32_t>((bits >> 23) & 0xffu);
    uint32_t mantissa = bits & 0x7fffffu;
    if (biased == 0xff) {
      add(mantissa != 0u ? (negative ? "-nan" : "nan") : (negative ? "-inf" : "inf"));
      return;
    }
    if (negative) put('-');
    int32_t exponent;  // value = mantissa * 2^exponent
    if (biased == 0) {
      exponent = -149;  // subnormal
    } else {
      mantissa |= 0x800000u;
      exponent = biased - 150;
    }
    if (exponent >= 20) {  // >= 2^43: the scaled value would not fit 64 bits
      add_hex32(bits);
      return;
    }
    // scaled = round(value * 10^6): mantissa < 2^24 and 10^6 < 2^20, so the product fits 44 bits.
    uint64_t scaled = static_cast<uint64_t>(mantissa) * 1000000u;
    if (exponent >= 0) {
      scaled <<= exponent;
    } else if (exponent < -45) {
      scaled = 0;  // below 2^-45 * 2^44: less than half a unit of the last decimal
    } else {
      const uint32_t shift = static_cast<uint32_t>(-exponent);
      const uint64_t quotient = scaled >> shift;
      const uint64_t remainder = scaled & ((uint64_t{1} << shift) - 1u);
      const uint64_t half = uint64_t{1} << (shift - 1u);
      scaled = quotient + ((remainder > half || (remainder == half && (quotient & 1u))) ? 1u : 0u);
    }
    add_u64(scaled / 1000000u);
    put('.');
    const uint32_t fraction = static_cast<uint32_t>(scaled % 1000000u);
    for (uint32_t div = 100000u; div != 0u; div /= 10u) put(static_cast<char>('0' + fraction / div % 10u));
    terminate();
  }
  const char* c_str() const { return buf_; }
  size_t size() const { return len_; }

 private:
  void put(char c) {
    if (len_ + 1 < cap_) buf_[len_++] = c;
  }
  void terminate() {
    if (cap_ != 0) buf_[len_ < cap_ ? len_ : cap_ - 1] = '\0';
  }
  char* buf_;
  size_t cap_;
  size_t len_ = 0;
};

// One output tensor as the prediction code sees it.
struct OutputView {
  micro::TensorType type = micro::TensorType::kFloat32;
  const void* data = nullptr;
  uint32_t count = 0;
  bool quantized = false;  // integer elements with a per-tensor scale and zero point
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Float bits mapped to an integer with the same order, so argmax needs no float compare.
inline int64_t float_order_key(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return (bits >> 31) != 0u ? -static_cast<int64_t>(bits & 0x7fffffffu) : static_cast<int64_t>(bits);
}

inline bool supported_prediction_type(micro::TensorType t) {
  return t == micro::TensorType::kFloat32 || t == micro::TensorType::kInt8 || t == micro::TensorType::kUInt8 ||
         t == micro::TensorType::kInt16 || t == micro::TensorType::kInt32;
}

// The raw element (integers as is, floats as their order key): what argmax compares.
inline int64_t element_key(const OutputView& out, uint32_t i) {
  switch (out.type) {
    case micro::TensorType::kInt8: return static_cast<const int8_t*>(out.data)[i];
    case micro::TensorType::kUInt8: return static_cast<const uint8_t*>(out.data)[i];
    case micro::TensorType::kInt16: {
      int16_t v;
      memcpy(&v, static_cast<const uint8_t*>(out.data) + 2u * i, sizeof v);
      return v;
    }
    case micro::TensorType::kInt32: {
      int32_t v;
      memcpy(&v, static_cast<const uint8_t*>(out.data) + 4u * i, sizeof v);
      return v;
    }
    case micro::TensorType::kFloat32: {
      float v;
      memcpy(&v, static_cast<const uint8_t*>(out.data) + 4u * i, sizeof v);
      return float_order_key(v);
    }
    default: return 0;
  }
}

// The element as a real number (dequantized when quantized). Scales are positive, so
// dequantizing keeps the order and argmax over raw elements is argmax over values.
inline float element_value(const OutputView& out, uint32_t i) {
  if (out.type == micro::TensorType::kFloat32) {
    float v;
    memcpy(&v, static_cast<const uint8_t*>(out.data) + 4u * i, sizeof v);
    return v;
  }
  const int32_t q = static_cast<int32_t>(element_key(out, i));
  if (!out.quantized) return static_cast<float>(q);
  // Wrapping subtraction: an int32 element minus its zero point must not be signed overflow.
  const int32_t centered = static_cast<int32_t>(static_cast<uint32_t>(q) - static_cast<uint32_t>(out.zero_point));
  return static_cast<float>(centered) * out.scale;
}

inline uint32_t argmax(const OutputView& out) {
  uint32_t best = 0;
  int64_t best_key = element_key(out, 0);
  for (uint32_t i = 1; i < out.count; ++i) {
    const int64_t key = element_key(out, i);
    if (key > best_key) {
      best_key = key;
      best = i;
    }
  }
  return best;
}

// Appends the prediction ("class=... score=..." or "values=...") to `text`. Returns false
// (appending nothing) when the output is empty or of a type without a prediction rule.
inline bool format_prediction(const OutputView& out, bool use_argmax, Text* text) {
  if (out.count == 0 || out.data == nullptr || !supported_prediction_type(out.type)) return false;
  if (use_argmax) {
    const uint32_t best = argmax(out);
    text->add("class=");
    text->add_u64(best);
    text->add(" score=");
    text->add_fixed6(element_value(out, best));
    return true;
  }
  text->add("values=");
  const uint32_t shown = out.count < kMaxPrintedValues ? out.count : kMaxPrintedValues;
  for (uint32_t i = 0; i < shown; ++i) {
    if (i != 0) text->add(",");
    text->add_fixed6(element_value(out, i));
  }
  if (shown < out.count) {
    text->add(",...(");
    text->add_u64(out.count);
    text->add(" values)");
  }
  return true;
}

}  // namespace firmware
}  // namespace tinyforge
