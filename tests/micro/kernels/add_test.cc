// ADD: float, int32, int8 and int16 results worked out by hand or from a float reference,
// broadcasting up to rank 5, and the shape/type errors prepare() must report.
#include "micro/kernels/single_op_harness.h"

namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kAdd;
constexpr uint8_t kAddOptions = 11;

TEST(AddKernel, FloatWithFusedRelu) {
  SingleOp op(kAdd, {tensor(TensorType::kFloat32, {1, 2, 2, 1}), tensor(TensorType::kFloat32, {1, 2, 2, 1}),
                     tensor(TensorType::kFloat32, {1, 2, 2, 1})},
              {0, 1}, {2}, {opt_i8(0, 1)}, kAddOptions);
  const auto out = op.run<float>({{1.0f, -2.0f, 3.0f, -4.0f}, {0.5f, 0.5f, -5.0f, 5.0f}});
  EXPECT_EQ(out, (std::vector<float>{1.5f, 0.0f, 0.0f, 1.0f}));
}

TEST(AddKernel, FloatBroadcastsAcrossFiveDimensions) {
  // a: [2,1,2,1,3], b: [2,1,2,1] -> out [2,2,2,2,3]; expected from explicit index arithmetic.
  const std::vector<int32_t> sa = {2, 1, 2, 1, 3}, sb = {2, 1, 2, 1}, so = {2, 2, 2, 2, 3};
  std::vector<float> a(12), b(4);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(i);
  for (size_t i = 0; i < b.size(); ++i) b[i] = 100.0f * static_cast<float>(i + 1);
  std::vector<float> expected;
  for (int d0 = 0; d0 < 2; ++d0)
    for (int d1 = 0; d1 < 2; ++d1)
      for (int d2 = 0; d2 < 2; ++d2)
        for (int d3 = 0; d3 < 2; ++d3)
          for (int d4 = 0; d4 < 3; ++d4) {
            const float va = a[static_cast<size_t>((d0 * 2 + d2) * 3 + d4)];  // dims 1 and 3 stretched
            const float vb = b[static_cast<size_t>(d1 * 2 + d3)];           // b aligns with dims 1..4
            expected.push_back(va + vb);
          }
  SingleOp op(kAdd, {tensor(TensorType::kFloat32, sa), tensor(TensorType::kFloat32, sb), tensor(TensorType::kFloat32, so)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<float>({a, b}), expected);
}

TEST(AddKernel, FloatScalarSecondOperand) {
  SingleOp op(kAdd, {tensor(TensorType::kFloat32, {3}), tensor(TensorType::kFloat32, {}),
                     tensor(TensorType::kFloat32, {3})},
              {0, 1}, {2}, {opt_i8(0, 3)}, kAddOptions);  // RELU6
  EXPECT_EQ(op.run<float>({{1.0f, 5.5f, -9.0f}, {1.0f}}), (std::vector<float>{2.0f, 6.0f, 0.0f}));
}

TEST(AddKernel, Int8SameScaleIsExactAndSaturates) {
  // Equal scales and zero points: every rescale is a power of two, so the sum is exact.
  SingleOp op(kAdd, {qtensor(TensorType::kInt8, {4}, 0.5f, 0), qtensor(TensorType::kInt8, {4}, 0.5f, 0),
                     qtensor(TensorType::kInt8, {4}, 0.5f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int8_t>({{100, -100, 50, 3}, {100, -100, -20, 4}}), (std::vector<int8_t>{127, -128, 30, 7}));
}

TEST(AddKernel, Int8FusedReluClampsAtOutputZeroPoint) {
  SingleOp op(kAdd, {qtensor(TensorType::kInt8, {3}, 0.5f, -10), qtensor(TensorType::kInt8, {3}, 0.5f, -10),
                     qtensor(TensorType::kInt8, {3}, 0.5f, -10)},
              {0, 1}, {2}, {opt_i8(0, 1)}, kAddOptions);
  // real a = (q+10)/2: a={-5,0,2}, b={1,-3,4}; sums {-4,-3,6} -> relu {0,0,6} -> q = 2r - 10
  EXPECT_EQ(op.run<int8_t>({{-20, -10, -6}, {-8, -16, -2}}), (std::vector<int8_t>{-10, -10, 2}));
}

TEST(AddKernel, Int8DifferentScalesMatchFloatWithinOneStep) {
  // The scales of simple_add_model.
  const float s1 = 0.040725f, s2 = 0.041246f, so = 0.058377f;
  const int z1 = -2, z2 = -1, zo = -3;
  std::vector<int8_t> a(256), b(256), expected(256);
  for (int i = 0; i < 256; ++i) {
    a[static_cast<size_t>(i)] = static_cast<int8_t>(i - 128);
    b[static_cast<size_t>(i)] = static_cast<int8_t>((i * 37) % 256 - 128);
  }
  SingleOp op(kAdd, {qtensor(TensorType::kInt8, {1, 16, 16, 1}, s1, z1), qtensor(TensorType::kInt8, {1, 16, 16, 1}, s2, z2),
                     qtensor(TensorType::kInt8, {1, 16, 16, 1}, so, zo)},
              {0, 1}, {2});
  const auto out = op.run<int8_t>({a, b});
  int exact = 0;
  for (size_t i = 0; i < 256; ++i) {
    const double real = s1 * (a[i] - z1) + s2 * (b[i] - z2);
    const int want = quantize_value(real, so, zo, -128, 127);
    EXPECT_LE(std::abs(out[i] - want), 1) << "element " << i;
    exact += out[i] == want;
  }
  EXPECT_GE(exact, 240);
}

TEST(AddKernel, Int8BroadcastRowVector) {
  SingleOp op(kAdd, {qtensor(TensorType::kInt8, {2, 3}, 1.0f, 0), qtensor(TensorType::kInt8, {3}, 1.0f, 0),
                     qtensor(TensorType::kInt8, {2, 3}, 1.0f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int8_t>({{1, 2, 3, 4, 5, 6}, {10, 20, 30}}), (std::vector<int8_t>{11, 22, 33, 14, 25, 36}));
}

TEST(AddKernel, Int16SameScaleIsExactAndSaturates) {
  const float s = 1.0f / 1024;
  SingleOp op(kAdd, {qtensor(TensorType::kInt16, {4}, s, 0), qtensor(TensorType::kInt16, {4}, s, 0),
                     qtensor(TensorType::kInt16, {4}, s, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int16_t>({{30000, -30000, 1234, -7}, {30000, -30000, -234, 3}}),
            (std::vector<int16_t>{32767, -32768, 1000, -4}));
}

TEST(AddKernel, Int16HalvedOutputScaleRoundsHalfAwayFromZero) {
  // Output scale twice the input scale: q_out = (a + b) / 2 rounded, ties away from zero.
  SingleOp op(kAdd, {qtensor(TensorType::kInt16, {4}, 0.25f, 0), qtensor(TensorType::kInt16, {4}, 0.25f, 0),
                     qtensor(TensorType::kInt16, {4}, 0.5f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int16_t>({{1, -1, 2, 100}, {0, 0, 1, 0}}), (std::vector<int16_t>{1, -1, 2, 50}));
}

TEST(AddKernel, Int32WrapsAndIgnoresFusedActivationLikeTflm) {
  SingleOp op(kAdd, {tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt32, {3}), tensor(TensorType::kInt32, {3})},
              {0, 1}, {2}, {opt_i8(0, 1)}, kAddOptions);
  EXPECT_EQ(op.run<int32_t>({{-5, 7, 2147483647}, {2, 1, 1}}), (std::vector<int32_t>{-3, 8, -2147483647 - 1}));
}

TEST(AddKernel, RejectsShapesThatDoNotBroadcast) {
  SingleOp op(kAdd, {tensor(TensorType::kFloat32, {2, 3}), tensor(TensorType::kFloat32, {4}),
                     tensor(TensorType::kFloat32, {2, 3})},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel);
  EXPECT_NE(op.error().find("broadcast"), std::string::npos) << op.error();
}

TEST(AddKernel, RejectsOutputShapeOtherThanTheBroadcastShape) {
  SingleOp op(kAdd, {tensor(TensorType::kFloat32, {2, 3}), tensor(TensorType::kFloat32, {3}),
                     tensor(TensorType::kFloat32, {3})},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel);
}

TEST(AddKernel, RejectsMixedTypes) {
  SingleOp op(kAdd, {qtensor(TensorType::kInt8, {3}, 1.0f, 0), qtensor(TensorType::kInt16, {3}, 1.0f, 0),
                     qtensor(TensorType::kInt8, {3}, 1.0f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kUnsupported);
  EXPECT_NE(op.error().find("INT16"), std::string::npos) << op.error();
}

TEST(AddKernel, RejectsUnquantizedInt8) {
  SingleOp op(kAdd, {tensor(TensorType::kInt8, {3}), tensor(TensorType::kInt8, {3}), tensor(TensorType::kInt8, {3})},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel);
  EXPECT_NE(op.error().find("scale"), std::string::npos) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
