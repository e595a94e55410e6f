// Model::backward skips gradients nobody uses: a layer learns through LayerCall::need_input_grad
// whether anything upstream has weights to train, and the weights' gradients stay exact.
#include <gtest/gtest.h>

#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/model.h"

namespace tinyforge::nn {
namespace {

// Identity that records how the model called its backward.
class Probe : public Layer {
 public:
  std::string type() const override { return "ModelTestProbe"; }
  Shape output_shape(const std::vector<Shape>& in) const override { return in.at(0); }
  Tensor forward(LayerCall& call) override { return *call.inputs.at(0); }
  std::vector<Tensor> backward(LayerCall& call, const Tensor& d_output) override {
    ++backward_calls;
    last_need_input_grad = call.need_input_grad;
    return {d_output};
  }
  nlohmann::json config() const override { return {{"name", name()}}; }
  int backward_calls = 0;
  bool last_need_input_grad = true;
};

// in [2] -> probe_a -> Dense(2, W1 = [[1, 2], [3, 4]], b1 = 0) -> probe_b -> Dense(1, W2 = [5, 6], b2 = 0)
struct Chain {
  std::shared_ptr<Probe> a = std::make_shared<Probe>(), b = std::make_shared<Probe>();
  LayerPtr d1 = Dense(2), d2 = Dense(1);
  std::unique_ptr<Model> model;
  Chain() {
    auto in = Input({2});
    auto out = call(d2, {call(b, {call(d1, {call(a, {in})})})});
    model = std::make_unique<Model>(std::vector{in}, std::vector{out});
    d1->params()[0].value = Tensor({2, 2}, {1, 2, 3, 4});
    d2->params()[0].value = Tensor({2, 1}, {5, 6});
  }
  void step() {
    model->zero_grads();
    model->forward({Tensor({1, 2}, {1, -1})}, true);
    model->backward({Tensor({1, 1}, {1})});  // dL/dy = 1
  }
};

TEST(ModelInputGrad, OnlyGradientsThatReachWeightsAreComputed) {
  Chain c;
  c.step();
  EXPECT_EQ(c.a->backward_calls, 0);  // between the input and the first weights: skipped
  EXPECT_EQ(c.b->backward_calls, 1);
  EXPECT_TRUE(c.b->last_need_input_grad);  // d1 below it trains
  // By hand: h = x W1 = [1 - 3, 2 - 4] = [-2, -2]; dW2 = h^T = [-2, -2]; dh = W2^T = [5, 6];
  // dW1 = x^T dh = [[5, 6], [-5, -6]]; biases: db2 = 1, db1 = [5, 6].
  const std::vector<float> dw2 = {-2, -2}, dw1 = {5, 6, -5, -6}, db1 = {5, 6};
  EXPECT_EQ(c.d2->params()[0].grad.to_vector(), dw2);
  EXPECT_EQ(c.d2->params()[1].grad.to_vector(), std::vector<float>{1});
  EXPECT_EQ(c.d1->params()[0].grad.to_vector(), dw1);
  EXPECT_EQ(c.d1->params()[1].grad.to_vector(), db1);
}

TEST(ModelInputGrad, FrozenLayersBelowStopTheGradient) {
  Chain c;
  c.d1->set_trainable(false);
  c.step();
  EXPECT_EQ(c.b->backward_calls, 0);  // nothing below b trains
  const std::vector<float> dw2 = {-2, -2};
  EXPECT_EQ(c.d2->params()[0].grad.to_vector(), dw2);
  c.d1->set_trainable(true);  // decided per backward, not when the graph was built
  c.step();
  EXPECT_EQ(c.b->backward_calls, 1);
  EXPECT_TRUE(c.b->last_need_input_grad);
}

}  // namespace
}  // namespace tinyforge::nn
