// PAD planning and copying.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "../../../micro/src/kernels/shape_pad.h"
#include "single_op_harness.h"

namespace tinyforge::micro::shape_ops {
namespace {

Shape make_shape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

template <typename T>
std::vector<T> pad(const Shape& in, const std::vector<int32_t>& paddings, const std::vector<T>& input, T value,
                   Shape* out) {
  PadPlan plan;
  const char* why = plan_pad(in, paddings.data(), &plan, out);
  EXPECT_EQ(why, nullptr) << why;
  if (why) return {};
  memcpy(plan.value, &value, sizeof(T));
  std::vector<T> result(static_cast<size_t>(out->flat_size()));
  pad_copy(plan, input.data(), result.data());
  return result;
}

TEST(Pad, TwoDimensionsByHand) {
  // [[1,2],[3,4]] padded with one row on top and two columns on the right.
  Shape out;
  const auto r = pad<float>(make_shape({2, 2}), {1, 0, 0, 2}, {1, 2, 3, 4}, 0.f, &out);
  EXPECT_TRUE(out.equals(make_shape({3, 4})));
  EXPECT_EQ(r, (std::vector<float>{0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0}));
}

TEST(Pad, Int8UsesTheGivenValue) {
  Shape out;
  const auto r = pad<int8_t>(make_shape({3}), {2, 1}, {5, 6, 7}, -128, &out);
  EXPECT_EQ(r, (std::vector<int8_t>{-128, -128, 5, 6, 7, -128}));
}

TEST(Pad, EmptyInputAxisGivesAllPadding) {
  Shape out;
  const auto r = pad<int16_t>(make_shape({2, 0}), {0, 1, 1, 1}, {}, 7, &out);
  EXPECT_TRUE(out.equals(make_shape({3, 2})));
  EXPECT_EQ(r, (std::vector<int16_t>(6, 7)));
}

TEST(Pad, FiveDimensionsMatchCoordinateDefinition) {
  // Reference: an output element is input[o - left] when every coordinate falls inside.
  const Shape in = make_shape({2, 1, 3, 2, 2});
  const std::vector<int32_t> p = {1, 0, 0, 2, 1, 1, 0, 1, 2, 1};
  std::vector<int32_t> input(static_cast<size_t>(in.flat_size()));
  std::iota(input.begin(), input.end(), 1);
  Shape out;
  const auto r = pad<int32_t>(in, p, input, -1, &out);
  ASSERT_TRUE(out.equals(make_shape({3, 3, 5, 3, 5})));
  size_t k = 0;
  int32_t o[5];
  for (o[0] = 0; o[0] < 3; ++o[0])
    for (o[1] = 0; o[1] < 3; ++o[1])
      for (o[2] = 0; o[2] < 5; ++o[2])
        for (o[3] = 0; o[3] < 3; ++o[3])
          for (o[4] = 0; o[4] < 5; ++o[4], ++k) {
            bool inside = true;
            int32_t flat = 0;
            for (int a = 0; a < 5; ++a) {
              const int32_t i = o[a] - p[2 * a];
              inside = inside && i >= 0 && i < in.dims[a];
              flat = flat * in.dims[a] + i;
            }
            ASSERT_EQ(r[k], inside ? input[static_cast<size_t>(flat)] : -1) << "at output element " << k;
          }
}

TEST(Pad, RejectsNegativePaddingAndHighRank) {
  PadPlan plan;
  Shape out;
  const int32_t negative[] = {0, -1};
  EXPECT_NE(plan_pad(make_shape({3}), negative, &plan, &out), nullptr);
  const int32_t zeros[12] = {};
  EXPECT_NE(plan_pad(make_shape({1, 1, 1, 1, 1, 1}), zeros, &plan, &out), nullptr);
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator PAD model.
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kPad;

TEST(PadKernel, Int8PadsWithTheOutputZeroPoint) {
  SingleOp op(kPad,
              {qtensor(TensorType::kInt8, {2, 2}, 0.5f, -3),
               constant(tensor(TensorType::kInt32, {2, 2}), std::vector<int32_t>{1, 0, 0, 1}),
               qtensor(TensorType::kInt8, {3, 3}, 0.5f, -3)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int8_t>({{1, 2, 3, 4}}), (std::vector<int8_t>{-3, -3, -3, 1, 2, -3, 3, 4, -3}));
}

TEST(PadKernel, FloatPadsWithZero) {
  SingleOp op(kPad,
              {tensor(TensorType::kFloat32, {2}), constant(tensor(TensorType::kInt32, {1, 2}), std::vector<int32_t>{0, 2}),
               tensor(TensorType::kFloat32, {4})},
              {0, 1}, {2});
  EXPECT_EQ(op.run<float>({{-1.5f, 2.5f}}), (std::vector<float>{-1.5f, 2.5f, 0.f, 0.f}));
}

TEST(PadKernel, RejectsAnOutputShapeThatDoesNotMatchThePaddings) {
  SingleOp op(kPad,
              {tensor(TensorType::kFloat32, {2}), constant(tensor(TensorType::kInt32, {1, 2}), std::vector<int32_t>{0, 2}),
               tensor(TensorType::kFloat32, {5})},
              {0, 1}, {2});
  EXPECT_NE(op.allocate(), Status::kOk);
  EXPECT_NE(op.error().find("padded"), std::string::npos) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
