// QUANTIZE: float -> int8/int16 and the requantizing pairs, worked out by hand.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kQuantize;

TEST(QuantizeKernel, FloatToInt8RoundsHalfAwayFromZeroAndClamps) {
  SingleOp op(kQuantize, {tensor(TensorType::kFloat32, {6}), qtensor(TensorType::kInt8, {6}, 0.5f, -1)}, {0}, {1});
  EXPECT_EQ((op.run<float, int8_t>({{0.25f, -0.25f, 1.0f, -1.0f, 1000.0f, -1000.0f}})),
            (std::vector<int8_t>{0, -2, 1, -3, 127, -128}));
}

TEST(QuantizeKernel, FloatToInt16) {
  SingleOp op(kQuantize, {tensor(TensorType::kFloat32, {3}), qtensor(TensorType::kInt16, {3}, 1.0f / 1024, 0)}, {0},
              {1});
  EXPECT_EQ((op.run<float, int16_t>({{1.0f, -0.5f, 40.0f}})), (std::vector<int16_t>{1024, -512, 32767}));
}

// A multiplier of exactly 0.5 goes through the rounding doubling high multiply alone, which
// rounds exact halves upward (1.5 -> 2, -1.5 -> -1), as in TFLM.
TEST(QuantizeKernel, Int16ToInt8HalvingRoundsHalvesUpward) {
  // in scale 0.5 zp 0 -> out scale 1 zp 5: q = x / 2 + 5
  SingleOp op(kQuantize, {qtensor(TensorType::kInt16, {5}, 0.5f, 0), qtensor(TensorType::kInt8, {5}, 1.0f, 5)}, {0},
              {1});
  EXPECT_EQ((op.run<int16_t, int8_t>({{3, -3, 4, 1000, -1000}})), (std::vector<int8_t>{7, 4, 7, 127, -128}));
}

TEST(QuantizeKernel, Int8ToInt8Rescale) {
  SingleOp op(kQuantize, {qtensor(TensorType::kInt8, {3}, 0.1f, 10), qtensor(TensorType::kInt8, {3}, 0.2f, -10)}, {0},
              {1});
  // q = (x - 10) / 2 - 10, with -68.5 rounded upward to -68
  EXPECT_EQ((op.run<int8_t, int8_t>({{10, 30, -127}})), (std::vector<int8_t>{-10, 0, -78}));
}

TEST(QuantizeKernel, Int8ToUInt8ShiftsBy128) {
  SingleOp op(kQuantize, {qtensor(TensorType::kInt8, {3}, 0.3f, -5), qtensor(TensorType::kUInt8, {3}, 0.3f, 123)}, {0},
              {1});
  EXPECT_EQ((op.run<int8_t, uint8_t>({{-128, 0, 127}})), (std::vector<uint8_t>{0, 128, 255}));
}

TEST(QuantizeKernel, Int8ToInt16Widens) {
  SingleOp op(kQuantize, {qtensor(TensorType::kInt8, {2}, 0.5f, 1), qtensor(TensorType::kInt16, {2}, 0.001f, 0)}, {0},
              {1});
  EXPECT_EQ((op.run<int8_t, int16_t>({{11, -9}})), (std::vector<int16_t>{5000, -5000}));
}

TEST(QuantizeKernel, RejectsPerChannelOutput) {
  TensorSpec out = qtensor(TensorType::kInt8, {2}, 0.5f, 0);
  out.scales = {0.5f, 0.25f};
  out.zero_points = {0, 0};
  SingleOp op(kQuantize, {tensor(TensorType::kFloat32, {2}), out}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel);
}

TEST(QuantizeKernel, RejectsFloatToUInt8LikeTflm) {
  SingleOp op(kQuantize, {tensor(TensorType::kFloat32, {2}), qtensor(TensorType::kUInt8, {2}, 0.5f, 0)}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
  EXPECT_NE(op.error().find("UINT8"), std::string::npos) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
