// HARD_SWISH: float against x * relu6(x + 3) / 6 by hand; int8 against a float reference (the
// 16-bit fixed-point scheme is within a step) and exactly at 0.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kHardSwish;

TEST(HardSwishKernel, Float) {
  SingleOp op(kHardSwish, {tensor(TensorType::kFloat32, {5}), tensor(TensorType::kFloat32, {5})}, {0}, {1});
  EXPECT_EQ(op.run<float>({{-4.0f, -3.0f, 0.0f, 3.0f, 10.0f}}),
            (std::vector<float>{-0.0f, -0.0f, 0.0f, 3.0f, 10.0f}));
  SingleOp op2(kHardSwish, {tensor(TensorType::kFloat32, {1}), tensor(TensorType::kFloat32, {1})}, {0}, {1});
  EXPECT_FLOAT_EQ(op2.run<float>({{1.5f}})[0], 1.5f * 4.5f / 6.0f);
}

TEST(HardSwishKernel, Int8MatchesFloatReference) {
  const float si = 0.05f, so = 0.04f;
  const int zi = -3, zo = -40;
  std::vector<int8_t> in(256);
  for (int i = 0; i < 256; ++i) in[static_cast<size_t>(i)] = static_cast<int8_t>(i - 128);
  SingleOp op(kHardSwish, {qtensor(TensorType::kInt8, {256}, si, zi), qtensor(TensorType::kInt8, {256}, so, zo)}, {0},
              {1});
  const auto out = op.run<int8_t>({in});
  for (size_t i = 0; i < 256; ++i) {
    const double x = si * (in[i] - zi);
    const double y = x * std::fmin(6.0, std::fmax(0.0, x + 3.0)) / 6.0;
    EXPECT_LE(std::abs(out[i] - quantize_value(y, so, zo, -128, 127)), 1) << "input " << int(in[i]);
  }
  EXPECT_EQ(out[static_cast<size_t>(zi + 128)], zo);  // real 0 maps to the output zero point exactly
}

TEST(HardSwishKernel, RejectsInt16) {
  SingleOp op(kHardSwish, {qtensor(TensorType::kInt16, {2}, 0.1f, 0), qtensor(TensorType::kInt16, {2}, 0.1f, 0)},
              {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
}

}  // namespace
}  // namespace tinyforge::test::single_op
