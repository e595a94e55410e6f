// DEQUANTIZE: scale * (q - zero_point) for int8, int16 and uint8.
#include "micro/kernels/elementwise_test_harness.h"

namespace tinyforge::test::elementwise {
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

TEST(DequantizeKernel, RejectsIntegerOutput) {
  SingleOp op(kDequantize, {qtensor(TensorType::kInt8, {2}, 0.25f, 0), tensor(TensorType::kInt32, {2})}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
}

}  // namespace
}  // namespace tinyforge::test::elementwise
