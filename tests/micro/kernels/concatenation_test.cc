// CONCATENATION planning and copying (byte chunks per input).
#include <gtest/gtest.h>

#include <vector>

#include "../../../micro/src/kernels/shape_concat.h"
#include "single_op_harness.h"

namespace tinyforge::micro::shape_ops {
namespace {

Shape make_shape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

template <typename T>
std::vector<T> run(const std::vector<Shape>& shapes, const std::vector<std::vector<T>>& data, const Shape& out,
                   int axis) {
  ConcatPlan plan;
  EXPECT_EQ(plan_concat(shapes.data(), static_cast<int>(shapes.size()), out, axis, sizeof(T), &plan), nullptr);
  std::vector<const uint8_t*> ptrs;
  for (const auto& d : data) ptrs.push_back(reinterpret_cast<const uint8_t*>(d.data()));
  std::vector<T> result(static_cast<size_t>(out.flat_size()));
  concat_copy(plan, ptrs.data(), reinterpret_cast<uint8_t*>(result.data()));
  return result;
}

TEST(Concatenation, InnerAxisInterleavesRows) {
  // [[1,2],[3,4]] ++ [[5,6,7],[8,9,10]] along axis 1.
  const auto out = run<int8_t>({make_shape({2, 2}), make_shape({2, 3})}, {{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10}},
                               make_shape({2, 5}), 1);
  EXPECT_EQ(out, (std::vector<int8_t>{1, 2, 5, 6, 7, 3, 4, 8, 9, 10}));
}

TEST(Concatenation, OuterAxisAppends) {
  const auto out = run<float>({make_shape({1, 2}), make_shape({2, 2})}, {{1.5f, -2.f}, {3.f, 4.f, 5.f, 6.f}},
                              make_shape({3, 2}), 0);
  EXPECT_EQ(out, (std::vector<float>{1.5f, -2.f, 3.f, 4.f, 5.f, 6.f}));
}

TEST(Concatenation, ThreeInputsMiddleAxisInt64) {
  // Shapes [2,1,2], [2,2,2], [2,0,2] -> [2,3,2].
  const auto out = run<int64_t>({make_shape({2, 1, 2}), make_shape({2, 2, 2}), make_shape({2, 0, 2})},
                                {{1, 2, 3, 4}, {10, 11, 12, 13, 14, 15, 16, 17}, {}}, make_shape({2, 3, 2}), 1);
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17}));
}

TEST(Concatenation, RejectsInconsistentShapes) {
  ConcatPlan plan;
  const Shape a[] = {make_shape({2, 2}), make_shape({3, 2})};
  EXPECT_NE(plan_concat(a, 2, make_shape({2, 4}), 1, 1, &plan), nullptr);  // dim 0 differs
  const Shape b[] = {make_shape({2, 2}), make_shape({2, 2})};
  EXPECT_NE(plan_concat(b, 2, make_shape({2, 5}), 1, 1, &plan), nullptr);  // sizes do not add up
  const Shape c[] = {make_shape({2, 2}), make_shape({4})};
  EXPECT_NE(plan_concat(c, 2, make_shape({2, 4}), 1, 1, &plan), nullptr);  // rank differs
  EXPECT_NE(plan_concat(b, 2, make_shape({2, 4}), 2, 1, &plan), nullptr);  // axis out of range
  EXPECT_NE(plan_concat(b, 0, make_shape({2, 4}), 1, 1, &plan), nullptr);  // no inputs
}

TEST(Concatenation, NegativeAxisNormalizes) {
  EXPECT_EQ(normalize_axis(-1, 3), 2);
  EXPECT_EQ(normalize_axis(-3, 3), 0);
  EXPECT_EQ(normalize_axis(-4, 3), -1);
  EXPECT_EQ(normalize_axis(3, 3), -1);
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator CONCATENATION model (no options: axis 0).
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kConcatenation;

TEST(ConcatenationKernel, FloatAlongAxisZero) {
  SingleOp op(kConcatenation,
              {tensor(TensorType::kFloat32, {1, 2}), tensor(TensorType::kFloat32, {2, 2}),
               tensor(TensorType::kFloat32, {3, 2})},
              {0, 1}, {2});
  EXPECT_EQ(op.run<float>({{1, 2}, {3, 4, 5, 6}}), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(ConcatenationKernel, Int8WithAConstantInput) {
  SingleOp op(kConcatenation,
              {qtensor(TensorType::kInt8, {2}, 0.25f, 1),
               constant(qtensor(TensorType::kInt8, {1}, 0.25f, 1), std::vector<int8_t>{-7}),
               qtensor(TensorType::kInt8, {3}, 0.25f, 1)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int8_t>({{5, 6}}), (std::vector<int8_t>{5, 6, -7}));
}

TEST(ConcatenationKernel, RejectsInt8InputsQuantizedDifferently) {
  SingleOp op(kConcatenation,
              {qtensor(TensorType::kInt8, {2}, 0.25f, 1), qtensor(TensorType::kInt8, {1}, 0.5f, 1),
               qtensor(TensorType::kInt8, {3}, 0.25f, 1)},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kUnsupported) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
