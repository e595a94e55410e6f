// Test harness for the structural layer tests: run a layer's forward/backward on batch tensors
// outside a model, and check its gradients against central finite differences.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tinyforge/nn/backend.h"
#include "tinyforge/nn/layer.h"
#include "tinyforge/nn/random.h"

namespace tinyforge::nn::structural_test {

inline void build_for(Layer& layer, const std::vector<Tensor>& inputs) {
  if (layer.built()) return;
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.sample_shape());
  Rng rng(1);
  layer.build(shapes, rng);
  layer.mark_built();
}

// One forward (and optionally backward) call, the way a model drives a layer.
struct Run {
  Tensor y;
  std::vector<Tensor> dx;
};
inline Run run(Layer& layer, const std::vector<Tensor>& inputs, bool training, const Tensor* dy = nullptr,
               uint64_t rng_seed = 7) {
  build_for(layer, inputs);
  Rng rng(rng_seed);
  LayerCall call;
  call.training = training;
  call.rng = &rng;
  for (const Tensor& t : inputs) call.inputs.push_back(&t);
  Run r;
  r.y = layer.forward(call);
  call.output = &r.y;
  if (dy) r.dx = layer.backward(call, *dy);
  return r;
}

inline Tensor random_tensor(Shape shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// Distinct values at least 0.1 apart in shuffled order, so max-pooling's choice does not flip
// under a finite-difference step.
inline Tensor spaced_tensor(Shape shape, uint64_t seed) {
  Tensor t(std::move(shape));
  Rng rng(seed);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = 0.1f * static_cast<float>(i) - 0.05f * static_cast<float>(t.size());
  for (int64_t i = t.size() - 1; i > 0; --i) std::swap(t[i], t[static_cast<int64_t>(rng.below(static_cast<uint64_t>(i + 1)))]);
  return t;
}

// L = sum(y * w) for a fixed random w, so dL/dy = w.
inline double weighted_sum(const Tensor& y, const Tensor& w) {
  double s = 0;
  for (int64_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * w[i];
  return s;
}

// Compares backward()'s input and trainable-param gradients with central differences of L.
inline void check_gradients(Layer& layer, std::vector<Tensor> inputs, bool training, float step = 1e-2f,
                            float tol = 2e-3f) {
  build_for(layer, inputs);
  for (Param& p : layer.params()) p.grad = Tensor(p.value.shape(), 0.0f);
  const Tensor y0 = run(layer, inputs, training).y;
  const Tensor w = random_tensor(y0.shape(), 99);
  const Run r = run(layer, inputs, training, &w);
  ASSERT_EQ(r.dx.size(), inputs.size()) << layer.type();
  auto loss = [&] { return weighted_sum(run(layer, inputs, training).y, w); };
  auto near = [&](double numeric, double analytic, const std::string& what) {
    EXPECT_NEAR(analytic, numeric, tol * (1.0 + std::fabs(numeric))) << layer.type() << " " << what;
  };
  for (size_t k = 0; k < inputs.size(); ++k) {
    ASSERT_EQ(r.dx[k].shape(), inputs[k].shape()) << layer.type() << " input " << k;
    for (int64_t i = 0; i < inputs[k].size(); ++i) {
      const float keep = inputs[k][i];
      inputs[k][i] = keep + step;
      const double up = loss();
      inputs[k][i] = keep - step;
      const double down = loss();
      inputs[k][i] = keep;
      near((up - down) / (2.0 * step), r.dx[k][i], "d input " + std::to_string(k) + "[" + std::to_string(i) + "]");
    }
  }
  for (Param& p : layer.params()) {
    if (!p.trainable) continue;
    const Tensor analytic = p.grad;
    ASSERT_EQ(analytic.shape(), p.value.shape()) << layer.type() << " " << p.name;
    for (int64_t i = 0; i < p.value.size(); ++i) {
      const float keep = p.value[i];
      p.value[i] = keep + step;
      const double up = loss();
      p.value[i] = keep - step;
      const double down = loss();
      p.value[i] = keep;
      near((up - down) / (2.0 * step), analytic[i], "d " + p.name + "[" + std::to_string(i) + "]");
    }
  }
}

inline void expect_values(const Tensor& t, const Shape& shape, const std::vector<float>& values, float tol = 1e-5f) {
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.size(), static_cast<int64_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(t[static_cast<int64_t>(i)], values[i], tol) << "at " << i;
}

// Forward and backward on both backends must agree (the reference backend is the oracle).
inline void expect_backends_agree(Layer& layer, const std::vector<Tensor>& inputs, bool training) {
  build_for(layer, inputs);
  const std::string before = backend().name();
  set_backend("reference");
  const Tensor y_probe = run(layer, inputs, training).y;
  const Tensor dy = random_tensor(y_probe.shape(), 5);
  const Run ref = run(layer, inputs, training, &dy);
  set_backend("cpu");
  const Run cpu = run(layer, inputs, training, &dy);
  set_backend(before);
  ASSERT_EQ(ref.y.shape(), cpu.y.shape());
  for (int64_t i = 0; i < ref.y.size(); ++i) EXPECT_NEAR(ref.y[i], cpu.y[i], 1e-5f) << layer.type() << " y " << i;
  for (size_t k = 0; k < ref.dx.size(); ++k) {
    for (int64_t i = 0; i < ref.dx[k].size(); ++i) {
      EXPECT_NEAR(ref.dx[k][i], cpu.dx[k][i], 1e-5f) << layer.type() << " dx " << k << " " << i;
    }
  }
}

}  // namespace tinyforge::nn::structural_test
