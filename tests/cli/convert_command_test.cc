// `tinyforge convert` as a user runs it: every variant from a .tflite and from a trained .tfm,
// checked by running the output through the micro runtime; bad requests leave nothing behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "tinyforge/convert/arena_metadata.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/npy.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

namespace fs = std::filesystem;

class ConvertCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "convert_cli_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // hello_world's input is x in [0, 2*pi]: 64 evenly spaced points as representative data.
    NpyArray x;
    x.dtype = "f4";
    x.shape = {64, 1};
    for (int i = 0; i < 64; ++i) {
      const float v = 6.2831853f * static_cast<float>(i) / 63.0f;
      const auto* b = reinterpret_cast<const uint8_t*>(&v);
      x.data.insert(x.data.end(), b, b + 4);
    }
    write_npy(dir_ + "/x.npy", x);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string hello_float() const { return test::shared_path("models/hello_world_float.tflite"); }
  std::string dir_;
};

// y = sin(x) learned by hello_world: run the converted model on x and dequantize the output.
float run_hello(const std::string& path, float x) {
  Runner runner(ModelBytes::load(path));
  const micro::TensorInfo in = runner.interpreter().input_info(0);
  if (in.type == micro::TensorType::kInt8) {
    const int8_t q = static_cast<int8_t>(std::lround(x / in.quant.scale()) + in.quant.zero_point());
    runner.set_input(0, &q, 1);
  } else {
    runner.set_input(0, &x, 4);
  }
  runner.invoke();
  const std::vector<uint8_t> out = runner.output_bytes(0);
  const micro::TensorInfo o = runner.interpreter().output_info(0);
  if (o.type == micro::TensorType::kInt8) return o.quant.scale() * (static_cast<int8_t>(out[0]) - o.quant.zero_point());
  float f;
  std::memcpy(&f, out.data(), 4);
  return f;
}

TEST_F(ConvertCommand, Int8FromTfliteTracksTheFloatModelAndWritesACArray) {
  const auto r = test::run_tinyforge("convert " + hello_float() + " --to int8 --representative " + dir_ + "/x.npy -o " +
                                     dir_ + "/hw.tflite --c-array hw_model --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["representative_samples"], 64);
  EXPECT_EQ(j["arena_bytes"].get<int64_t>(),
            static_cast<int64_t>(exact_arena_bytes(ModelBytes::load(dir_ + "/hw.tflite"))));
  const auto stored = convert::read_arena_metadata(test::read_file(dir_ + "/hw.tflite"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(static_cast<int64_t>(stored->arena_bytes), j["arena_bytes"].get<int64_t>());
  EXPECT_TRUE(fs::exists(dir_ + "/hw_model.h"));
  EXPECT_TRUE(fs::exists(dir_ + "/hw_model.cc"));
  // The output scale is about 2/255 (range ~[-1, 1]); int8 must track float within a few steps.
  for (float x : {0.3f, 1.5f, 3.0f, 4.7f, 6.0f}) {
    EXPECT_NEAR(run_hello(dir_ + "/hw.tflite", x), run_hello(hello_float(), x), 0.05f) << "x=" << x;
  }
}

TEST_F(ConvertCommand, Float16AndFloat32RunLikeTheSource) {
  for (const std::string mode : {"float32", "float16"}) {
    const auto r =
        test::run_tinyforge("convert " + hello_float() + " --to " + mode + " -o " + dir_ + "/" + mode + ".tflite");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (float x : {0.5f, 2.0f, 5.5f}) {
      // float16 weights: relative rounding 2^-11 per weight, well inside 1e-2 on this 3-layer net.
      EXPECT_NEAR(run_hello(dir_ + "/" + mode + ".tflite", x), run_hello(hello_float(), x),
                  mode == "float32" ? 0.0f : 1e-2f);
    }
  }
}

TEST_F(ConvertCommand, BadRequestsNameTheProblemAndWriteNothing) {
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"convert " + hello_float() + " --to int8 -o " + dir_ + "/o.tflite", "needs representative data"},
      {"convert " + test::shared_path("models/hello_world_int8.tflite") + " --to int8 --representative " + dir_ +
           "/x.npy -o " + dir_ + "/o.tflite",
       "already quantized"},
      {"convert " + dir_ + "/missing.tfm -o " + dir_ + "/o.tflite", "no such file"},
      {"convert " + dir_ + "/x.npy -o " + dir_ + "/o.tflite", "unknown model file type"},
      {"convert " + hello_float() + " --to float16 --io int8 -o " + dir_ + "/o.tflite", "--io applies"},
      {"convert " + hello_float() + " --to int8 --representative fashion-mnist:20 -o " + dir_ + "/o.tflite",
       "Fashion-MNIST image"},
      {"convert " + hello_float() + " -o " + dir_ + "/o.tflite --c-array 9lives", "not a C identifier"},
  };
  for (const auto& c : cases) {
    const auto r = test::run_tinyforge(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(dir_ + "/o.tflite")) << c.args;
  }
}

}  // namespace
}  // namespace tinyforge
