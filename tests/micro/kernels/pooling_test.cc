// AVERAGE_POOL_2D and MAX_POOL_2D: windows clipped at the image border (never averaging
// padding), integer rounding of averages, fused activations and the quantization check.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kAveragePool2D;
using micro::kernels::kMaxPool2D;
enum { kPadding = 0, kStrideW = 1, kStrideH = 2, kFilterW = 3, kFilterH = 4, kAct = 5 };

std::vector<OptionField> pool(int padding, int stride, int filter, int act = 0) {
  return {opt_i8(kPadding, padding), opt_i32(kStrideW, stride), opt_i32(kStrideH, stride),
          opt_i32(kFilterW, filter), opt_i32(kFilterH, filter), opt_i8(kAct, act)};
}

TEST(AveragePool2DKernel, FloatSameClipsWindowsAtTheBorder) {
  // 3x3 input, 2x2 filter, stride 2, SAME: out 2x2, total padding 1, all of it after.
  // Windows: {1,2,4,5}, {3,6}, {7,8}, {9}.
  SingleOp op(kAveragePool2D, {tensor(TensorType::kFloat32, {1, 3, 3, 1}), tensor(TensorType::kFloat32, {1, 2, 2, 1})},
              {0}, {1}, pool(0, 2, 2), kPool2DOptions);
  EXPECT_EQ(op.run<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}), (std::vector<float>{3, 4.5f, 7.5f, 9}));
}

TEST(AveragePool2DKernel, Int8RoundsHalfAwayFromZero) {
  // 1x2 windows over two channels: (-2-3)/2 = -2.5 -> -3, (2+3)/2 = 2.5 -> 3, (-1+0)/2 -> -1, 1/2 -> 1.
  SingleOp op(kAveragePool2D,
              {qtensor(TensorType::kInt8, {1, 1, 4, 2}, 0.5f, 0), qtensor(TensorType::kInt8, {1, 1, 2, 2}, 0.5f, 0)},
              {0}, {1},
              {opt_i8(kPadding, 1), opt_i32(kStrideW, 2), opt_i32(kStrideH, 1), opt_i32(kFilterW, 2),
               opt_i32(kFilterH, 1)},
              kPool2DOptions);
  EXPECT_EQ(op.run<int8_t>({-2, -1, -3, 0, 2, 0, 3, 1}), (std::vector<int8_t>{-3, -1, 3, 1}));
}

TEST(AveragePool2DKernel, Int16AverageWithRelu) {
  // zero point 0, scale 1: relu clamps at 0.
  SingleOp op(kAveragePool2D,
              {qtensor(TensorType::kInt16, {1, 2, 2, 1}, 1.0f, 0), qtensor(TensorType::kInt16, {1, 1, 1, 1}, 1.0f, 0)},
              {0}, {1}, pool(1, 2, 2, 1), kPool2DOptions);
  EXPECT_EQ(op.run<int16_t>({-30000, -20000, 1000, 3}), (std::vector<int16_t>{0}));
  SingleOp op2(kAveragePool2D,
               {qtensor(TensorType::kInt16, {1, 2, 2, 1}, 1.0f, 0), qtensor(TensorType::kInt16, {1, 1, 1, 1}, 1.0f, 0)},
               {0}, {1}, pool(1, 2, 2, 1), kPool2DOptions);
  EXPECT_EQ(op2.run<int16_t>({30000, 20000, 1000, 3}), (std::vector<int16_t>{12751}));  // 51003/4 = 12750.75
}

TEST(MaxPool2DKernel, FloatValidStrideOneOverlapping) {
  SingleOp op(kMaxPool2D, {tensor(TensorType::kFloat32, {1, 2, 3, 1}), tensor(TensorType::kFloat32, {1, 1, 2, 1})},
              {0}, {1}, pool(1, 1, 2), kPool2DOptions);
  EXPECT_EQ(op.run<float>({-5, -1, -7, -3, -9, -2}), (std::vector<float>{-1, -1}));
}

TEST(MaxPool2DKernel, Int8WithRelu6OnTheQuantizedScale) {
  // scale 0.5, zero point -10: relu6 keeps [-10, 2], so 20 -> 2 and -100 -> -10.
  SingleOp op(kMaxPool2D,
              {qtensor(TensorType::kInt8, {1, 2, 4, 1}, 0.5f, -10), qtensor(TensorType::kInt8, {1, 1, 2, 1}, 0.5f, -10)},
              {0}, {1}, pool(1, 2, 2, 3), kPool2DOptions);
  EXPECT_EQ(op.run<int8_t>({-100, -120, 20, -128, -128, -101, 0, 1}), (std::vector<int8_t>{-10, 2}));
}

TEST(MaxPool2DKernel, RejectsDifferentInputAndOutputQuantization) {
  SingleOp op(kMaxPool2D,
              {qtensor(TensorType::kInt8, {1, 2, 2, 1}, 0.5f, 0), qtensor(TensorType::kInt8, {1, 1, 1, 1}, 0.25f, 0)},
              {0}, {1}, pool(1, 2, 2), kPool2DOptions);
  op.expect_rejected(Status::kInvalidModel, "quantization differ");
}

TEST(MaxPool2DKernel, RejectsZeroFilter) {
  SingleOp op(kMaxPool2D, {tensor(TensorType::kFloat32, {1, 2, 2, 1}), tensor(TensorType::kFloat32, {1, 2, 2, 1})},
              {0}, {1}, pool(0, 1, 0), kPool2DOptions);
  op.expect_rejected(Status::kInvalidModel, "filter 0x0");
}

}  // namespace
}  // namespace tinyforge::test::single_op
