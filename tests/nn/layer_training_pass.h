// One training step of a lone layer, for tests that run it twice and compare (two backends, two
// thread counts): a fresh layer built with Rng(seed), a batch uniform in [-range, range] (seed + 1)
// through a training forward, an output gradient likewise (seed + 2) through backward.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/random.h"
#include "tinyforge/nn/tensor.h"

namespace tinyforge::nn::test_support {

struct LayerTrainingPass {
  Tensor y, dx;
  std::vector<Tensor> grads;
  std::vector<Tensor> params;  // after the step: BatchNormalization's moving statistics move in forward
};

inline Tensor uniform_tensor(Shape shape, uint64_t seed, float range) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  for (auto& v : t.values()) v = rng.uniform(-range, range);
  return t;
}

inline LayerTrainingPass layer_training_pass(const std::function<LayerPtr()>& make, const Shape& batch_in,
                                             uint64_t seed, float range) {
  LayerPtr layer = make();
  Rng rng(seed);
  layer->build({Shape(batch_in.begin() + 1, batch_in.end())}, rng);
  const Tensor x = uniform_tensor(batch_in, seed + 1, range);
  LayerCall call;
  call.training = true;
  call.inputs = {&x};
  LayerTrainingPass out;
  out.y = layer->forward(call);
  call.output = &out.y;
  out.dx = layer->backward(call, uniform_tensor(out.y.shape(), seed + 2, range))[0];
  for (auto& p : layer->params()) {
    out.grads.push_back(p.grad);
    out.params.push_back(p.value);
  }
  return out;
}

}  // namespace tinyforge::nn::test_support
