// `tinyforge deploy baremetal --run --json` through the real binary: the image runs under QEMU
// and every row of the table matches the host runtime.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "deploy/baremetal_test_support.h"
#include "support/test_support.h"

namespace {

using tinyforge::test::shared_path;

TEST(BaremetalCli, RunPrintsAJsonTableThatMatchesTheHost) {
  tinyforge::test::ScratchDir dir;
  tinyforge::test::write_uniform_npy(dir / "x.npy", {3, 1}, 0.0f, 6.28f, 21);
  const tinyforge::test::CliResult r = tinyforge::test::run_cli(
      "deploy baremetal " + tinyforge::test::quote(shared_path("models/hello_world_int8.tflite")) +
          " --target cortex-m4 --samples " + tinyforge::test::quote(dir / "x.npy") + " -o " +
          tinyforge::test::quote(dir / "out") + " --run --json --cache-dir " +
          tinyforge::test::quote(tinyforge::test::deploy_object_cache()),
      dir);
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
