// Whole-file reads and atomic writes: an output file is either complete or absent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyforge {

std::vector<uint8_t> read_file_bytes(const std::string& path);  // throws Error naming the file
// Writes to "<path>.tmp-<pid>" then renames over `path`; removes the temporary on failure.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);
void write_file_atomic(const std::string& path, const std::string& text);

}  // namespace tinyforge
