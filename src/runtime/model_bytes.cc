#include <cstring>
#include <fstream>
#include <iterator>

#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge {

ModelBytes::ModelBytes(const std::vector<uint8_t>& bytes) : size_(bytes.size()) {
  storage_.resize((bytes.size() + 15) / 16 + 1);
  if (!bytes.empty()) std::memcpy(storage_.data(), bytes.data(), bytes.size());
}

ModelBytes ModelBytes::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open model file '" + path + "'");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read model file '" + path + "'");
  return ModelBytes(bytes);
}

uint64_t fnv1a64(const void* data, size_t size, uint64_t seed) {
  uint64_t h = seed;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex16(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[i] = digits[v & 0xf];
    v >>= 4;
  }
  return s;
}

}  // namespace tinyforge
