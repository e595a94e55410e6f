#include "tinyforge/nn/tensor.h"

#include <gtest/gtest.h>

#include "tinyforge/error.h"
#include "tinyforge/nn/backend.h"

namespace tinyforge::nn {
namespace {

TEST(Tensor, ShapeHelpers) {
  EXPECT_EQ(shape_size({2, 3, 4}), 24);
  EXPECT_EQ(shape_size({}), 1);
  EXPECT_EQ(shape_str({32, 28, 28, 1}), "(32, 28, 28, 1)");
  EXPECT_EQ(shape_str({10}), "(10,)");
}

TEST(Tensor, ConstructsFilledAndFromValues) {
  Tensor t({2, 3}, 1.5f);
  EXPECT_EQ(t.size(), 6);
  EXPECT_EQ(t.rank(), 2);
  EXPECT_EQ(t.dim(-1), 3);
  EXPECT_EQ(t[5], 1.5f);
  Tensor u({2, 2}, std::vector<float>{1, 2, 3, 4});
  EXPECT_EQ(u[3], 4.0f);
  EXPECT_THROW(Tensor({2, 2}, std::vector<float>{1, 2, 3}), Error);
  EXPECT_THROW(Tensor({-1, 2}), Error);
}

TEST(Tensor, Reshape) {
  Tensor t({2, 3}, std::vector<float>{0, 1, 2, 3, 4, 5});
  Tensor r = t.reshaped({3, 2});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(r[4], 4.0f);
  EXPECT_THROW(t.reshape({4, 2}), Error);
  t.reshape({6});
  EXPECT_EQ(t.shape(), (Shape{6}));
  t.fill(7.0f);
  EXPECT_EQ(t[0], 7.0f);
}

TEST(Tensor, SliceAndGatherRows) {
  Tensor t({4, 2}, std::vector<float>{0, 1, 10, 11, 20, 21, 30, 31});
  Tensor s = t.slice_rows(1, 3);
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(s.to_vector(), (std::vector<float>{10, 11, 20, 21}));
  EXPECT_EQ(t.slice_rows(2, 2).shape(), (Shape{0, 2}));
  EXPECT_THROW(t.slice_rows(3, 5), Error);
  Tensor g = t.gather_rows({3, 0, 3});
  EXPECT_EQ(g.shape(), (Shape{3, 2}));
  EXPECT_EQ(g.to_vector(), (std::vector<float>{30, 31, 0, 1, 30, 31}));
  EXPECT_THROW(t.gather_rows({4}), Error);
  EXPECT_EQ(t.sample_shape(), (Shape{2}));
}

// Large tensors are filled and gathered by the backend's threads: every value must still be set,
// and the storage recycled from a freed tensor of other values must not show through.
TEST(Tensor, LargeFillsAndGathersOnTwoThreadsCoverEveryValue) {
  set_backend("cpu");
  set_threads(2);
  { Tensor garbage({300000}, 7.0f); }  // its memory is likely handed to the next tensor
  const Tensor zeros({300000});
  const Tensor fives({3, 100000}, 5.0f);
  for (int64_t i = 0; i < zeros.size(); ++i) ASSERT_EQ(zeros[i], 0.0f) << i;
  for (int64_t i = 0; i < fives.size(); ++i) ASSERT_EQ(fives[i], 5.0f) << i;
  Tensor rows({5000, 40});
  for (int64_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(i);
  std::vector<int64_t> order;
  for (int64_t r = 4999; r >= 0; r -= 2) order.push_back(r);
  const Tensor g = rows.gather_rows(order);
  ASSERT_EQ(g.shape(), (Shape{2500, 40}));
  for (int64_t i = 0; i < 2500; ++i)
    for (int64_t j = 0; j < 40; ++j) ASSERT_EQ(g[i * 40 + j], static_cast<float>(order[i] * 40 + j)) << i << " " << j;
  const Tensor w = Tensor::for_overwrite({7, 3});
  EXPECT_EQ(w.shape(), (Shape{7, 3}));
  EXPECT_EQ(w.size(), 21);
  set_threads(0);
}

}  // namespace
}  // namespace tinyforge::nn
