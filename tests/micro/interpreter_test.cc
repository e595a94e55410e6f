// Interpreter behaviour beyond bit-exactness: arena sizing, input preservation, state reset,
// API misuse, and one clear error for all unsupported operators.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "tinyforge/micro/interpreter.h"
#include "tinyforge/micro/kernels.h"
#include "tinyforge/runtime.h"

namespace tinyforge {
namespace {

using micro::Interpreter;
using micro::OpResolver;
using micro::Status;

ModelBytes model(const std::string& name) { return ModelBytes::load(test::shared_path("models/" + name + ".tflite")); }

std::string golden_hash(const std::string& name) {
  std::ifstream in(test::shared_path("reference/tflm_goldens.json"));
  return nlohmann::json::parse(in)["models"][name]["output_fnv1a64"].get<std::string>();
}

OpResolver all_kernels() {
  OpResolver r;
  micro::register_all_kernels(&r);
  return r;
}

TEST(Interpreter, ExactArenaSucceedsAndEightBytesLessReportsTheExactNeed) {
  const ModelBytes m = model("micro_speech_quantized");
  const size_t exact = exact_arena_bytes(m);
  const OpResolver r = all_kernels();
  test::AlignedBytes arena(exact);

  Interpreter ok(m.data(), m.size(), r, arena.data(), exact);
  ASSERT_EQ(ok.allocate(), Status::kOk) << ok.error();
  EXPECT_EQ(ok.arena_used_bytes(), exact);

  Interpreter small(m.data(), m.size(), r, arena.data(), exact - 8);
  EXPECT_EQ(small.allocate(), Status::kArenaTooSmall);
  EXPECT_EQ(small.required_arena_bytes(), exact);
  EXPECT_NE(std::string(small.error()).find(std::to_string(exact)), std::string::npos) << small.error();
}

TEST(Interpreter, MisalignedArenaNeedsTheAlignmentSlackAndSaysSo) {
  const ModelBytes m = model("micro_speech_quantized");
  const size_t exact = exact_arena_bytes(m);
  const OpResolver r = all_kernels();
  test::AlignedBytes arena(exact + 16);
  // One byte past an aligned address: seven bytes are skipped to reach 8-byte alignment.
  Interpreter shifted(m.data(), m.size(), r, arena.data() + 1, exact);
  EXPECT_EQ(shifted.allocate(), Status::kArenaTooSmall);
  EXPECT_EQ(shifted.required_arena_bytes(), exact + 7);
  Interpreter fits(m.data(), m.size(), r, arena.data() + 1, exact + 7);
  EXPECT_EQ(fits.allocate(), Status::kOk) << fits.error();
}

TEST(Interpreter, PreserveInputsKeepsInputBytesAndGivesRepeatableOutputs) {
  RunnerOptions opts;
  opts.preserve_inputs = true;
  Runner r(model("hello_world_float"), opts);
  r.fill_tflm_pattern();
  const float before = *static_cast<float*>(r.interpreter().input_data(0));
  r.invoke();
  const uint64_t first = r.outputs_fnv1a64();
  EXPECT_EQ(*static_cast<float*>(r.interpreter().input_data(0)), before);
  r.invoke();  // no refill
  EXPECT_EQ(r.outputs_fnv1a64(), first);
  EXPECT_EQ(hex16(first), golden_hash("hello_world_float"));
  EXPECT_GE(exact_arena_bytes(model("hello_world_float"), true), exact_arena_bytes(model("hello_world_float"), false));
}

TEST(Interpreter, StateCarriesAcrossInvokesAndResetRestoresIt) {
  Runner r(model("trained_lstm"));
  r.fill_tflm_pattern();
  r.invoke();
  const std::string golden = golden_hash("trained_lstm");
  EXPECT_EQ(hex16(r.outputs_fnv1a64()), golden);
  r.fill_tflm_pattern();
  r.invoke();
  EXPECT_NE(hex16(r.outputs_fnv1a64()), golden) << "LSTM state should change the second output";
  r.reset_state();
  r.fill_tflm_pattern();
  r.invoke();
  EXPECT_EQ(hex16(r.outputs_fnv1a64()), golden);
}

TEST(Interpreter, CallsBeforeAllocateAreRefused) {
  const ModelBytes m = model("hello_world_int8");
  const OpResolver r = all_kernels();
  test::AlignedBytes arena(4096);
  Interpreter interp(m.data(), m.size(), r, arena.data(), arena.size());
  EXPECT_EQ(interp.invoke(), Status::kNotReady);
  EXPECT_EQ(interp.reset_state(), Status::kNotReady);
  EXPECT_EQ(interp.input_data(0), nullptr);
  EXPECT_EQ(interp.output_data(0), nullptr);
  ASSERT_EQ(interp.allocate(), Status::kOk);
  EXPECT_EQ(interp.input_data(1), nullptr);  // out of range
  EXPECT_NE(interp.input_data(0), nullptr);
}

TEST(Interpreter, ListsEveryUnsupportedOperatorOnce) {
  const ModelBytes m = model("micro_speech_quantized");
  OpResolver only_fc;
  only_fc.add(micro::kernels::kFullyConnected);
  test::AlignedBytes arena(64 * 1024);
  Interpreter interp(m.data(), m.size(), only_fc, arena.data(), arena.size());
  EXPECT_EQ(interp.allocate(), Status::kUnsupported);
  const std::string err = interp.error();
  for (const char* op : {"RESHAPE", "DEPTHWISE_CONV_2D", "SOFTMAX"}) EXPECT_NE(err.find(op), std::string::npos) << err;
  EXPECT_EQ(err.find("FULLY_CONNECTED"), std::string::npos) << err;
}

TEST(Interpreter, ResolverRefusesDuplicatesAndFindsByCode) {
  OpResolver r;
  EXPECT_TRUE(r.add(micro::kernels::kConv2D));
  EXPECT_FALSE(r.add(micro::kernels::kConv2D));
  EXPECT_EQ(r.find(micro::op::kConv2D, nullptr), &micro::kernels::kConv2D);
  EXPECT_EQ(r.find(micro::op::kAdd, nullptr), nullptr);
}

TEST(Interpreter, InPlaceReshapeSharesItsInputBuffer) {
  // micro_speech_quantized starts with RESHAPE: its output should live where its input was.
  Runner r(model("micro_speech_quantized"));
  const micro::Model& m = r.model();
  const int32_t in = m.op_inputs(0).i32(0);
  const int32_t out = m.op_outputs(0).i32(0);
  EXPECT_EQ(r.interpreter().tensor_data(static_cast<uint32_t>(in)), r.interpreter().tensor_data(static_cast<uint32_t>(out)));
}

}  // namespace
}  // namespace tinyforge
