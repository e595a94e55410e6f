// A .tflite model as C++ source for firmware: NAME.h declares the bytes, their length, the
// arena size the model needs and a function registering exactly the kernels it uses;
// NAME.cc holds the bytes (16-byte aligned, identical to the .tflite file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tinyforge::convert {

struct CArrayOptions {
  std::string name = "g_model";  // a C identifier: NAME[], NAME_len, NAME_arena_bytes, NAME_register_ops
  size_t arena_bytes = 0;        // 0: measured by planning the model in the micro runtime
};

struct CArraySource {
  std::string header;  // NAME.h
  std::string source;  // NAME.cc
};

// Letters, digits and '_', not starting with a digit.
bool is_c_identifier(const std::string& s);

// Throws Error if the name is not a C identifier or the bytes are not a readable model.
CArraySource make_c_array(const std::vector<uint8_t>& model, const CArrayOptions& options);

// Writes DIRECTORY/NAME.h and DIRECTORY/NAME.cc (each atomically). Returns the two paths.
std::vector<std::string> write_c_array(const std::vector<uint8_t>& model, const std::string& directory,
                                       const CArrayOptions& options);

}  // namespace tinyforge::convert
