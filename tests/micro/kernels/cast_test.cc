// CAST: C++ conversion semantics between the supported types, worked out by hand.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kCast;

TEST(CastKernel, FloatToInt32TruncatesTowardZeroAndSaturates) {
  SingleOp op(kCast, {tensor(TensorType::kFloat32, {5}), tensor(TensorType::kInt32, {5})}, {0}, {1});
  EXPECT_EQ((op.run<float, int32_t>({{1.9f, -1.9f, 0.0f, 3e9f, -3e9f}})),
            (std::vector<int32_t>{1, -1, 0, 2147483647, -2147483647 - 1}));
}

TEST(CastKernel, Int16ToFloat) {
  SingleOp op(kCast, {tensor(TensorType::kInt16, {3}), tensor(TensorType::kFloat32, {3})}, {0}, {1});
  EXPECT_EQ((op.run<int16_t, float>({{-32768, 0, 7}})), (std::vector<float>{-32768.0f, 0.0f, 7.0f}));
}

TEST(CastKernel, Int32ToInt8Wraps) {
  SingleOp op(kCast, {tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt8, {3})}, {0}, {1});
  EXPECT_EQ((op.run<int32_t, int8_t>({{300, -129, 5}})), (std::vector<int8_t>{44, 127, 5}));
}

TEST(CastKernel, ToAndFromBool) {
  SingleOp to_bool(kCast, {tensor(TensorType::kFloat32, {3}), tensor(TensorType::kBool, {3})}, {0}, {1});
  EXPECT_EQ((to_bool.run<float, uint8_t>({{0.0f, -0.5f, 2.0f}})), (std::vector<uint8_t>{0, 1, 1}));
  SingleOp from_bool(kCast, {tensor(TensorType::kBool, {2}), tensor(TensorType::kInt32, {2})}, {0}, {1});
  EXPECT_EQ((from_bool.run<uint8_t, int32_t>({{1, 0}})), (std::vector<int32_t>{1, 0}));
}

TEST(CastKernel, UInt32ToFloat) {
  SingleOp op(kCast, {tensor(TensorType::kUInt32, {2}), tensor(TensorType::kFloat32, {2})}, {0}, {1});
  EXPECT_EQ((op.run<uint32_t, float>({{4000000000u, 1u}})), (std::vector<float>{4e9f, 1.0f}));
}

TEST(CastKernel, RejectsStrings) {
  SingleOp op(kCast, {tensor(TensorType::kString, {2}), tensor(TensorType::kInt32, {2})}, {0}, {1});
  EXPECT_NE(op.allocate(), Status::kOk);
}

}  // namespace
}  // namespace tinyforge::test::single_op
