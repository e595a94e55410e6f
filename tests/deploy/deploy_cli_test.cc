// `tinyforge deploy esp-idf` as a user runs it: a project on success; on bad input a clear
// error, exit code 1 and nothing written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "deploy/deploy_test_support.h"
#include "support/test_support.h"

namespace tinyforge {
namespace {

namespace fs = std::filesystem;

using Result = test::CommandResult;

// Each call gets its own stderr file (ctest runs these tests in parallel processes).
Result run_cli(const std::string& args) {
  return test::run_tinyforge(args);
}

std::string model(const std::string& name) {
  return test::shared_path("models/" + name + ".tflite");
}

class DeployCli : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("deploy_cli_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string dir(const std::string& name) const { return (root_ / name).string(); }
  // Nothing but what the test itself created: no project, no temporary leftovers.
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(root_), {})); }

  fs::path root_;
};

TEST_F(DeployCli, WritesAProjectAndPrintsTheBudget) {
  const Result r =
      run_cli("deploy esp-idf " + model("hello_world_int8") + " --target esp32c6 --app classify -o " + dir("sine_c6"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("memory budget for esp32c6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict: fits"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir("sine_c6") + "/main/app_main.cc"));
  EXPECT_TRUE(fs::exists(dir("sine_c6") + "/budget.json"));
  // The project is named after its directory.
  std::ifstream cmake(dir("sine_c6") + "/CMakeLists.txt");
  const std::string text((std::istreambuf_iterator<char>(cmake)), {});
  EXPECT_NE(text.find("project(sine_c6)"), std::string::npos);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(DeployCli, BadTargetAppOrModelWritesNothing) {
  const std::string garbage = (root_ / "garbage.tflite").string();
  std::ofstream(garbage) << "not a flatbuffer at all";
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      {model("hello_world_int8") + " --target esp8266 --app classify", "unknown ESP-IDF target 'esp8266'"},
      {model("hello_world_int8") + " --target esp32 --app vision", "unknown app 'vision'"},
      {garbage + " --target esp32 --app classify", "garbage.tflite"},
      {dir("missing.tflite") + " --target esp32 --app classify", "missing.tflite"},
      {model("hello_world_int8") + " --target esp32c3 --app classify --core 1", "esp32c3 has 1 core"},
      {model("hello_world_int8") + " --target esp32c3 --app classify --psram", "esp32c3 has no PSRAM"},
      {model("person_detect") + " --target esp32c3 --app classify --sensor camera", "no camera interface"},
      {model("hello_world_float") + " --target esp32 --app kws", "quantized"},
      {model("magic_wand") + " --target esp32 --app anomaly", "autoencoder"},
  };
  for (const auto& c : cases) {
    const Result r = run_cli("deploy esp-idf " + c.args + " -o " + dir("out"));
    EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find("tinyforge: error:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(dir("out"))) << c.args;
  }
  EXPECT_EQ(entries(), 1u);  // only garbage.tflite
}

TEST_F(DeployCli, RefusesAModelThatCannotFitAndWritesNothing) {
  const std::string big = (root_ / "big.tflite").string();
  const std::vector<uint8_t> bytes = test::big_activation_model(256);
  std::ofstream(big, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const Result r = run_cli("deploy esp-idf " + big + " --target esp32c3 --app classify --sensor adc -o " + dir("big"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not fit esp32c3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no PSRAM"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir("big")));
}

TEST_F(DeployCli, NonEmptyDirectoryNeedsForce) {
  fs::create_directories(dir("proj"));
  std::ofstream(dir("proj") + "/keep.txt") << "user data";
  const std::string args =
      "deploy esp-idf " + model("hello_world_int8") + " --target esp32 --app classify -o " + dir("proj");
  Result r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir("proj") + "/keep.txt"));
  EXPECT_FALSE(fs::exists(dir("proj") + "/CMakeLists.txt"));
  r = run_cli(args + " --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir("proj") + "/CMakeLists.txt"));
  EXPECT_FALSE(fs::exists(dir("proj") + "/keep.txt"));
  EXPECT_EQ(entries(), 1u);  // no temporary or old directory left beside it
}

}  // namespace
}  // namespace tinyforge
