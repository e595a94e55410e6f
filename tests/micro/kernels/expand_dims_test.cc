// EXPAND_DIMS output shape rules.
#include <gtest/gtest.h>

#include "../../../micro/src/kernels/shape_common.h"
#include "single_op_harness.h"

namespace tinyforge::micro::shape_ops {
namespace {

Shape make_shape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

TEST(ExpandDimsShape, InsertsInFrontInsideAndAtTheEnd) {
  Shape out;
  ASSERT_TRUE(expand_dims_shape(make_shape({4, 5}), 0, &out));
  EXPECT_TRUE(out.equals(make_shape({1, 4, 5})));
  ASSERT_TRUE(expand_dims_shape(make_shape({4, 5}), 1, &out));
  EXPECT_TRUE(out.equals(make_shape({4, 1, 5})));
  ASSERT_TRUE(expand_dims_shape(make_shape({4, 5}), 2, &out));
  EXPECT_TRUE(out.equals(make_shape({4, 5, 1})));
}

TEST(ExpandDimsShape, NegativeAxisCountsFromTheEndOfTheOutput) {
  Shape out;
  ASSERT_TRUE(expand_dims_shape(make_shape({4, 5}), -1, &out));
  EXPECT_TRUE(out.equals(make_shape({4, 5, 1})));
  ASSERT_TRUE(expand_dims_shape(make_shape({4, 5}), -3, &out));
  EXPECT_TRUE(out.equals(make_shape({1, 4, 5})));
}

TEST(ExpandDimsShape, ScalarBecomesVector) {
  Shape out;
  ASSERT_TRUE(expand_dims_shape(Shape(), 0, &out));
  EXPECT_TRUE(out.equals(make_shape({1})));
}

TEST(ExpandDimsShape, OutOfRangeAxisOrRankIsRejected) {
  Shape out;
  EXPECT_FALSE(expand_dims_shape(make_shape({4, 5}), 3, &out));
  EXPECT_FALSE(expand_dims_shape(make_shape({4, 5}), -4, &out));
  EXPECT_FALSE(expand_dims_shape(make_shape({1, 1, 1, 1, 1, 1}), 0, &out));
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator EXPAND_DIMS model.
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kExpandDims;

TEST(ExpandDimsKernel, AppendsAnAxis) {
  SingleOp op(kExpandDims,
              {tensor(TensorType::kInt16, {2}), constant(tensor(TensorType::kInt32, {1}), std::vector<int32_t>{-1}),
               tensor(TensorType::kInt16, {2, 1})},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int16_t>({{-300, 300}}), (std::vector<int16_t>{-300, 300}));
}

TEST(ExpandDimsKernel, RejectsAnOutputWithTheAxisElsewhere) {
  SingleOp op(kExpandDims,
              {tensor(TensorType::kInt16, {2}), constant(tensor(TensorType::kInt32, {1}), std::vector<int32_t>{0}),
               tensor(TensorType::kInt16, {2, 1})},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
