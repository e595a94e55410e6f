// TRANSPOSE planning and copying.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "../../../micro/src/kernels/shape_transpose.h"
#include "single_op_harness.h"

namespace tinyforge::micro::shape_ops {
namespace {

Shape make_shape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

template <typename T>
std::vector<T> transpose(const Shape& in, const std::vector<int32_t>& perm, const std::vector<T>& input,
                         Shape* out) {
  TransposePlan plan;
  const char* why = plan_transpose(in, perm.data(), static_cast<int>(perm.size()), &plan, out);
  EXPECT_EQ(why, nullptr) << why;
  if (why) return {};
  std::vector<T> result(static_cast<size_t>(out->flat_size()));
  transpose_copy(plan, input.data(), result.data());
  return result;
}

TEST(Transpose, MatrixByHand) {
  Shape out;  // [[1,2,3],[4,5,6]]^T
  const auto r = transpose<int8_t>(make_shape({2, 3}), {1, 0}, {1, 2, 3, 4, 5, 6}, &out);
  EXPECT_TRUE(out.equals(make_shape({3, 2})));
  EXPECT_EQ(r, (std::vector<int8_t>{1, 4, 2, 5, 3, 6}));
}

TEST(Transpose, IdentityPermutationCopies) {
  Shape out;
  const auto r = transpose<float>(make_shape({2, 2}), {0, 1}, {1.f, 2.f, 3.f, 4.f}, &out);
  EXPECT_EQ(r, (std::vector<float>{1.f, 2.f, 3.f, 4.f}));
}

// out[o] = in[i] where i[perm[k]] = o[k], checked for every element of a rank-6 case.
TEST(Transpose, SixDimensionsMatchCoordinateDefinition) {
  const Shape in = make_shape({2, 3, 1, 2, 4, 2});
  const std::vector<int32_t> perm = {4, 0, 5, 2, 1, 3};
  std::vector<int16_t> input(static_cast<size_t>(in.flat_size()));
  std::iota(input.begin(), input.end(), 0);
  Shape out;
  const auto r = transpose<int16_t>(in, perm, input, &out);
  ASSERT_TRUE(out.equals(make_shape({4, 2, 2, 1, 3, 2})));
  int32_t o[6];
  size_t k = 0;
  for (o[0] = 0; o[0] < 4; ++o[0])
    for (o[1] = 0; o[1] < 2; ++o[1])
      for (o[2] = 0; o[2] < 2; ++o[2])
        for (o[3] = 0; o[3] < 1; ++o[3])
          for (o[4] = 0; o[4] < 3; ++o[4])
            for (o[5] = 0; o[5] < 2; ++o[5], ++k) {
              int32_t i[6];
              for (int a = 0; a < 6; ++a) i[perm[a]] = o[a];
              int32_t flat = 0;
              for (int a = 0; a < 6; ++a) flat = flat * in.dims[a] + i[a];
              ASSERT_EQ(r[k], input[static_cast<size_t>(flat)]) << "at output element " << k;
            }
}

TEST(Transpose, RejectsBadPermutations) {
  TransposePlan plan;
  Shape out;
  const int32_t repeated[] = {0, 0};
  EXPECT_NE(plan_transpose(make_shape({2, 2}), repeated, 2, &plan, &out), nullptr);
  const int32_t out_of_range[] = {0, 2};
  EXPECT_NE(plan_transpose(make_shape({2, 2}), out_of_range, 2, &plan, &out), nullptr);
  const int32_t short_perm[] = {0};
  EXPECT_NE(plan_transpose(make_shape({2, 2}), short_perm, 1, &plan, &out), nullptr);
}

}  // namespace
}  // namespace tinyforge::micro::shape_ops

// Through the interpreter: a one-operator TRANSPOSE model.
namespace tinyforge::test::single_op {
namespace {

using micro::kernels::kTranspose;

TEST(TransposeKernel, FloatMatrix) {
  SingleOp op(kTranspose,
              {tensor(TensorType::kFloat32, {2, 3}), constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{1, 0}),
               tensor(TensorType::kFloat32, {3, 2})},
              {0, 1}, {2});
  EXPECT_EQ(op.run<float>({{1, 2, 3, 4, 5, 6}}), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(TransposeKernel, RejectsARepeatedAxisAndInt32Data) {
  SingleOp repeated(kTranspose,
                    {tensor(TensorType::kFloat32, {2, 2}),
                     constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{1, 1}),
                     tensor(TensorType::kFloat32, {2, 2})},
                    {0, 1}, {2});
  EXPECT_EQ(repeated.allocate(), Status::kInvalidModel) << repeated.error();
  SingleOp int32_data(kTranspose,
                      {tensor(TensorType::kInt32, {2, 2}),
                       constant(tensor(TensorType::kInt32, {2}), std::vector<int32_t>{1, 0}),
                       tensor(TensorType::kInt32, {2, 2})},
                      {0, 1}, {2});
  EXPECT_EQ(int32_data.allocate(), Status::kUnsupported) << int32_data.error();
}

}  // namespace
}  // namespace tinyforge::test::single_op
