// Tiny layers with exact, hand-checkable gradients for the graph and fit tests. They register
// with make_layer (types "ModelTest*") so save/load and clone work on them too.
#pragma once

#include "tinyforge/nn/model.h"

namespace tinyforge::nn::model_test {

// y = x * w per feature (w: [features], initialized to `init` or U(0.5, 1.5) when init == 0).
LayerPtr Scale(float init = 0.0f, std::string name = "");
// y = a + b.
LayerPtr Add(std::string name = "");
// y = a * b (elementwise): makes gradients depend on the other branch.
LayerPtr Mul(std::string name = "");
// y = x W + b, W: [in, units] from U(-0.5, 0.5), b zeros.
LayerPtr Linear(int64_t units, std::string name = "");
// y = x with probability 1/2 scaled by 2, else 0, when training (draws from call.rng).
LayerPtr Dropout50(std::string name = "");

}  // namespace tinyforge::nn::model_test
