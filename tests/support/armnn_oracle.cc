// Runs armnn_run.py in a temporary folder: model and inputs written as files, outputs read back.
#include "support/armnn_oracle.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tinyforge/error.h"
#include "tinyforge/file_util.h"

namespace tinyforge::test {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tinyforge_armnn_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a temporary folder for Arm NN");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

}  // namespace

ArmnnResult armnn_run(const std::vector<uint8_t>& model, const std::vector<NpyArray>& inputs) {
  ArmnnResult r;
  TempDir dir;
  const fs::path model_path = dir.path / "model.tflite";
  write_file_atomic(model_path.string(), model);
  std::string cmd = "/usr/bin/python3 " + quote(std::string(TINYFORGE_SOURCE_DIR) + "/tests/support/armnn_run.py") +
                    " " + quote(model_path.string()) + " " + quote(dir.path.string());
  for (size_t k = 0; k < inputs.size(); ++k) {
    const fs::path p = dir.path / ("input_" + std::to_string(k) + ".npy");
    write_npy(p.string(), inputs[k]);
    cmd += " " + quote(p.string());
  }
  const fs::path log = dir.path / "log.txt";
  cmd += " > " + quote(log.string()) + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error = "armnn_run.py failed (status " + std::to_string(status) + "): " + text.str();
    return r;
  }
  for (size_t k = 0;; ++k) {
    const fs::path p = dir.path / ("output_" + std::to_string(k) + ".npy");
    if (!fs::exists(p)) break;
    r.outputs.push_back(read_npy(p.string()));
  }
  r.ok = !r.outputs.empty();
  if (!r.ok) r.error = "Arm NN wrote no outputs: " + text.str();
  return r;
}

NpyArray npy_f32(const std::vector<int64_t>& shape, const std::vector<float>& values) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = shape;
  a.data.resize(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

std::vector<float> npy_values_f32(const NpyArray& a) {
  if (a.dtype != "f4") throw Error("expected a float32 array, got dtype " + a.dtype);
  std::vector<float> v(a.data.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  return v;
}

}  // namespace tinyforge::test
