// Flatten, Reshape, ZeroPadding1D/2D, Add, Multiply and Concatenate: hand-computed cases and
// finite-difference gradients.
#include <gtest/gtest.h>

#include "nn/structural_layer_harness.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural_test::check_gradients;
using structural_test::expect_values;
using structural_test::random_tensor;
using structural_test::run;

TEST(Flatten, KeepsRowMajorOrder) {
  LayerPtr f = Flatten().ptr();
  EXPECT_EQ(f->output_shape({{2, 3, 4}}), Shape{24});
  const Tensor x = random_tensor({2, 2, 3, 1}, 1);
  const Tensor dy = random_tensor({2, 6}, 2);
  const auto r = run(*f, {x}, true, &dy);
  expect_values(r.y, {2, 6}, x.to_vector());
  expect_values(r.dx[0], x.shape(), dy.to_vector());
}

TEST(Reshape, InfersMinusOne) {
  LayerPtr r = Reshape({-1, 2}).ptr();
  EXPECT_EQ(r->output_shape({{3, 4}}), (Shape{6, 2}));
  EXPECT_EQ(Reshape({2, -1, 3}).ptr()->output_shape({{12}}), (Shape{2, 2, 3}));
  const Tensor x = random_tensor({2, 3, 4}, 3);
  expect_values(run(*r, {x}, false).y, {2, 6, 2}, x.to_vector());
  check_gradients(*r, {x}, true);
  EXPECT_THROW(Reshape({-1, 5}).ptr()->output_shape({{3, 4}}), Error);  // 12 is not a multiple of 5
  EXPECT_THROW(Reshape({4, 4}).ptr()->output_shape({{3, 4}}), Error);
  EXPECT_THROW(Reshape({-1, -1}), Error);
  EXPECT_THROW(Reshape({0, 3}), Error);
  EXPECT_EQ(r->config()["target_shape"], nlohmann::json({-1, 2}));
}

TEST(ZeroPadding2D, PadsEachSide) {
  LayerPtr p = ZeroPadding2D({{1, 0}, {0, 2}}).ptr();  // top 1, bottom 0, left 0, right 2
  EXPECT_EQ(p->output_shape({{2, 2, 1}}), (Shape{3, 4, 1}));
  expect_values(run(*p, {Tensor({1, 2, 2, 1}, {1, 2, 3, 4})}, false).y, {1, 3, 4, 1},
                {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  EXPECT_EQ(ZeroPadding2D().ptr()->output_shape({{2, 2, 3}}), (Shape{4, 4, 3}));
  EXPECT_EQ(ZeroPadding2D({1, 2}).ptr()->output_shape({{2, 2, 3}}), (Shape{4, 6, 3}));
  check_gradients(*ZeroPadding2D({{2, 1}, {1, 0}}).ptr(), {random_tensor({2, 2, 3, 2}, 4)}, true);
}

TEST(ZeroPadding1D, PadsSteps) {
  LayerPtr p = ZeroPadding1D({2, 1}).ptr();
  expect_values(run(*p, {Tensor({1, 2, 2}, {1, 2, 3, 4})}, false).y, {1, 5, 2}, {0, 0, 0, 0, 1, 2, 3, 4, 0, 0});
  EXPECT_EQ(ZeroPadding1D().ptr()->output_shape({{3, 2}}), (Shape{5, 2}));
  check_gradients(*p, {random_tensor({2, 3, 2}, 5)}, true);
  EXPECT_THROW(ZeroPadding1D(-1), Error);
}

TEST(Add, SumsAndPassesGradientToEachInput) {
  LayerPtr a = Add().ptr();
  expect_values(run(*a, {Tensor({1, 2}, {1, 2}), Tensor({1, 2}, {10, 20}), Tensor({1, 2}, {100, 200})}, false).y,
                {1, 2}, {111, 222});
  check_gradients(*a, {random_tensor({2, 3}, 1), random_tensor({2, 3}, 2)}, true);
  EXPECT_THROW(a->output_shape({{2, 3}, {3, 2}}), Error);
}

TEST(Multiply, ProductAndGradients) {
  LayerPtr m = Multiply().ptr();
  expect_values(run(*m, {Tensor({1, 2}, {2, 3}), Tensor({1, 2}, {4, 0}), Tensor({1, 2}, {0.5f, 7})}, false).y,
                {1, 2}, {4, 0});
  // With a zero among the inputs, the gradient must still be the product of the others.
  check_gradients(*Multiply().ptr(),
                  {random_tensor({2, 3}, 3), Tensor({2, 3}, {0, 1, 2, -1, 0, 3}), random_tensor({2, 3}, 4)}, true);
}

TEST(Concatenate, JoinsAlongTheAxis) {
  // Last axis: [1, 2, 2] + [1, 2, 1] -> [1, 2, 3].
  const Tensor a({1, 2, 2}, {1, 2, 3, 4});
  const Tensor b({1, 2, 1}, {5, 6});
  expect_values(run(*Concatenate().ptr(), {a, b}, false).y, {1, 2, 3}, {1, 2, 5, 3, 4, 6});
  // Axis 1 (the first per-sample axis): [1, 2, 2] + [1, 1, 2] -> [1, 3, 2].
  const Tensor c({1, 1, 2}, {7, 8});
  expect_values(run(*Concatenate(1).ptr(), {a, c}, false).y, {1, 3, 2}, {1, 2, 3, 4, 7, 8});
  // Two samples keep their rows apart.
  const Tensor a2({2, 2}, {1, 2, 3, 4}), b2({2, 1}, {9, 8});
  expect_values(run(*Concatenate().ptr(), {a2, b2}, false).y, {2, 3}, {1, 2, 9, 3, 4, 8});
  EXPECT_EQ(Concatenate(-2).ptr()->output_shape({{2, 3}, {4, 3}}), (Shape{6, 3}));
}

TEST(Concatenate, GradientsAndErrors) {
  check_gradients(*Concatenate().ptr(), {random_tensor({2, 2, 3}, 1), random_tensor({2, 2, 1}, 2)}, true);
  check_gradients(*Concatenate(1).ptr(),
                  {random_tensor({2, 1, 3}, 3), random_tensor({2, 2, 3}, 4), random_tensor({2, 3, 3}, 5)}, true);
  EXPECT_THROW(Concatenate().ptr()->output_shape({{2, 3}, {3, 3}}), Error);
  EXPECT_THROW(Concatenate(0).ptr()->output_shape({{2, 3}, {2, 3}}), Error);  // the batch axis
  EXPECT_THROW(Concatenate(3).ptr()->output_shape({{2, 3}, {2, 3}}), Error);
}

// Every structural layer comes back from make_layer(type, config) with the same config.
TEST(StructuralLayers, ConfigRoundTripsThroughTheRegistry) {
  const std::vector<LayerPtr> layers = {
      BatchNormalization({.axis = 1, .momentum = 0.9f, .epsilon = 1e-5f, .center = false}),
      Dropout(0.25f, {.seed = 3}),
      MaxPooling1D(3, {.strides = 2, .padding = "same"}),
      AveragePooling1D(),
      MaxPooling2D({2, 3}),
      AveragePooling2D(3, {.strides = {1, 2}, .padding = "same"}),
      GlobalAveragePooling1D(),
      GlobalAveragePooling2D({.keepdims = true}),
      GlobalMaxPooling1D({.keepdims = true}),
      GlobalMaxPooling2D(),
      Flatten(),
      Reshape({-1, 4}),
      ZeroPadding1D({1, 2}),
      ZeroPadding2D({{1, 2}, {3, 4}}),
      Add(),
      Multiply(),
      Concatenate(1),
      Normalization({.axis = -1, .mean = {1.0f, 2.0f}, .variance = {3.0f, 4.0f}}),
      Rescaling(0.5f, {.offset = 1.0f}),
  };
  for (const LayerPtr& layer : layers) {
    const LayerPtr copy = make_layer(layer->type(), layer->config());
    EXPECT_EQ(copy->type(), layer->type());
    EXPECT_EQ(copy->config(), layer->config()) << layer->type();
  }
}

TEST(StructuralLayers, AutomaticKerasNames) {
  const std::string a = MaxPooling2D().ptr()->name();
  EXPECT_EQ(a.rfind("max_pooling2d", 0), 0u) << a;
  EXPECT_NE(MaxPooling2D().ptr()->name(), a);
  EXPECT_EQ(BatchNormalization().ptr()->name().rfind("batch_normalization", 0), 0u);
  EXPECT_EQ(Flatten("f").ptr()->name(), "f");
}

}  // namespace
}  // namespace tinyforge::nn
