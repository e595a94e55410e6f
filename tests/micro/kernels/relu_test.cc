// RELU and RELU6: float by hand; int8/int16 RELU rescales to the output quantization; quantized
// RELU6 clamps the raw values to the input's quantized 0 and 6 (TFLM's behaviour).
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kRelu;
using micro::kernels::kRelu6;

TEST(ReluKernel, Float) {
  SingleOp op(kRelu, {tensor(TensorType::kFloat32, {4}), tensor(TensorType::kFloat32, {4})}, {0}, {1});
  EXPECT_EQ(op.run<float>({{-1.0f, 0.0f, 2.5f, 1e30f}}), (std::vector<float>{0.0f, 0.0f, 2.5f, 1e30f}));
}

TEST(ReluKernel, Int8RescalesToOutputQuantization) {
  // in: scale 0.5 zp -10; out: scale 0.25 zp -128. real = (q+10)/2 -> out = 4*real - 128 = 2q + 20 - 128
  SingleOp op(kRelu, {qtensor(TensorType::kInt8, {5}, 0.5f, -10), qtensor(TensorType::kInt8, {5}, 0.25f, -128)}, {0},
              {1});
  EXPECT_EQ(op.run<int8_t>({{-128, -10, -9, 40, 127}}), (std::vector<int8_t>{-128, -128, -126, -28, 127}));
}

TEST(ReluKernel, Int16) {
  SingleOp op(kRelu, {qtensor(TensorType::kInt16, {3}, 0.01f, 0), qtensor(TensorType::kInt16, {3}, 0.01f, 0)}, {0}, {1});
  EXPECT_EQ(op.run<int16_t>({{-300, 0, 300}}), (std::vector<int16_t>{0, 0, 300}));
}

TEST(Relu6Kernel, Float) {
  SingleOp op(kRelu6, {tensor(TensorType::kFloat32, {4}), tensor(TensorType::kFloat32, {4})}, {0}, {1});
  EXPECT_EQ(op.run<float>({{-1.0f, 3.0f, 6.0f, 7.5f}}), (std::vector<float>{0.0f, 3.0f, 6.0f, 6.0f}));
}

TEST(Relu6Kernel, Int8ClampsToQuantizedZeroAndSix) {
  // scale 0.05, zp -100: 0 -> -100, 6 -> 120 - 100 = 20.
  SingleOp op(kRelu6, {qtensor(TensorType::kInt8, {4}, 0.05f, -100), qtensor(TensorType::kInt8, {4}, 0.05f, -100)},
              {0}, {1});
  EXPECT_EQ(op.run<int8_t>({{-128, -50, 20, 127}}), (std::vector<int8_t>{-100, -50, 20, 20}));
}

TEST(ReluKernel, RejectsInt32) {
  SingleOp op(kRelu, {tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt32, {3})}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
  EXPECT_NE(op.error().find("INT32"), std::string::npos) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
