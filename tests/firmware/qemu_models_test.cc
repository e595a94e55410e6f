// Cross-compiles micro/ for the emulated MCUs and runs golden models under QEMU
// (firmware/build.sh + firmware/run.sh). The firmware prints the hash of the model's outputs
// and of every operator's output on the TFLM golden input pattern; they must equal the
// hashes TFLite Micro produced (shared/reference/tflm_goldens.json). Missing tools fail the
// test with a message: nothing is skipped.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace {

struct CommandResult {
  int status = -1;  // exit status, or -1 if the command could not run / was killed
  std::string output;
};

// Runs a shell command with stderr merged into stdout.
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

std::string quote(const std::string& s) { return "'" + s + "'"; }

// build.sh with the flags the project requires: MICRO_EXTRA (a local-experiment hook that
// can relax warnings for micro/) is cleared so the environment cannot weaken -Werror.
std::string build_command(const std::string& args) {
  return "MICRO_EXTRA= " + quote(std::string(TINYFORGE_SOURCE_DIR) + "/firmware/build.sh") + " " + args;
}

struct TargetTools {
  const char* name;
  const char* compiler;
  const char* qemu;
};

const TargetTools kTargets[] = {
    {"cortex-m4", "arm-none-eabi-gcc", "qemu-system-arm"},
    {"rv32imc", "riscv64-unknown-elf-gcc", "qemu-system-riscv32"},
    {"lx106", "xtensa-lx106-elf-gcc", "qemu-system-xtensa"},
};

const TargetTools& tools_of(const std::string& target) {
  for (const TargetTools& t : kTargets)
    if (target == t.name) return t;
  ADD_FAILURE() << "unknown target " << target;
  return kTargets[0];
}

// Empty when the tool is on PATH, else a message saying what to install.
std::string missing_tool(const std::string& tool) {
  if (run_command("command -v " + quote(tool)).status == 0) return "";
  return "required tool '" + tool +
         "' is not installed (see shared/notes/mcu-emulation.md §0 for the Debian packages)";
}

std::string firmware_script(const char* name) { return std::string(TINYFORGE_SOURCE_DIR) + "/firmware/" + name; }
std::string out_dir(const std::string& target) { return std::string(TINYFORGE_BINARY_DIR) + "/firmware/" + target; }

// "key=value" lines of the firmware output (the last value of a key wins).
std::map<std::string, std::string> parse_values(const std::string& output) {
  std::map<std::string, std::string> values;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos || line.find(' ') < eq) continue;
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

struct OpHash {
  uint32_t op = 0;
  std::string opcode;
  int32_t tensor = -1;
  std::string fnv;
};

// "op=<i> opcode=<name> output_tensor=<t> bytes=<n> fnv1a64=<hex>" lines.
std::vector<OpHash> parse_op_hashes(const std::string& output) {
  std::vector<OpHash> ops;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("op=", 0) != 0) continue;
    std::istringstream fields(line);
    std::string field;
    OpHash h;
    while (fields >> field) {
      const size_t eq = field.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = field.substr(0, eq), value = field.substr(eq + 1);
      if (key == "op") h.op = static_cast<uint32_t>(std::stoul(value));
      if (key == "opcode") h.opcode = value;
      if (key == "output_tensor") h.tensor = std::stoi(value);
      if (key == "fnv1a64") h.fnv = value;
    }
    ops.push_back(h);
  }
  return ops;
}

const nlohmann::json& goldens() {
  static const nlohmann::json j = [] {
    std::ifstream in(tinyforge::test::shared_path("reference/tflm_goldens.json"));
    if (!in) {
      ADD_FAILURE() << "cannot read shared/reference/tflm_goldens.json";
      return nlohmann::json::object();
    }
    return nlohmann::json::parse(in);
  }();
  return j;
}

struct ModelCase {
  std::string target;
  std::string model;
};

// So ctest and gtest name the case readably instead of dumping its bytes.
void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.target << "/" << c.model; }

std::string case_name(const testing::TestParamInfo<ModelCase>& info) {
  std::string name = info.param.target + "_" + info.param.model;
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class QemuModelTest : public testing::TestWithParam<ModelCase> {};

TEST_P(QemuModelTest, MatchesTflmGoldens) {
  const ModelCase& param = GetParam();
  const TargetTools& tools = tools_of(param.target);
  for (const char* tool : {tools.compiler, tools.qemu, "make", "python3", "timeout"}) {
    const std::string missing = missing_tool(tool);
    ASSERT_TRUE(missing.empty()) << missing;
  }
  const nlohmann::json& all = goldens();
  ASSERT_TRUE(all.contains("models") && all["models"].contains(param.model))
      << "no golden entry for " << param.model;
  const nlohmann::json& golden = all["models"][param.model];

  const std::string model_path = tinyforge::test::shared_path("models/" + param.model + ".tflite");
  const std::string out = out_dir(param.target);
  const CommandResult build = run_command(build_command(param.target + " " + quote(model_path) + " " + quote(out)));
  ASSERT_EQ(build.status, 0) << "firmware build failed:\n" << build.output;

  const std::string elf = out + "/" + param.model + ".elf";
  const CommandResult run = run_command(quote(firmware_script("run.sh")) + " " + param.target + " " + quote(elf));
  ASSERT_EQ(run.status, 0) << "firmware run failed (exit " << run.status << "):\n" << run.output;

  const auto values = parse_values(run.output);
  ASSERT_TRUE(values.count("output_fnv1a64")) << run.output;
  EXPECT_EQ(values.at("output_fnv1a64"), golden["output_fnv1a64"].get<std::string>()) << run.output;
  // These models are stateless: a second invoke must give the same bytes.
  EXPECT_EQ(values.count("repeat_output_fnv1a64") ? values.at("repeat_output_fnv1a64") : "missing",
            values.at("output_fnv1a64"));

  const std::vector<OpHash> ops = parse_op_hashes(run.output);
  const nlohmann::json& golden_ops = golden["per_op_output_fnv1a64"];
  ASSERT_EQ(ops.size(), golden_ops.size()) << run.output;
  for (size_t i = 0; i < ops.size(); ++i) {
    const nlohmann::json& g = golden_ops[i];
    EXPECT_EQ(ops[i].op, g["op"].get<uint32_t>());
    EXPECT_EQ(ops[i].opcode, g["opcode"].get<std::string>()) << "op " << i;
    EXPECT_EQ(ops[i].tensor, g["output_tensor"].get<int32_t>()) << "op " << i;
    EXPECT_EQ(ops[i].fnv, g["fnv1a64"].get<std::string>())
        << "first divergence at op " << i << " (" << ops[i].opcode << ")";
  }

  // Instruction counts (exact, from the QEMU plugin): present and plausible; reported.
  ASSERT_TRUE(values.count("insns_invoke")) << "no instruction count for the invoke:\n" << run.output;
  const unsigned long long invoke_insns = std::stoull(values.at("insns_invoke"));
  EXPECT_GT(invoke_insns, 0u);
  RecordProperty("insns_invoke", std::to_string(invoke_insns));
  RecordProperty("arena_used_bytes", values.count("arena_used_bytes") ? values.at("arena_used_bytes") : "?");
  std::printf("[ firmware ] %s %s: insns_invoke=%llu arena_used_bytes=%s\n", param.target.c_str(),
              param.model.c_str(), invoke_insns,
              values.count("arena_used_bytes") ? values.at("arena_used_bytes").c_str() : "?");
}

std::vector<ModelCase> model_cases() {
  std::vector<ModelCase> cases;
  // lx106 runs too: firmware/lx106/softfloat_shim.c supplies the float helpers its libgcc lacks.
  for (const char* target : {"cortex-m4", "rv32imc", "lx106"})
    for (const char* model : {"hello_world_int8", "micro_speech_quantized", "magic_wand", "person_detect"})
      cases.push_back({target, model});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Models, QemuModelTest, testing::ValuesIn(model_cases()), case_name);

// micro/ must compile warning-free (-Wall -Wextra -Werror) for every MCU target: their
// int32_t/uint32_t are `long` types and lx106 lacks libstdc++ entirely.
class MicroCrossCompileTest : public testing::TestWithParam<std::string> {};

TEST_P(MicroCrossCompileTest, CompilesWithWerror) {
  const TargetTools& tools = tools_of(GetParam());
  const std::string missing = missing_tool(tools.compiler);
  ASSERT_TRUE(missing.empty()) << missing;
  const CommandResult build = run_command(build_command(GetParam() + " --lib-only " + quote(out_dir(GetParam()))));
  EXPECT_EQ(build.status, 0) << "micro/ does not compile for " << GetParam() << ":\n" << build.output;
}

INSTANTIATE_TEST_SUITE_P(Targets, MicroCrossCompileTest, testing::Values("cortex-m4", "rv32imc", "lx106"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
