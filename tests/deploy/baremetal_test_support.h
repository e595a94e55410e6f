// Helpers for the deployment tests: scratch directories and seeded sample files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyforge::test {

// A fresh directory under the build tree, removed (with its contents) when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes a float32 .npy of `shape` with values uniform in [lo, hi) from a seeded generator
// and returns the values (C order).
std::vector<float> write_uniform_npy(const std::string& path, const std::vector<int64_t>& shape, float lo, float hi,
                                     uint32_t seed);

// `tinyforge ARGS` (the built binary) with stdout and stderr captured apart.
struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};
CliResult run_cli(const std::string& args, const ScratchDir& scratch);
// Single-quoted for the shell.
std::string quote(const std::string& s);

// Where the deployment tests keep cross-compiled micro/ objects between tests and runs.
std::string deploy_object_cache();

}  // namespace tinyforge::test
