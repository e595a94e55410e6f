// The model graph: order, shapes, naming, errors, and gradients through shared layers and
// fan-out checked against finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/model_test_layers.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::nn {
namespace {

using model_test::Add;
using model_test::Linear;
using model_test::Mul;
using model_test::Scale;

Tensor random_tensor(Shape s, Rng& rng) {
  Tensor t(std::move(s));
  for (auto& v : t.values()) v = rng.uniform(-1.0f, 1.0f);
  return t;
}

// in1, in2 -> shared Scale s -> a = s(in1), b = s(in2); c = a + b;
// out1 = Linear(2)(c); out2 = a * c   (a feeds two nodes; s is called twice).
struct TwoTower {
  LayerPtr s = Scale(), add = Add(), lin = Linear(2), mul = Mul();
  std::unique_ptr<Model> model;
  TwoTower() {
    auto in1 = Input({3}, "in1");
    auto in2 = Input({3}, "in2");
    auto a = call(s, {in1});
    auto b = call(s, {in2});
    auto c = call(add, {a, b});
    auto out1 = call(lin, {c});
    auto out2 = call(mul, {a, c});
    model = std::make_unique<Model>(std::vector{in1, in2}, std::vector{out1, out2}, "two_tower");
  }
};

// L = sum(out1 * r1) + sum(out2 * r2), so dL/d(out) = r.
double objective(Model& m, const std::vector<Tensor>& x, const std::vector<Tensor>& r) {
  auto out = m.forward(x, false);
  double l = 0;
  for (size_t k = 0; k < out.size(); ++k)
    for (int64_t i = 0; i < out[k].size(); ++i) l += double(out[k][i]) * r[k][i];
  return l;
}

TEST(ModelGraph, SharedLayerAndFanOutGradientsMatchFiniteDifferences) {
  set_random_seed(7);
  TwoTower t;
  Model& m = *t.model;
  ASSERT_EQ(m.layers().size(), 4u);  // the shared Scale once
  EXPECT_EQ(m.output_shapes()[0], (Shape{2}));
  EXPECT_EQ(m.output_shapes()[1], (Shape{3}));
  Rng rng(3);
  std::vector<Tensor> x = {random_tensor({4, 3}, rng), random_tensor({4, 3}, rng)};
  std::vector<Tensor> r = {random_tensor({4, 2}, rng), random_tensor({4, 3}, rng)};
  m.zero_grads();
  m.forward(x, true);
  m.backward(r);
  const double eps = 1e-2;  // objective is quadratic in each weight: central differences are exact up to rounding
  int checked = 0;
  for (const auto& layer : m.layers()) {
    for (Param& p : layer->params()) {
      for (int64_t i = 0; i < p.value.size(); ++i) {
        const float w0 = p.value[i];
        p.value[i] = w0 + float(eps);
        const double lp = objective(m, x, r);
        p.value[i] = w0 - float(eps);
        const double lm = objective(m, x, r);
        p.value[i] = w0;
        const double fd = (lp - lm) / (2 * eps);
        EXPECT_NEAR(p.grad[i], fd, 2e-3 * (1 + std::fabs(fd))) << layer->name() << "/" << p.name << "[" << i << "]";
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 3 + 3 * 2 + 2);
}

TEST(ModelGraph, GradientsAccumulateUntilZeroed) {
  set_random_seed(1);
  TwoTower t;
  Rng rng(5);
  std::vector<Tensor> x = {random_tensor({2, 3}, rng), random_tensor({2, 3}, rng)};
  std::vector<Tensor> r = {random_tensor({2, 2}, rng), random_tensor({2, 3}, rng)};
  t.model->zero_grads();
  t.model->forward(x, true);
  t.model->backward(r);
  const Tensor once = t.s->params()[0].grad;
  t.model->forward(x, true);
  t.model->backward(r);
  for (int64_t i = 0; i < once.size(); ++i) EXPECT_NEAR(t.s->params()[0].grad[i], 2 * once[i], 1e-6 * (1 + std::fabs(once[i])));
  t.model->zero_grads();
  for (float g : t.s->params()[0].grad.values()) EXPECT_EQ(g, 0.0f);
}

TEST(ModelGraph, ForwardValuesByHand) {
  // y = (x * 2) * 3 through two Scale layers with fixed weights.
  Sequential seq({2}, {Scale(2.0f), Scale(3.0f)});
  Tensor x({1, 2}, {1.0f, -0.5f});
  Tensor y = seq.forward({x}, false)[0];
  EXPECT_FLOAT_EQ(y[0], 6.0f);
  EXPECT_FLOAT_EQ(y[1], -3.0f);
}

TEST(ModelGraph, SequentialEqualsFunctional) {
  set_random_seed(11);
  Sequential seq({4}, {Linear(3), Scale(), Linear(2)});
  set_random_seed(99);  // different init: the weights are copied below
  auto in = Input({4});
  LayerPtr l1 = Linear(3), s = Scale(), l2 = Linear(2);
  auto out = call(l2, {call(s, {call(l1, {in})})});
  Model fun({in}, {out});
  fun.set_weights(seq.get_weights());
  Rng rng(2);
  Tensor x = random_tensor({5, 4}, rng);
  Tensor a = seq.forward({x}, false)[0], b = fun.forward({x}, false)[0];
  ASSERT_EQ(a.shape(), (Shape{5, 2}));
  for (int64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]);
  // Gradients agree too.
  Tensor r = random_tensor({5, 2}, rng);
  seq.zero_grads();
  fun.zero_grads();
  seq.forward({x}, true);
  seq.backward({r});
  fun.forward({x}, true);
  fun.backward({r});
  for (size_t li = 0; li < seq.layers().size(); ++li)
    for (size_t p = 0; p < seq.layers()[li]->params().size(); ++p)
      for (int64_t i = 0; i < seq.layers()[li]->params()[p].grad.size(); ++i)
        EXPECT_EQ(seq.layers()[li]->params()[p].grad[i], fun.layers()[li]->params()[p].grad[i]);
}

TEST(ModelGraph, SequentialAddAndLayerLookup) {
  Sequential seq({3}, {}, "seq");
  EXPECT_EQ(seq.output_shapes()[0], (Shape{3}));
  seq.add(Linear(5, "hidden"));
  seq.add(Linear(1, "head"));
  EXPECT_EQ(seq.output_shapes()[0], (Shape{1}));
  EXPECT_EQ(seq.layer("head")->type(), "ModelTestLinear");
  EXPECT_THROW(seq.layer("nope"), Error);
  // A layer that does not fit leaves the model as it was.
  EXPECT_THROW(seq.add(Add()), Error);
  EXPECT_EQ(seq.layers().size(), 2u);
}

TEST(ModelGraph, UnnamedLayersGetUniqueNames) {
  auto in = Input({2});
  auto x = call(Scale(), {in});
  auto y = call(Scale(), {x});
  Model m({in}, {y});
  EXPECT_NE(m.layers()[0]->name(), m.layers()[1]->name());
}

TEST(ModelGraph, TopologicalOrderPutsInputsBeforeUsers) {
  auto in = Input({2});
  auto a = call(Scale(), {in});
  auto b = call(Scale(), {a});
  auto c = call(Add(), {b, a});  // a is needed by both b and c
  Model m({in}, {c});
  const auto& nodes = m.nodes();
  ASSERT_EQ(nodes.size(), 4u);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& input : nodes[i]->inputs) {
      size_t j = 0;
      while (nodes[j] != input.node) ++j;
      EXPECT_LT(j, i);
    }
}

TEST(ModelGraph, ErrorsNameTheProblem) {
  auto in = Input({2});
  auto other = Input({2});
  auto y = call(Add(), {in, other});
  try {
    Model m({in}, {y});
    FAIL() << "expected a disconnected-graph error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("disconnected"), std::string::npos) << e.what();
  }
  Model ok({in}, {call(Scale(), {in})});
  try {
    ok.forward({Tensor({4, 3})}, false);
    FAIL() << "expected a shape error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(4, 3)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(call(Linear(2), {Input({2, 2})}), Error);
  auto in2 = Input({2});
  EXPECT_THROW(Model({in2}, {call(Scale(1, "same"), {call(Scale(1, "same"), {in2})})}), Error);
}

TEST(ModelGraph, SetRandomSeedMakesInitialWeightsRepeat) {
  auto build = [] {
    Sequential s({3}, {Linear(4), Linear(2)});
    return s.get_weights();
  };
  set_random_seed(5);
  auto a = build();
  set_random_seed(5);
  auto b = build();
  set_random_seed(6);
  auto c = build();
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].values(), b[0].values());
  EXPECT_EQ(a[2].values(), b[2].values());
  EXPECT_NE(a[0].values(), c[0].values());
}

}  // namespace
}  // namespace tinyforge::nn
