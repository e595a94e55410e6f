// DEQUANTIZE: scale * (q - zero_point) for int8, int16 and uint8; float16 converted exactly.
#include <cmath>

#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kDequantize;

TEST(DequantizeKernel, Int8) {
  SingleOp op(kDequantize, {qtensor(TensorType::kInt8, {3}, 0.5f, -1), tensor(TensorType::kFloat32, {3})}, {0}, {1});
  EXPECT_EQ((op.run<int8_t, float>({{3, -1, -128}})), (std::vector<float>{2.0f, 0.0f, -63.5f}));
}

TEST(DequantizeKernel, Int16ComputesInDoubleThenRounds) {
  SingleOp op(kDequantize, {qtensor(TensorType::kInt16, {2}, 0.1f, 0), tensor(TensorType::kFloat32, {2})}, {0}, {1});
  const auto out = op.run<int16_t, float>({{3, -32768}});
  EXPECT_EQ(out[0], static_cast<float>(static_cast<double>(0.1f) * 3));
  EXPECT_EQ(out[1], static_cast<float>(static_cast<double>(0.1f) * -32768));
}

TEST(DequantizeKernel, UInt8) {
  SingleOp op(kDequantize, {qtensor(TensorType::kUInt8, {2}, 0.25f, 128), tensor(TensorType::kFloat32, {2})}, {0}, {1});
  EXPECT_EQ((op.run<uint8_t, float>({{0, 255}})), (std::vector<float>{-32.0f, 31.75f}));
}

// IEEE binary16 bit patterns with their exact values: 0x3c00 = 1, 0xc000 = -2, 0x3555 =
// 0x155/1024 * 2^-2 + 2^-2 = 0.333251953125, 0x7bff = 65504 (largest), 0x0001 = 2^-24 (smallest
// subnormal), 0x03ff = 1023 * 2^-24 (largest subnormal), 0x8000 = -0, 0xfc00 = -infinity.
TEST(DequantizeKernel, Float16IsExact) {
  SingleOp op(kDequantize, {tensor(TensorType::kFloat16, {8}), tensor(TensorType::kFloat32, {8})}, {0}, {1});
  const auto out = op.run<uint16_t, float>({{0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x03ff, 0x8000, 0xfc00}});
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], 0.333251953125f);
  EXPECT_EQ(out[3], 65504.0f);
  EXPECT_EQ(out[4], 5.9604644775390625e-8f);
  EXPECT_EQ(out[5], 1023.0f * 5.9604644775390625e-8f);
  EXPECT_EQ(out[6], 0.0f);
  EXPECT_TRUE(std::signbit(out[6]));
  EXPECT_EQ(out[7], -INFINITY);
}

TEST(DequantizeKernel, RejectsIntegerOutput) {
  SingleOp op(kDequantize, {qtensor(TensorType::kInt8, {2}, 0.25f, 0), tensor(TensorType::kInt32, {2})}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
}

}  // namespace
}  // namespace tinyforge::test::single_op
