// MUL: hand-worked float, int8, int16 and int32 products, broadcasting, and the int16 zero-point rule.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kMul;
constexpr uint8_t kMulOptions = 21;

TEST(MulKernel, FloatBroadcastColumnWithReluN1To1) {
  SingleOp op(kMul, {tensor(TensorType::kFloat32, {2, 3}), tensor(TensorType::kFloat32, {2, 1}),
                     tensor(TensorType::kFloat32, {2, 3})},
              {0, 1}, {2}, {opt_i8(0, 2)}, kMulOptions);
  EXPECT_EQ(op.run<float>({{0.25f, 1.0f, -3.0f, 0.5f, 2.0f, -0.125f}, {2.0f, -1.0f}}),
            (std::vector<float>{0.5f, 1.0f, -1.0f, -0.5f, -1.0f, 0.125f}));
}

TEST(MulKernel, Int8ProductOnQuarterScaleIsExact) {
  // (0.5 a')(0.5 b') on a 0.25 output scale is a' * b' exactly (a' = a - zero point).
  SingleOp op(kMul, {qtensor(TensorType::kInt8, {4}, 0.5f, 2), qtensor(TensorType::kInt8, {4}, 0.5f, -1),
                     qtensor(TensorType::kInt8, {4}, 0.25f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int8_t>({{5, -1, 2, 100}, {3, 6, 50, 100}}), (std::vector<int8_t>{12, -21, 0, 127}));
}

TEST(MulKernel, Int8MatchesFloatWithinOneStep) {
  const float s1 = 0.02f, s2 = 0.03f, so = 0.011f;
  std::vector<int8_t> a(100), b(100);
  for (int i = 0; i < 100; ++i) {
    a[static_cast<size_t>(i)] = static_cast<int8_t>(i * 2 - 100);
    b[static_cast<size_t>(i)] = static_cast<int8_t>((i * 7) % 200 - 100);
  }
  SingleOp op(kMul, {qtensor(TensorType::kInt8, {100}, s1, 0), qtensor(TensorType::kInt8, {100}, s2, 4),
                     qtensor(TensorType::kInt8, {100}, so, -5)},
              {0, 1}, {2});
  const auto out = op.run<int8_t>({a, b});
  for (size_t i = 0; i < 100; ++i) {
    const int want = quantize_value(double(s1) * a[i] * double(s2) * (b[i] - 4), so, -5, -128, 127);
    EXPECT_LE(std::abs(out[i] - want), 1) << "element " << i;
  }
}

TEST(MulKernel, Int16SymmetricProduct) {
  SingleOp op(kMul, {qtensor(TensorType::kInt16, {3}, 1.0f / 256, 0), qtensor(TensorType::kInt16, {3}, 1.0f / 256, 0),
                     qtensor(TensorType::kInt16, {3}, 1.0f / 256, 0)},
              {0, 1}, {2});
  // real = (a/256)(b/256) -> q = a*b/256
  EXPECT_EQ(op.run<int16_t>({{512, -768, 32767}, {256, 512, 32767}}), (std::vector<int16_t>{512, -1536, 32767}));
}

TEST(MulKernel, Int16RejectsNonZeroZeroPoint) {
  SingleOp op(kMul, {qtensor(TensorType::kInt16, {3}, 0.1f, 1), qtensor(TensorType::kInt16, {3}, 0.1f, 0),
                     qtensor(TensorType::kInt16, {3}, 0.1f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
  EXPECT_NE(op.error().find("zero point"), std::string::npos) << op.error();
}

TEST(MulKernel, Int32WithRelu) {
  SingleOp op(kMul, {tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt32, {}), tensor(TensorType::kInt32, {3})},
              {0, 1}, {2}, {opt_i8(0, 1)}, kMulOptions);
  EXPECT_EQ(op.run<int32_t>({{3, -4, 0}, {-7}}), (std::vector<int32_t>{0, 28, 0}));
}

}  // namespace
}  // namespace tinyforge::test::single_op
