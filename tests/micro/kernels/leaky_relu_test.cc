// LEAKY_RELU: float by hand, int8/int16 with exactly representable alpha and scales.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kLeakyRelu;
constexpr uint8_t kLeakyReluOptions = 75;  // LeakyReluOptions in schema.fbs's BuiltinOptions union

TEST(LeakyReluKernel, Float) {
  SingleOp op(kLeakyRelu, {tensor(TensorType::kFloat32, {4}), tensor(TensorType::kFloat32, {4})}, {0}, {1},
              {opt_f32(0, 0.25f)}, kLeakyReluOptions);
  EXPECT_EQ(op.run<float>({{-4.0f, -1.0f, 0.0f, 3.0f}}), (std::vector<float>{-1.0f, -0.25f, 0.0f, 3.0f}));
}

// TFLM's fixed-point multiply (rounding doubling high multiply) rounds exact halves upward:
// 1.5 -> 2 but -1.5 -> -1.
TEST(LeakyReluKernel, Int8HalfAlphaRoundsHalvesUpward) {
  SingleOp op(kLeakyRelu, {qtensor(TensorType::kInt8, {5}, 0.1f, 0), qtensor(TensorType::kInt8, {5}, 0.1f, 0)}, {0},
              {1}, {opt_f32(0, 0.5f)}, kLeakyReluOptions);
  EXPECT_EQ(op.run<int8_t>({{-128, -4, -3, 0, 127}}), (std::vector<int8_t>{-64, -2, -1, 0, 127}));
}

TEST(LeakyReluKernel, Int8RescalesBothHalves) {
  // in scale 0.5 zp 10, out scale 0.25 zp -20, alpha 0.5: x >= 0 -> 2x', x < 0 -> x' (x' = q - 10)
  SingleOp op(kLeakyRelu, {qtensor(TensorType::kInt8, {4}, 0.5f, 10), qtensor(TensorType::kInt8, {4}, 0.25f, -20)},
              {0}, {1}, {opt_f32(0, 0.5f)}, kLeakyReluOptions);
  EXPECT_EQ(op.run<int8_t>({{10, 40, 0, -128}}), (std::vector<int8_t>{-20, 40, -30, -128}));
}

TEST(LeakyReluKernel, Int16) {
  SingleOp op(kLeakyRelu, {qtensor(TensorType::kInt16, {3}, 0.001f, 0), qtensor(TensorType::kInt16, {3}, 0.001f, 0)},
              {0}, {1}, {opt_f32(0, 0.125f)}, kLeakyReluOptions);
  EXPECT_EQ(op.run<int16_t>({{-8000, 8000, -32768}}), (std::vector<int16_t>{-1000, 8000, -4096}));
}

}  // namespace
}  // namespace tinyforge::test::single_op
