// STRIDED_SLICE index resolution and copying. Expected values are worked out by hand
// with Python slicing semantics (x[begin:end:stride]).
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "../../../micro/src/kernels/shape_strided_slice.h"
#include "single_op_harness.h"

namespace tinyforge::micro::shape_ops {
namespace {

Shape make_shape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

SliceParams params(std::initializer_list<int32_t> b, std::initializer_list<int32_t> e,
                   std::initializer_list<int32_t> s) {
  SliceParams p;
  p.rank = static_cast<int>(b.size());
  std::copy(b.begin(), b.end(), p.begin);
  std::copy(e.begin(), e.end(), p.end);
  std::copy(s.begin(), s.end(), p.strides);
  return p;
}

// Slices an iota-filled input; returns the output values and shape.
std::vector<int32_t> slice(const Shape& in, const SliceParams& p, Shape* out_shape) {
  SlicePlan plan;
  const char* why = plan_strided_slice(in, p, &plan, out_shape);
  EXPECT_EQ(why, nullptr) << why;
  if (why) return {};
  std::vector<int32_t> input(static_cast<size_t>(in.flat_size()));
  std::iota(input.begin(), input.end(), 0);
  std::vector<int32_t> out(static_cast<size_t>(out_shape->flat_size()), -999);
  strided_slice_copy(plan, input.data(), out.data());
  return out;
}

TEST(StridedSlice, ForwardStride) {
  Shape out;
  EXPECT_EQ(slice(make_shape({10}), params({1}, {8}, {3}), &out), (std::vector<int32_t>{1, 4, 7}));
  EXPECT_TRUE(out.equals(make_shape({3})));
}

TEST(StridedSlice, NegativeStrideAndNegativeIndices) {
  Shape out;  // x[-1:0:-1] = 9..1
  EXPECT_EQ(slice(make_shape({10}), params({-1}, {0}, {-1}), &out),
            (std::vector<int32_t>{9, 8, 7, 6, 5, 4, 3, 2, 1}));
  // x[-2:-8:-3] = 8, 5
  EXPECT_EQ(slice(make_shape({10}), params({-2}, {-8}, {-3}), &out), (std::vector<int32_t>{8, 5}));
}

TEST(StridedSlice, MasksTakeTheWholeAxis) {
  Shape out;  // x[::-2] = 9,7,5,3,1
  SliceParams p = params({3}, {4}, {-2});
  p.begin_mask = 1;
  p.end_mask = 1;
  EXPECT_EQ(slice(make_shape({10}), p, &out), (std::vector<int32_t>{9, 7, 5, 3, 1}));
  // x[:4] with begin mask; end index kept.
  SliceParams q = params({7}, {4}, {1});
  q.begin_mask = 1;
  EXPECT_EQ(slice(make_shape({10}), q, &out), (std::vector<int32_t>{0, 1, 2, 3}));
}

TEST(StridedSlice, OutOfRangeIndicesClamp) {
  Shape out;  // x[-100:100] = all; x[100:-100:-1] = reversed all; x[5:2] = empty
  EXPECT_EQ(slice(make_shape({4}), params({-100}, {100}, {1}), &out), (std::vector<int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(slice(make_shape({4}), params({100}, {-100}, {-1}), &out), (std::vector<int32_t>{3, 2, 1, 0}));
  EXPECT_TRUE(slice(make_shape({4}), params({3}, {1}, {1}), &out).empty());
  EXPECT_TRUE(out.equals(make_shape({0})));
}

TEST(StridedSlice, ShrinkAxisDropsTheDimension) {
  // x = [[0,1,2],[3,4,5]]; x[1, :] = [3,4,5]; x[:, -1] = [2,5]
  Shape out;
  SliceParams p = params({1, 0}, {2, 3}, {1, 1});
  p.shrink_axis_mask = 1;
  EXPECT_EQ(slice(make_shape({2, 3}), p, &out), (std::vector<int32_t>{3, 4, 5}));
  EXPECT_TRUE(out.equals(make_shape({3})));
  SliceParams q = params({0, -1}, {2, 0}, {1, 1});
  q.shrink_axis_mask = 2;
  EXPECT_EQ(slice(make_shape({2, 3}), q, &out), (std::vector<int32_t>{2, 5}));
  EXPECT_TRUE(out.equals(make_shape({2})));
}

TEST(StridedSlice, ShrinkEveryAxisGivesScalar) {
  Shape out;
  SliceParams p = params({1, 2}, {0, 0}, {1, 1});
  p.shrink_axis_mask = 3;
  EXPECT_EQ(slice(make_shape({2, 3}), p, &out), (std::vector<int32_t>{5}));
  EXPECT_EQ(out.rank, 0);
}

TEST(StridedSlice, OffsetMakesEndRelativeToBegin) {
  Shape out;  // begin 2, length 3 -> 2,3,4
  SliceParams p = params({2}, {3}, {1});
  p.offset = true;
  EXPECT_EQ(slice(make_shape({10}), p, &out), (std::vector<int32_t>{2, 3, 4}));
}

TEST(StridedSlice, FiveDimensionsWithMixedStrides) {
  // in[2,3,2,2,5] = iota; out = x[1:, ::2, :, 1:2, ::-2]
  // index = (((a*3 + b)*2 + c)*2 + d)*5 + e with a=1, b in {0,2}, c in {0,1}, d=1, e in {4,2,0}
  Shape out;
  SliceParams p = params({1, 0, 0, 1, 0}, {2, 3, 2, 2, 0}, {1, 2, 1, 1, -2});
  p.begin_mask = 2 | 16;
  p.end_mask = 16;
  std::vector<int32_t> expected;
  for (int b : {0, 2})
    for (int c : {0, 1})
      for (int e : {4, 2, 0}) expected.push_back((((1 * 3 + b) * 2 + c) * 2 + 1) * 5 + e);
  EXPECT_EQ(slice(make_shape({2, 3, 2, 2, 5}), p, &out), expected);
  EXPECT_TRUE(out.equals(make_shape({1, 2, 2, 1, 3})));
}

TEST(StridedSlice, RejectsBadParameters) {
  SlicePlan plan;
  Shape out;
  EXPECT_NE(plan_strided_slice(make_shape({4}), params({0}, {4}, {0}), &plan, &out), nullptr);  // zero stride
  SliceParams shrink = params({4}, {5}, {1});
  shrink.shrink_axis_mask = 1;
  EXPECT_NE(plan_strided_slice(make_shape({4}), shrink, &plan, &out), nullptr);  // shrink past the end
  EXPECT_NE(plan_strided_slice(make_shape({4, 4}), params({0}, {4}, {1}), &plan, &out), nullptr);  // too few
  EXPECT_NE(plan_strided_slice(make_shape({1, 1, 1, 1, 1, 1}), params({0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1},
                                                                     {1, 1, 1, 1, 1, 1}),
                               &plan, &out),
            nullptr);  // rank 6
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator STRIDED_SLICE model (no options: all masks 0).
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kStridedSlice;

std::vector<TensorSpec> slice_tensors(std::vector<int32_t> out_shape) {
  return {tensor(TensorType::kInt16, {2, 3}), constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{0, 1}),
          constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{2, 3}),
          constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{1, 1}),
          tensor(TensorType::kInt16, std::move(out_shape))};
}

TEST(StridedSliceKernel, Int16DropsTheFirstColumn) {
  SingleOp op(kStridedSlice, slice_tensors({2, 2}), {0, 1, 2, 3}, {4});
  EXPECT_EQ(op.run<int16_t>({{0, 1, 2, 3, 4, 5}}), (std::vector<int16_t>{1, 2, 4, 5}));
}

TEST(StridedSliceKernel, RejectsAWrongOutputShape) {
  SingleOp op(kStridedSlice, slice_tensors({2, 3}), {0, 1, 2, 3}, {4});
  EXPECT_EQ(op.allocate(), Status::kInvalidModel) << op.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
