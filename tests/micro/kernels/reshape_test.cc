// RESHAPE / SQUEEZE / EXPAND_DIMS shape rules (the kernels themselves only copy).
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

TEST(ReshapeSpec, ExactShapeMatches) {
  const int32_t spec[] = {1, 49, 40};
  EXPECT_TRUE(reshape_spec_matches(spec, 3, make_shape({1, 49, 40})));
}

TEST(ReshapeSpec, OneInferredDimensionMatches) {
  const int32_t spec[] = {-1, 40};
  EXPECT_TRUE(reshape_spec_matches(spec, 2, make_shape({49, 40})));
}

TEST(ReshapeSpec, TwoInferredDimensionsAreRejected) {
  const int32_t spec[] = {-1, -1};
  EXPECT_FALSE(reshape_spec_matches(spec, 2, make_shape({49, 40})));
}

TEST(ReshapeSpec, WrongDimensionOrRankIsRejected) {
  const int32_t wrong_dim[] = {1, 41};
  EXPECT_FALSE(reshape_spec_matches(wrong_dim, 2, make_shape({1, 40})));
  const int32_t wrong_rank[] = {1, 1, 40};
  EXPECT_FALSE(reshape_spec_matches(wrong_rank, 3, make_shape({1, 40})));
}

TEST(ReshapeSpec, LegacyZeroMeansScalar) {
  const int32_t spec[] = {0};
  EXPECT_TRUE(reshape_spec_matches(spec, 1, Shape()));
  EXPECT_FALSE(reshape_spec_matches(spec, 1, make_shape({1})));
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator RESHAPE model with a constant shape input.
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kReshape;

TEST(ReshapeKernel, CopiesInt8WithAnInferredDimension) {
  SingleOp op(kReshape,
              {qtensor(TensorType::kInt8, {1, 4}, 1.f, 0),
               constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{2, -1}),
               qtensor(TensorType::kInt8, {2, 2}, 1.f, 0)},
              {0, 1}, {2});
  EXPECT_EQ(op.run<int8_t>({{-1, 2, -3, 4}}), (std::vector<int8_t>{-1, 2, -3, 4}));
}

TEST(ReshapeKernel, RejectsAShapeInputThatDisagreesWithTheOutput) {
  SingleOp op(kReshape,
              {tensor(TensorType::kFloat32, {1, 4}),
               constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{4, -1}),
               tensor(TensorType::kFloat32, {2, 2})},
              {0, 1}, {2});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel) << op.error();
}

TEST(ReshapeKernel, RejectsADifferentElementCount) {
  SingleOp op(kReshape, {tensor(TensorType::kFloat32, {1, 4}), tensor(TensorType::kFloat32, {3})}, {0}, {1});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
