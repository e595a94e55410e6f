// `tinyforge deploy baremetal` through the real binary: exit codes, messages, the --run table
// as JSON, and no output directory after an error.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "deploy/deploy_test_support.h"
#include "support/test_support.h"

namespace {

using tinyforge::test::shared_path;

struct Result {
  int status = -1;
  std::string out;  // stdout only
  std::string err;
};

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

Result tinyforge_cli(const std::string& args, const std::string& scratch) {
  const std::string err_file = scratch + "/stderr.txt";
  const std::string cmd =
      quote(std::string(TINYFORGE_BINARY_DIR) + "/bin/tinyforge") + " " + args + " 2>" + quote(err_file);
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  const std::vector<uint8_t> err = tinyforge::test::read_file(err_file);
  r.err.assign(err.begin(), err.end());
  std::filesystem::remove(err_file);
  return r;
}

TEST(BaremetalCli, BadTargetExitsNonZeroWithTheKnownTargets) {
  tinyforge::test::ScratchDir dir;
  const Result r = tinyforge_cli("deploy baremetal " + quote(shared_path("models/hello_world_int8.tflite")) +
                                     " --target avr -o " + quote(dir / "out"),
                                 dir.path());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("tinyforge: error: unknown bare-metal target 'avr' (known: cortex-m4, rv32imc, lx106)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(BaremetalCli, MissingSamplesFileExitsNonZero) {
  tinyforge::test::ScratchDir dir;
  const Result r =
      tinyforge_cli("deploy baremetal " + quote(shared_path("models/magic_wand.tflite")) +
                        " --target lx106 --samples " + quote(dir / "none.npy") + " -o " + quote(dir / "out"),
                    dir.path());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("none.npy"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(BaremetalCli, RunPrintsAJsonTableThatMatchesTheHost) {
  tinyforge::test::ScratchDir dir;
  tinyforge::test::write_uniform_npy(dir / "x.npy", {3, 1}, 0.0f, 6.28f, 21);
  const Result r =
      tinyforge_cli("deploy baremetal " + quote(shared_path("models/hello_world_int8.tflite")) +
                        " --target cortex-m4 --samples " + quote(dir / "x.npy") + " -o " + quote(dir / "out") +
                        " --run --json --cache-dir " + quote(tinyforge::test::deploy_object_cache()),
                    dir.path());
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["target"], "cortex-m4");
  EXPECT_EQ(j["prediction"], "values");
  EXPECT_EQ(j["run"]["ok"], true);
  EXPECT_EQ(j["run"]["differing"], 0);
  ASSERT_EQ(j["run"]["samples"].size(), 3u);
  for (const auto& s : j["run"]["samples"]) {
    EXPECT_EQ(s["prediction"], s["host_prediction"]);
    EXPECT_EQ(s["output_fnv1a64"], s["host_output_fnv1a64"]);
    EXPECT_GT(s["instructions"].get<uint64_t>(), 0u);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "out/hello_world_int8.elf"));
}

}  // namespace
