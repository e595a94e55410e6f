// SUB: hand-worked float, int8, int16 and int32 results, including TFLM's fused activation on int32.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kSub;
constexpr uint8_t kSubOptions = 28;

TEST(SubKernel, FloatBroadcastWithRelu6) {
  SingleOp op(kSub, {tensor(TensorType::kFloat32, {2, 2}), tensor(TensorType::kFloat32, {2, 1}),
                     tensor(TensorType::kFloat32, {2, 2})},
              {0, 1}, {2}, {opt_i8(0, 3)}, kSubOptions);
  EXPECT_EQ(op.run<float>({{10.0f, 3.0f, 1.0f, -1.0f}, {1.0f, -2.0f}}), (std::vector<float>{6.0f, 2.0f, 3.0f, 1.0f}));
}

TEST(SubKernel, Int8SameScaleIsExactAndSaturates) {
  SingleOp op(kSub, {qtensor(TensorType::kInt8, {4}, 0.1f, 3), qtensor(TensorType::kInt8, {4}, 0.1f, 3),
                     qtensor(TensorType::kInt8, {4}, 0.1f, 3)},
              {0, 1}, {2});
  // q_out = (a - 3) - (b - 3) + 3
  EXPECT_EQ(op.run<int8_t>({{10, -100, 127, 3}, {4, 100, -128, 3}}), (std::vector<int8_t>{9, -128, 127, 3}));
}

TEST(SubKernel, Int8DifferentScalesMatchFloatWithinOneStep) {
  const float s1 = 0.03f, s2 = 0.05f, so = 0.07f;
  std::vector<int8_t> a(64), b(64);
  for (int i = 0; i < 64; ++i) {
    a[static_cast<size_t>(i)] = static_cast<int8_t>(i * 4 - 128);
    b[static_cast<size_t>(i)] = static_cast<int8_t>(127 - i * 3);
  }
  SingleOp op(kSub, {qtensor(TensorType::kInt8, {64}, s1, 5), qtensor(TensorType::kInt8, {64}, s2, -7),
                     qtensor(TensorType::kInt8, {64}, so, 1)},
              {0, 1}, {2});
  const auto out = op.run<int8_t>({a, b});
  for (size_t i = 0; i < 64; ++i) {
    const int want = quantize_value(s1 * (a[i] - 5) - s2 * (b[i] + 7), so, 1, -128, 127);
    EXPECT_LE(std::abs(out[i] - want), 1) << "element " << i;
  }
}

TEST(SubKernel, Int16SameScaleIsExact) {
  SingleOp op(kSub, {qtensor(TensorType::kInt16, {3}, 0.001f, 0), qtensor(TensorType::kInt16, {3}, 0.001f, 0),
                     qtensor(TensorType::kInt16, {3}, 0.001f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int16_t>({{1000, -32000, 5}, {-1000, 32000, 5}}), (std::vector<int16_t>{2000, -32768, 0}));
}

TEST(SubKernel, Int32AppliesFusedRelu) {
  SingleOp op(kSub, {tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt32, {3})},
              {0, 1}, {2}, {opt_i8(0, 1)}, kSubOptions);
  EXPECT_EQ(op.run<int32_t>({{5, 1, 100}, {2, 4, -1}}), (std::vector<int32_t>{3, 0, 101}));
}

}  // namespace
}  // namespace tinyforge::test::single_op
