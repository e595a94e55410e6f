// NumPy .npy files (format versions 1.0-3.0, little-endian, C order) for exchanging
// arrays with Python tools: model inputs, representative data sets, labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyforge {

struct NpyArray {
  std::string dtype;           // NumPy descr without byte order: "f4", "i1", "u1", "i2", "i4", "i8", "f8", "b1", ...
  std::vector<int64_t> shape;  // empty for a scalar
  std::vector<uint8_t> data;   // raw little-endian elements, C order

  size_t element_size() const;
  size_t element_count() const;
};

// Throws Error naming the file and the problem (not .npy, Fortran order, big-endian, truncated ...).
NpyArray read_npy(const std::string& path);
NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& what = "npy data");
// Writes atomically (temporary file, then rename).
void write_npy(const std::string& path, const NpyArray& array);
std::vector<uint8_t> serialize_npy(const NpyArray& array);

}  // namespace tinyforge
