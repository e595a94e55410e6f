// `tinyforge deploy baremetal` through the real binary: exit codes, messages, and no output
// directory after an error (the --run table: qemu/baremetal_cli_run_test.cc).
#include <gtest/gtest.h>

#include <filesystem>

#include "deploy/baremetal_test_support.h"
#include "support/test_support.h"

namespace {

using tinyforge::test::shared_path;

TEST(BaremetalCli, BadTargetExitsNonZeroWithTheKnownTargets) {
  tinyforge::test::ScratchDir dir;
  const tinyforge::test::CliResult r = tinyforge::test::run_cli(
      "deploy baremetal " + tinyforge::test::quote(shared_path("models/hello_world_int8.tflite")) +
          " --target avr -o " + tinyforge::test::quote(dir / "out"),
      dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("tinyforge: error: unknown bare-metal target 'avr' (known: cortex-m4, rv32imc, lx106)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(BaremetalCli, MissingSamplesFileExitsNonZero) {
  tinyforge::test::ScratchDir dir;
  const tinyforge::test::CliResult r =
      tinyforge::test::run_cli("deploy baremetal " + tinyforge::test::quote(shared_path("models/magic_wand.tflite")) +
                                   " --target lx106 --samples " + tinyforge::test::quote(dir / "none.npy") + " -o " +
                                   tinyforge::test::quote(dir / "out"),
                               dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("none.npy"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

}  // namespace
