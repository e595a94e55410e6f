// SQUEEZE output shape rules.
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

TEST(SqueezeShape, NoAxesDropsEverySizeOneAxis) {
  Shape out;
  ASSERT_TRUE(squeeze_shape(make_shape({1, 3, 1, 2, 1}), nullptr, 0, &out));
  EXPECT_TRUE(out.equals(make_shape({3, 2})));
}

TEST(SqueezeShape, ListedAxesOnlyIncludingNegative) {
  Shape out;
  const int32_t axes[] = {0, -1};
  ASSERT_TRUE(squeeze_shape(make_shape({1, 3, 1, 2, 1}), axes, 2, &out));
  EXPECT_TRUE(out.equals(make_shape({3, 1, 2})));
}

TEST(SqueezeShape, AllOnesGiveScalar) {
  Shape out;
  ASSERT_TRUE(squeeze_shape(make_shape({1, 1}), nullptr, 0, &out));
  EXPECT_EQ(out.rank, 0);
}

TEST(SqueezeShape, AxisNotOfSizeOneIsRejected) {
  Shape out;
  const int32_t axes[] = {1};
  EXPECT_FALSE(squeeze_shape(make_shape({1, 3}), axes, 1, &out));
}

TEST(SqueezeShape, AxisOutOfRangeIsRejected) {
  Shape out;
  const int32_t too_big[] = {2};
  EXPECT_FALSE(squeeze_shape(make_shape({1, 1}), too_big, 1, &out));
  const int32_t too_small[] = {-3};
  EXPECT_FALSE(squeeze_shape(make_shape({1, 1}), too_small, 1, &out));
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator SQUEEZE model (no options: every size-1 axis).
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kSqueeze;

TEST(SqueezeKernel, DropsEverySizeOneAxis) {
  SingleOp op(kSqueeze, {tensor(TensorType::kInt32, {1, 3, 1}), tensor(TensorType::kInt32, {3})}, {0}, {1});
  EXPECT_EQ(op.run<int32_t>({{7, -8, 9}}), (std::vector<int32_t>{7, -8, 9}));
}

TEST(SqueezeKernel, RejectsAnOutputThatKeepsASizeOneAxis) {
  SingleOp op(kSqueeze, {tensor(TensorType::kInt32, {1, 3, 1}), tensor(TensorType::kInt32, {3, 1})}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
