// Helpers shared by the tests: reading files, the shared reference folder, hashing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyforge::test {

// Absolute path of a file in ../shared (models/, reference/, notes/).
std::string shared_path(const std::string& relative);
// Whole file as bytes; fails the current test (and returns empty) if it cannot be read.
std::vector<uint8_t> read_file(const std::string& path);
// FNV-1a 64-bit, as in the goldens file.
uint64_t fnv1a64(const void* data, size_t size, uint64_t seed = 0xcbf29ce484222325ull);
// The `tinyforge` command as a user runs it (the build's bin/tinyforge with `args`, through the
// shell): exit code, stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_tinyforge(const std::string& args);

// A byte buffer whose data() is 16-byte aligned (models and arenas want that).
class AlignedBytes {
 public:
  explicit AlignedBytes(size_t size = 0) { resize(size); }
  explicit AlignedBytes(const std::vector<uint8_t>& bytes);
  void resize(size_t size);
  uint8_t* data() { return reinterpret_cast<uint8_t*>(storage_.data()); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(storage_.data()); }
  size_t size() const { return size_; }

 private:
  struct alignas(16) Block {
    uint8_t b[16];
  };
  std::vector<Block> storage_;
  size_t size_ = 0;
};

}  // namespace tinyforge::test
