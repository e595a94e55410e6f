// Bad input to `deploy baremetal` is answered with an error naming the problem, and leaves no
// output directory (nor a temporary one) behind.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "deploy/baremetal_test_support.h"
#include "deploy/process.h"
#include "support/test_support.h"
#include "tinyforge/deploy/baremetal.h"
#include "tinyforge/error.h"

namespace {

namespace dp = tinyforge::deploy;
namespace fs = std::filesystem;
using tinyforge::test::shared_path;

// Sets PATH for one scope (to make tools "missing") and restores it.
class PathOverride {
 public:
  explicit PathOverride(const std::string& path) : old_(getenv("PATH") ? getenv("PATH") : "") {
    setenv("PATH", path.c_str(), 1);
  }
  ~PathOverride() { setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

dp::BaremetalOptions options_for(const std::string& model, const std::string& out) {
  dp::BaremetalOptions o;
  o.model_path = shared_path("models/" + model + ".tflite");
  o.target = dp::BaremetalTarget::kCortexM4;
  o.output_dir = out;
  o.build_plugin = false;
  return o;
}

// The message of the Error `options` raise ("" and a test failure when nothing is thrown).
std::string deploy_error(const dp::BaremetalOptions& options) {
  try {
    dp::deploy_baremetal(options);
  } catch (const tinyforge::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "deploy_baremetal succeeded";
  return "";
}

// Only what the test put there: no output directory and no ".out.tmp-*" leftovers.
void expect_only(const std::string& dir, std::vector<std::string> names) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) found.push_back(e.path().filename().string());
  std::sort(found.begin(), found.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(found, names);
}

TEST(BaremetalErrors, MissingModel) {
  tinyforge::test::ScratchDir dir;
  const std::string message = deploy_error(options_for("no_such_model", dir / "out"));
  EXPECT_NE(message.find("no_such_model.tflite"), std::string::npos) << message;
  expect_only(dir.path(), {});
}

TEST(BaremetalErrors, NotAModel) {
  tinyforge::test::ScratchDir dir;
  std::ofstream(dir / "junk.tflite") << "this is not a flatbuffer";
  dp::BaremetalOptions o = options_for("x", dir / "out");
  o.model_path = dir / "junk.tflite";
  const std::string message = deploy_error(o);
  EXPECT_NE(message.find("cannot run on the micro runtime"), std::string::npos) << message;
  expect_only(dir.path(), {"junk.tflite"});
}

TEST(BaremetalErrors, UnknownTarget) {
  try {
    dp::parse_baremetal_target("avr");
    FAIL() << "'avr' was accepted";
  } catch (const tinyforge::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown bare-metal target 'avr' (known: cortex-m4, rv32imc, lx106)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(dp::parse_baremetal_target("lx106"), dp::BaremetalTarget::kLx106);
}

TEST(BaremetalErrors, SamplesOfTheWrongShape) {
  tinyforge::test::ScratchDir dir;
  tinyforge::test::write_uniform_npy(dir / "x.npy", {4, 2}, 0.0f, 1.0f, 3);
  dp::BaremetalOptions o = options_for("hello_world_int8", dir / "out");
  o.samples_path = dir / "x.npy";
  const std::string message = deploy_error(o);
  EXPECT_NE(message.find("shape [4,2] does not fit input"), std::string::npos) << message;
  expect_only(dir.path(), {"x.npy"});
}

TEST(BaremetalErrors, ExistingDirectoryThatIsNotADeploymentIsKept) {
  tinyforge::test::ScratchDir dir;
  fs::create_directories(dir / "out");
  std::ofstream(dir / "out/mine.txt") << "keep me";
  const std::string message = deploy_error(options_for("hello_world_int8", dir / "out"));
  EXPECT_NE(message.find("is not an earlier deployment"), std::string::npos) << message;
  expect_only(dir / "out", {"mine.txt"});
}

TEST(BaremetalErrors, MissingCrossCompilerNamesThePackage) {
  tinyforge::test::ScratchDir dir;
  std::string message;
  {
    PathOverride empty(dir.path());  // a PATH with no tools in it
    message = deploy_error(options_for("hello_world_int8", dir / "out"));
  }
  EXPECT_NE(message.find("'arm-none-eabi-gcc' is not installed"), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install --no-install-recommends gcc-arm-none-eabi"), std::string::npos) << message;
  expect_only(dir.path(), {});
}

TEST(BaremetalErrors, MissingEmulatorNamesThePackage) {
  dp::BaremetalImage image;
  image.target = dp::BaremetalTarget::kLx106;
  tinyforge::test::ScratchDir dir;
  PathOverride empty(dir.path());
  try {
    dp::run_baremetal(image);
    FAIL() << "ran without an emulator";
  } catch (const tinyforge::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'qemu-system-xtensa' is not installed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("qemu-system-misc"), std::string::npos) << e.what();
  }
}

// A compiler that is found but fails: the build error is reported and nothing is left behind.
TEST(BaremetalErrors, FailedCrossBuildLeavesNoDirectory) {
  tinyforge::test::ScratchDir dir;
  fs::create_directories(dir / "bin");
  // The tools make's recipes need, real; the cross compiler, fake.
  for (const char* tool : {"make", "mkdir", "rm", "find"}) {
    const std::string real = dp::find_program(tool);
    ASSERT_FALSE(real.empty()) << tool << " is needed";
    fs::create_symlink(real, fs::path(dir / "bin") / tool);
  }
  const std::string specs = dir / "picolibc.specs";
  std::ofstream(specs) << "";
  for (const char* compiler : {"arm-none-eabi-gcc", "arm-none-eabi-g++"}) {
    {
      std::ofstream cc(fs::path(dir / "bin") / compiler);
      cc << "#!/bin/sh\n"
         << "case \"$1\" in -print-file-name=*) echo '" << specs << "'; exit 0 ;; esac\n"
         << "echo 'fake compiler: refusing to compile' >&2\nexit 1\n";
    }
    fs::permissions(fs::path(dir / "bin") / compiler, fs::perms::owner_all);
  }
  fs::create_directories(dir / "parent");
  std::string message;
  {
    PathOverride fake(dir / "bin");
    message = deploy_error(options_for("hello_world_int8", dir / "parent/out"));
  }
  EXPECT_NE(message.find("cortex-m4 cross build failed"), std::string::npos) << message;
  expect_only(dir / "parent", {});
}

}  // namespace
