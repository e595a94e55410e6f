#include "support/test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace tinyforge::test {

std::string shared_path(const std::string& relative) {
  return std::string(TINYFORGE_SHARED_DIR) + "/" + relative;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
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

AlignedBytes::AlignedBytes(const std::vector<uint8_t>& bytes) {
  resize(bytes.size());
  if (!bytes.empty()) std::memcpy(data(), bytes.data(), bytes.size());
}

void AlignedBytes::resize(size_t size) {
  size_ = size;
  storage_.assign((size + 15) / 16 + 1, Block{});
}

}  // namespace tinyforge::test

namespace tinyforge::test {

CommandResult run_tinyforge(const std::string& args) {
  static int calls = 0;
  const std::string err_file =
      ::testing::TempDir() + "tinyforge_stderr_" + std::to_string(getpid()) + "_" + std::to_string(calls++) + ".txt";
  const std::string cmd = std::string(TINYFORGE_BINARY_DIR) + "/bin/tinyforge " + args + " 2>" + err_file;
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "cannot start: " << cmd;
    return r;
  }
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::remove(err_file.c_str());
  return r;
}

}  // namespace tinyforge::test
