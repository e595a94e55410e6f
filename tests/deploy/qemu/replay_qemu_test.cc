// The generated ESP-IDF project's portable part (its copy of the micro runtime, the model array,
// the app core in replay mode) cross-compiled with firmware/'s toolchains (rv32imc = the
// ESP32-C3's instruction set, Xtensa lx106) and run under QEMU. Every prediction it prints must
// equal what the host computes for the same samples through tinyforge::Runner, with the app
// logic (argmax, kws window, reconstruction error) worked out here independently.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "support/test_support.h"
#include "tinyforge/deploy/esp_idf.h"
#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

struct Case {
  std::string isa;   // firmware/ target
  std::string chip;  // ESP-IDF target
  std::string app;
  std::string model;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.isa << "/" << c.app << "/" << c.model;
}

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int raw = pclose(pipe);
  result.status = (raw != -1 && WIFEXITED(raw)) ? WEXITSTATUS(raw) : -1;
  return result;
}

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

// "prediction k=v k=v ..." lines, in order.
std::vector<std::map<std::string, std::string>> predictions(const std::string& output) {
  std::vector<std::map<std::string, std::string>> all;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("prediction ", 0) != 0) continue;
    std::istringstream fields(line.substr(11));
    std::map<std::string, std::string> kv;
    std::string field;
    while (fields >> field) {
      const size_t eq = field.find('=');
      if (eq != std::string::npos) kv[field.substr(0, eq)] = field.substr(eq + 1);
    }
    all.push_back(kv);
  }
  return all;
}

// Samples in the input's own type, from a small LCG: int8/uint8 bytes, float32 values s/128.
NpyArray make_samples(const micro::TensorInfo& info, uint32_t count) {
  NpyArray a;
  const uint32_t n = static_cast<uint32_t>(info.shape.flat_size());
  a.shape = {static_cast<int64_t>(count), static_cast<int64_t>(n)};
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<int32_t>(state >> 24) - 128;
  };
  if (info.type == micro::TensorType::kFloat32) {
    a.dtype = "f4";
    for (uint32_t i = 0; i < count * n; ++i) {
      const float v = static_cast<float>(next()) / 128.0f;
      const auto* b = reinterpret_cast<const uint8_t*>(&v);
      a.data.insert(a.data.end(), b, b + 4);
    }
  } else {
    a.dtype = info.type == micro::TensorType::kUInt8 ? "u1" : "i1";
    for (uint32_t i = 0; i < count * n; ++i) a.data.push_back(static_cast<uint8_t>(next()));
  }
  return a;
}

int32_t raw_at(const micro::TensorInfo& info, const uint8_t* data, uint32_t i) {
  switch (info.type) {
    case micro::TensorType::kInt8: return static_cast<int8_t>(data[i]);
    case micro::TensorType::kUInt8: return data[i];
    default: {
      int32_t bits;
      std::memcpy(&bits, data + 4 * i, 4);
      return bits;
    }
  }
}

double real_at(const micro::TensorInfo& info, const uint8_t* data, uint32_t i) {
  if (info.type == micro::TensorType::kFloat32) {
    float v;
    std::memcpy(&v, data + 4 * i, 4);
    return v;
  }
  return raw_at(info, data, i);  // the scale is positive: the order of q is the order of the values
}

std::string hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

class ReplayQemuTest : public testing::TestWithParam<Case> {};

TEST_P(ReplayQemuTest, PredictionsEqualTheHost) {
  const Case& c = GetParam();
  const std::string compiler = c.isa == "rv32imc" ? "riscv64-unknown-elf-gcc" : "xtensa-lx106-elf-gcc";
  const std::string qemu = c.isa == "rv32imc" ? "qemu-system-riscv32" : "qemu-system-xtensa";
  for (const std::string& tool : {compiler, qemu, std::string("make")}) {
    ASSERT_EQ(run_command("command -v " + tool).status, 0)
        << "required tool '" << tool << "' is not installed (see shared/notes/mcu-emulation.md §0)";
  }
  const std::string work = std::string(TINYFORGE_BINARY_DIR) + "/deploy_qemu/" + c.isa + "_" + c.app;
  const std::vector<uint8_t> model = test::read_file(test::shared_path("models/" + c.model + ".tflite"));
  const bool anomaly = c.app == "anomaly";
  Runner host(ModelBytes(model), RunnerOptions{.preserve_inputs = anomaly});
  const micro::TensorInfo in_info = host.interpreter().input_info(0);
  const micro::TensorInfo out_info = host.interpreter().output_info(0);

  constexpr uint32_t kSamples = 4;
  const NpyArray samples = make_samples(in_info, kSamples);
  std::filesystem::create_directories(work);
  write_npy(work + "/samples.npy", samples);
  deploy::EspIdfOptions o;
  o.target = c.chip;
  o.app = c.app;
  o.samples_path = work + "/samples.npy";
  o.kws_window = 3;
  const deploy::EspIdfProject project = deploy::generate_esp_idf_project(model, o);
  deploy::write_project_dir(project.files, work + "/project", true);

  const CommandResult build = run_command(quote(std::string(TINYFORGE_SOURCE_DIR) + "/firmware/app/build_replay.sh") +
                                          " " + c.isa + " " + quote(work + "/project") + " " + quote(work + "/fw"));
  ASSERT_EQ(build.status, 0) << "replay firmware build failed:\n" << build.output;
  const CommandResult run = run_command(quote(std::string(TINYFORGE_SOURCE_DIR) + "/firmware/run.sh") + " " + c.isa +
                                        " " + quote(work + "/fw/app_replay.elf"));
  ASSERT_EQ(run.status, 0) << "replay firmware failed (exit " << run.status << "):\n" << run.output;
  EXPECT_NE(run.output.find("status=ok"), std::string::npos) << run.output;
  const auto device = predictions(run.output);
  ASSERT_EQ(device.size(), kSamples) << run.output;

  // The host: the same samples, in the same order, through the same interpreter code.
  const uint32_t outputs = static_cast<uint32_t>(out_info.shape.flat_size());
  const int32_t threshold_q = static_cast<int32_t>(std::lround(0.8 / out_info.quant.scale(0)));
  std::vector<std::vector<int32_t>> window;  // kws: the last results, relative to the zero point
  for (uint32_t s = 0; s < kSamples; ++s) {
    const uint8_t* sample = samples.data.data() + static_cast<size_t>(s) * in_info.bytes;
    host.set_input(0, sample, in_info.bytes);
    host.invoke();
    const std::vector<uint8_t> out = host.output_bytes(0);
    const auto& d = device[s];
    SCOPED_TRACE("sample " + std::to_string(s) + "\n" + run.output);
    EXPECT_EQ(d.at("sample"), std::to_string(s));
    // Integer models are bit-exact everywhere. Float SOFTMAX calls the C library's expf,
    // and picolibc's differs from glibc's by 1 ulp for some inputs: there the label must match and the
    // score may differ by a couple of ulps.
    const bool float_output = out_info.type == micro::TensorType::kFloat32;
    if (!float_output) EXPECT_EQ(d.at("output_fnv1a64"), hex16(host.outputs_fnv1a64()));
    if (c.app == "classify" || c.app == "gesture") {
      uint32_t best = 0;
      for (uint32_t i = 1; i < outputs; ++i)
        if (real_at(out_info, out.data(), i) > real_at(out_info, out.data(), best)) best = i;
      EXPECT_EQ(d.at("label"), std::to_string(best));
      const int32_t host_score = raw_at(out_info, out.data(), best);
      const int32_t device_score = std::stoi(d.at("score_raw"));
      if (float_output) {
        EXPECT_LE(std::abs(static_cast<int64_t>(device_score) - host_score), 2) << "float score bits differ";
      } else {
        EXPECT_EQ(device_score, host_score);
      }
    } else if (c.app == "kws") {
      std::vector<int32_t> rel(outputs);
      for (uint32_t i = 0; i < outputs; ++i) rel[i] = raw_at(out_info, out.data(), i) - out_info.quant.zero_point(0);
      window.push_back(rel);
      if (window.size() > 3) window.erase(window.begin());
      std::vector<int32_t> sums(outputs, 0);
      for (const auto& r : window)
        for (uint32_t i = 0; i < outputs; ++i) sums[i] += r[i];
      uint32_t best = 0;
      for (uint32_t i = 1; i < outputs; ++i)
        if (sums[i] > sums[best]) best = i;
      EXPECT_EQ(d.at("label"), std::to_string(best));
      EXPECT_EQ(d.at("window_sum"), std::to_string(sums[best]));
      EXPECT_EQ(d.at("window_count"), std::to_string(window.size()));
      EXPECT_EQ(d.at("detected"), window.size() == 3 && sums[best] >= 3 * threshold_q ? "1" : "0");
    } else {
      float sum = 0.0f;
      for (uint32_t i = 0; i < outputs; ++i) {
        const float o_v = out_info.quant.scale(0) *
                          static_cast<float>(raw_at(out_info, out.data(), i) - out_info.quant.zero_point(0));
        const float i_v =
            in_info.quant.scale(0) * static_cast<float>(raw_at(in_info, sample, i) - in_info.quant.zero_point(0));
        const float diff = o_v - i_v;
        sum = sum + diff * diff;
      }
      uint32_t bits;
      std::memcpy(&bits, &sum, 4);
      EXPECT_EQ(d.at("error_bits"), hex8(bits));
      EXPECT_EQ(d.at("detected"), sum > 0.1f * static_cast<float>(outputs) ? "1" : "0");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Apps, ReplayQemuTest,
                         testing::Values(Case{"rv32imc", "esp32c3", "kws", "micro_speech_quantized"},
                                         Case{"rv32imc", "esp32c3", "gesture", "magic_wand"},
                                         Case{"rv32imc", "esp32c6", "anomaly", "dtln_noise_suppression"},
                                         Case{"rv32imc", "esp32c3", "classify", "person_detect"},
                                         Case{"lx106", "esp32", "kws", "micro_speech_quantized"},
                                         Case{"lx106", "esp32s3", "gesture", "magic_wand"}),
                         [](const testing::TestParamInfo<Case>& info) {
                           return info.param.isa + "_" + info.param.app;
                         });

}  // namespace
}  // namespace tinyforge
