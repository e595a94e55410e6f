#include "deploy/baremetal_test_support.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "tinyforge/npy.h"

namespace tinyforge::test {

ScratchDir::ScratchDir() {
  const std::string root = std::string(TINYFORGE_BINARY_DIR) + "/deploy_tests_tmp";
  std::filesystem::create_directories(root);
  std::string pattern = root + "/run-XXXXXX";
  if (!mkdtemp(pattern.data())) ADD_FAILURE() << "cannot create a scratch directory under " << root;
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<float> write_uniform_npy(const std::string& path, const std::vector<int64_t>& shape, float lo, float hi,
                                     uint32_t seed) {
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  // mt19937's output sequence is fixed by the standard; the float mapping is written out so
  // the values do not depend on a library's distribution implementation.
  std::mt19937 gen(seed);
  std::vector<float> values(count);
  for (float& v : values) v = lo + (hi - lo) * static_cast<float>(gen() >> 8) / 16777216.0f;
  NpyArray a;
  a.dtype = "f4";
  a.shape = shape;
  a.data.resize(count * sizeof(float));
  std::memcpy(a.data.data(), values.data(), a.data.size());
  write_npy(path, a);
  return values;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult run_cli(const std::string& args, const ScratchDir& scratch) {
  const std::string err_file = scratch / "stderr.txt";
  const std::string cmd =
      quote(std::string(TINYFORGE_BINARY_DIR) + "/bin/tinyforge") + " " + args + " 2>" + quote(err_file);
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_file);
  return r;
}

std::string deploy_object_cache() {
  return std::string(TINYFORGE_BINARY_DIR) + "/deploy_tests_cache";
}

}  // namespace tinyforge::test
