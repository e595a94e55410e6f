// The Arm NN oracle itself (tests/support/armnn_oracle): on Google's int8 hello_world it gives
// exactly our runtime's outputs (per-tensor int8 is within what Arm NN 20.08 runs), on the float
// one the same within float rounding; it reports rejections with Arm NN's reason (LSTM: Arm NN
// 20.08's TfLite parser has no UNIDIRECTIONAL_SEQUENCE_LSTM, for Google's file as for ours).
#include "support/armnn_oracle.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "lower_test_util.h"
#include "support/test_support.h"
#include "tinyforge/convert/lower.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/recurrent.h"
#include "tinyforge/runtime.h"

namespace tinyforge::test {
namespace {

NpyArray npy_scalar(const std::string& dtype, const void* value, size_t bytes) {
  NpyArray a;
  a.dtype = dtype;
  a.shape = {1, 1};
  a.data.assign(static_cast<const uint8_t*>(value), static_cast<const uint8_t*>(value) + bytes);
  return a;
}

TEST(ArmnnOracle, HelloWorldInt8EqualsOurRuntime) {
  const std::vector<uint8_t> bytes = read_file(shared_path("models/hello_world_int8.tflite"));
  ASSERT_FALSE(bytes.empty());
  for (int8_t x : {int8_t{-128}, int8_t{-60}, int8_t{0}, int8_t{37}, int8_t{127}}) {
    Runner runner{ModelBytes(bytes)};
    runner.set_input(0, &x, 1);
    runner.invoke();
    const std::vector<uint8_t> ours = runner.output_bytes(0);
    const ArmnnResult r = armnn_run(bytes, {npy_scalar("i1", &x, 1)});
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.outputs.size(), 1u);
    EXPECT_EQ(r.outputs[0].dtype, "i1");
    EXPECT_EQ(r.outputs[0].data, ours) << "input " << int(x);
  }
}

TEST(ArmnnOracle, HelloWorldFloatWithinRounding) {
  const std::vector<uint8_t> bytes = read_file(shared_path("models/hello_world_float.tflite"));
  for (float x : {0.0f, 1.5f, 3.0f, 6.2f}) {
    Runner runner{ModelBytes(bytes)};
    runner.set_input(0, &x, sizeof x);
    runner.invoke();
    const std::vector<uint8_t> out = runner.output_bytes(0);
    float ours;
    std::memcpy(&ours, out.data(), sizeof ours);
    const ArmnnResult r = armnn_run(bytes, {npy_f32({1, 1}, {x})});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_NEAR(npy_values_f32(r.outputs[0])[0], ours, 1e-5 * (std::abs(ours) + 1e-3)) << "input " << x;
  }
}

TEST(ArmnnOracle, ReportsLstmRejectionForGooglesFileAndOurs) {
  const std::vector<uint8_t> google = read_file(shared_path("models/trained_lstm.tflite"));
  const ArmnnResult g = armnn_run(google, {npy_f32({1, 28, 28}, std::vector<float>(28 * 28, 0.1f))});
  EXPECT_FALSE(g.ok);
  EXPECT_NE(g.error.find("UNIDIRECTIONAL_SEQUENCE_LSTM"), std::string::npos) << g.error;

  auto in = nn::Input({5, 3});
  nn::Model model({in}, {nn::LSTM(4)(in)});
  const ArmnnResult o =
      armnn_run(convert::write_tflite(convert::lower_model(model)), {npy_f32({1, 5, 3}, std::vector<float>(15, 0.1f))});
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("UNIDIRECTIONAL_SEQUENCE_LSTM"), std::string::npos) << o.error;
}

TEST(ArmnnOracle, ReportsUnreadableModel) {
  const ArmnnResult r = armnn_run({1, 2, 3, 4, 5, 6, 7, 8}, {npy_f32({1, 1}, {0.0f})});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("armnn"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace tinyforge::test
