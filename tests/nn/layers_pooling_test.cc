// Pooling layers: hand-computed windows (including Keras' 'same' average that counts only real
// cells), default strides, finite-difference gradients, and the two backends agreeing.
#include <gtest/gtest.h>

#include "nn/structural_layer_harness.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::nn {
namespace {

using structural_test::check_gradients;
using structural_test::expect_values;
using structural_test::run;
using structural_test::spaced_tensor;

Tensor one_to_nine() { return Tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}); }

TEST(MaxPooling2D, DefaultStridesArePoolSize) {
  LayerPtr p = MaxPooling2D().ptr();
  EXPECT_EQ(p->output_shape({{4, 4, 1}}), (Shape{2, 2, 1}));
  const Tensor x({1, 4, 4, 1}, {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 1, 9, 2, 3, 7});
  expect_values(run(*p, {x}, false).y, {1, 2, 2, 1}, {5, 8, 9, 7});
  // 'valid' drops the last row/column of an odd input: 3x3 -> 1x1.
  expect_values(run(*MaxPooling2D().ptr(), {one_to_nine()}, false).y, {1, 1, 1, 1}, {5});
  // 'same' keeps them: ceil(3 / 2) = 2.
  expect_values(run(*MaxPooling2D(2, {.padding = "same"}).ptr(), {one_to_nine()}, false).y, {1, 2, 2, 1},
                {5, 6, 8, 9});
}

TEST(AveragePooling2D, SamePaddingCountsOnlyRealCells) {
  // Pool 2, stride 2 on 3x3: TensorFlow pads one row/column at the bottom/right only.
  expect_values(run(*AveragePooling2D(2, {.padding = "same"}).ptr(), {one_to_nine()}, false).y, {1, 2, 2, 1},
                {(1 + 2 + 4 + 5) / 4.0f, (3 + 6) / 2.0f, (7 + 8) / 2.0f, 9.0f});
  // Pool 3, stride 1: one cell of padding on each side; corners average 4 cells, edges 6.
  expect_values(run(*AveragePooling2D(3, {.strides = 1, .padding = "same"}).ptr(), {one_to_nine()}, false).y,
                {1, 3, 3, 1},
                {3.0f, 3.5f, 4.0f, 4.5f, 5.0f, 5.5f, 6.0f, 6.5f, 7.0f});
}

TEST(Pooling2D, RectangularWindowsAndStrides) {
  LayerPtr p = AveragePooling2D({1, 3}, {.strides = {1, 2}}).ptr();
  EXPECT_EQ(p->output_shape({{2, 5, 3}}), (Shape{2, 2, 3}));
  const Tensor x({1, 1, 5, 1}, {1, 2, 3, 4, 5});
  expect_values(run(*p, {x}, false).y, {1, 1, 2, 1}, {2.0f, 4.0f});
}

TEST(Pooling1D, HandComputed) {
  const Tensor x({1, 5, 2}, {1, 0, 5, -1, 3, 2, 2, 7, 4, 1});
  expect_values(run(*MaxPooling1D().ptr(), {x}, false).y, {1, 2, 2}, {5, 0, 3, 7});
  expect_values(run(*AveragePooling1D().ptr(), {x}, false).y, {1, 2, 2}, {3.0f, -0.5f, 2.5f, 4.5f});
  expect_values(run(*AveragePooling1D(2, {.padding = "same"}).ptr(), {x}, false).y, {1, 3, 2},
                {3.0f, -0.5f, 2.5f, 4.5f, 4.0f, 1.0f});
  expect_values(run(*MaxPooling1D(3, {.strides = 1}).ptr(), {x}, false).y, {1, 3, 2}, {5, 2, 5, 7, 4, 7});
}

TEST(Pooling, GradientsMatchFiniteDifferences) {
  for (const char* padding : {"valid", "same"}) {
    SCOPED_TRACE(padding);
    check_gradients(*MaxPooling2D(2, {.padding = padding}).ptr(), {spaced_tensor({2, 5, 5, 2}, 1)}, true);
    check_gradients(*AveragePooling2D(2, {.padding = padding}).ptr(), {spaced_tensor({2, 5, 5, 2}, 2)}, true);
    check_gradients(*MaxPooling2D({3, 2}, {.strides = 1, .padding = padding}).ptr(), {spaced_tensor({1, 4, 5, 2}, 3)},
                    true);
    check_gradients(*AveragePooling2D(3, {.strides = {2, 1}, .padding = padding}).ptr(),
                    {spaced_tensor({1, 5, 4, 2}, 4)}, true);
    check_gradients(*MaxPooling1D(3, {.strides = 2, .padding = padding}).ptr(), {spaced_tensor({2, 7, 3}, 5)}, true);
    check_gradients(*AveragePooling1D(2, {.padding = padding}).ptr(), {spaced_tensor({2, 7, 3}, 6)}, true);
  }
}

TEST(Pooling, BackendsAgree) {
  structural_test::expect_backends_agree(*MaxPooling2D(3, {.strides = 2, .padding = "same"}).ptr(),
                                         {spaced_tensor({2, 7, 6, 3}, 1)}, true);
  structural_test::expect_backends_agree(*AveragePooling2D(3, {.strides = 2, .padding = "same"}).ptr(),
                                         {spaced_tensor({2, 7, 6, 3}, 2)}, true);
  structural_test::expect_backends_agree(*MaxPooling1D(2).ptr(), {spaced_tensor({3, 9, 4}, 3)}, true);
  structural_test::expect_backends_agree(*AveragePooling1D(3, {.padding = "same"}).ptr(),
                                         {spaced_tensor({3, 9, 4}, 4)}, true);
}

TEST(Pooling, ConfigAndErrors) {
  const auto c = MaxPooling2D(3, {.padding = "same"}).ptr()->config();
  EXPECT_EQ(c["pool_size"], nlohmann::json({3, 3}));
  EXPECT_EQ(c["strides"], nlohmann::json({3, 3}));
  EXPECT_EQ(c["padding"], "same");
  EXPECT_THROW(MaxPooling2D(2, {.padding = "full"}), Error);
  EXPECT_THROW(MaxPooling2D(0), Error);
  EXPECT_THROW(MaxPooling2D(4).ptr()->output_shape({{3, 3, 1}}), Error);  // window larger than the input
  EXPECT_THROW(MaxPooling2D().ptr()->output_shape({{4, 4}}), Error);      // not (H, W, C)
  EXPECT_THROW(MaxPooling1D().ptr()->output_shape({{4, 4, 1}}), Error);   // not (steps, C)
}

TEST(GlobalPooling, HandComputedAndKeepdims) {
  // [N=1, H=2, W=2, C=2]: channel 0 = {1, 4, -2, 5}, channel 1 = {0, 0, 3, 1}.
  const Tensor x({1, 2, 2, 2}, {1, 0, 4, 0, -2, 3, 5, 1});
  expect_values(run(*GlobalAveragePooling2D().ptr(), {x}, false).y, {1, 2}, {2.0f, 1.0f});
  expect_values(run(*GlobalMaxPooling2D().ptr(), {x}, false).y, {1, 2}, {5.0f, 3.0f});
  expect_values(run(*GlobalMaxPooling2D({.keepdims = true}).ptr(), {x}, false).y, {1, 1, 1, 2}, {5.0f, 3.0f});
  const Tensor s = x.reshaped({1, 4, 2});
  expect_values(run(*GlobalAveragePooling1D({.keepdims = true}).ptr(), {s}, false).y, {1, 1, 2}, {2.0f, 1.0f});
  expect_values(run(*GlobalMaxPooling1D().ptr(), {s}, false).y, {1, 2}, {5.0f, 3.0f});
  EXPECT_THROW(GlobalAveragePooling2D().ptr()->output_shape({{4, 2}}), Error);
}

TEST(GlobalPooling, GradientsMatchFiniteDifferences) {
  check_gradients(*GlobalAveragePooling2D().ptr(), {spaced_tensor({2, 3, 2, 3}, 1)}, true);
  check_gradients(*GlobalMaxPooling2D({.keepdims = true}).ptr(), {spaced_tensor({2, 3, 2, 3}, 2)}, true);
  check_gradients(*GlobalAveragePooling1D().ptr(), {spaced_tensor({2, 5, 3}, 3)}, true);
  check_gradients(*GlobalMaxPooling1D().ptr(), {spaced_tensor({2, 5, 3}, 4)}, true);
}

}  // namespace
}  // namespace tinyforge::nn
