#include "nn/model_test_layers.h"

#include "tinyforge/error.h"

namespace tinyforge::nn::model_test {
namespace {

class ScaleLayer : public Layer {
 public:
  ScaleLayer(float init, std::string name) : Layer(std::move(name)), init_(init) {}
  std::string type() const override { return "ModelTestScale"; }
  Shape output_shape(const std::vector<Shape>& in) const override { return in.at(0); }
  void build(const std::vector<Shape>& in, Rng& rng) override {
    Tensor w(Shape{in.at(0).back()});
    for (int64_t i = 0; i < w.size(); ++i) w[i] = init_ != 0 ? init_ : rng.uniform(0.5f, 1.5f);
    add_param("kernel", w);
  }
  Tensor forward(LayerCall& c) override {
    const Tensor& x = *c.inputs[0];
    const Tensor& w = params()[0].value;
    Tensor y(x.shape());
    for (int64_t i = 0; i < x.size(); ++i) y[i] = x[i] * w[i % w.size()];
    return y;
  }
  std::vector<Tensor> backward(LayerCall& c, const Tensor& dy) override {
    const Tensor& x = *c.inputs[0];
    Param& w = params()[0];
    Tensor dx(x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      dx[i] = dy[i] * w.value[i % w.value.size()];
      if (trainable()) w.grad[i % w.value.size()] += dy[i] * x[i];
    }
    return {dx};
  }
  nlohmann::json config() const override { return {{"init", init_}}; }

 private:
  float init_;
};

class BinaryLayer : public Layer {
 public:
  BinaryLayer(bool mul, std::string name) : Layer(std::move(name)), mul_(mul) {}
  std::string type() const override { return mul_ ? "ModelTestMul" : "ModelTestAdd"; }
  Shape output_shape(const std::vector<Shape>& in) const override {
    if (in.size() != 2 || in[0] != in[1]) throw Error(type() + " needs two inputs of one shape");
    return in[0];
  }
  Tensor forward(LayerCall& c) override {
    const Tensor &a = *c.inputs[0], &b = *c.inputs[1];
    Tensor y(a.shape());
    for (int64_t i = 0; i < a.size(); ++i) y[i] = mul_ ? a[i] * b[i] : a[i] + b[i];
    return y;
  }
  std::vector<Tensor> backward(LayerCall& c, const Tensor& dy) override {
    if (!mul_) return {dy, dy};
    const Tensor &a = *c.inputs[0], &b = *c.inputs[1];
    Tensor da(a.shape()), db(b.shape());
    for (int64_t i = 0; i < a.size(); ++i) {
      da[i] = dy[i] * b[i];
      db[i] = dy[i] * a[i];
    }
    return {da, db};
  }
  nlohmann::json config() const override { return nlohmann::json::object(); }

 private:
  bool mul_;
};

class LinearLayer : public Layer {
 public:
  LinearLayer(int64_t units, std::string name) : Layer(std::move(name)), units_(units) {}
  std::string type() const override { return "ModelTestLinear"; }
  Shape output_shape(const std::vector<Shape>& in) const override {
    if (in.size() != 1 || in[0].size() != 1) throw Error("ModelTestLinear needs one rank-1 input");
    return {units_};
  }
  void build(const std::vector<Shape>& in, Rng& rng) override {
    Tensor w(Shape{in[0][0], units_});
    for (auto& v : w.values()) v = rng.uniform(-0.5f, 0.5f);
    add_param("kernel", w);
    add_param("bias", Tensor(Shape{units_}));
  }
  Tensor forward(LayerCall& c) override {
    const Tensor& x = *c.inputs[0];
    const Tensor &w = params()[0].value, &b = params()[1].value;
    const int64_t n = x.dim(0), k = x.dim(1);
    Tensor y(Shape{n, units_});
    for (int64_t r = 0; r < n; ++r)
      for (int64_t u = 0; u < units_; ++u) {
        float s = b[u];
        for (int64_t i = 0; i < k; ++i) s += x[r * k + i] * w[i * units_ + u];
        y[r * units_ + u] = s;
      }
    return y;
  }
  std::vector<Tensor> backward(LayerCall& c, const Tensor& dy) override {
    const Tensor& x = *c.inputs[0];
    Param &w = params()[0], &b = params()[1];
    const int64_t n = x.dim(0), k = x.dim(1);
    Tensor dx(x.shape());
    for (int64_t r = 0; r < n; ++r)
      for (int64_t u = 0; u < units_; ++u) {
        const float g = dy[r * units_ + u];
        if (trainable()) b.grad[u] += g;
        for (int64_t i = 0; i < k; ++i) {
          dx[r * k + i] += g * w.value[i * units_ + u];
          if (trainable()) w.grad[i * units_ + u] += g * x[r * k + i];
        }
      }
    return {dx};
  }
  int64_t macs(const std::vector<Shape>& in) const override { return in[0][0] * units_; }
  nlohmann::json config() const override { return {{"units", units_}}; }

 private:
  int64_t units_;
};

class DropoutLayer : public Layer {
 public:
  explicit DropoutLayer(std::string name) : Layer(std::move(name)) {}
  std::string type() const override { return "ModelTestDropout50"; }
  Shape output_shape(const std::vector<Shape>& in) const override { return in.at(0); }
  Tensor forward(LayerCall& c) override {
    Tensor y = *c.inputs[0];
    if (!c.training) return y;
    Tensor mask(y.shape());
    for (int64_t i = 0; i < y.size(); ++i) mask[i] = c.rng->uniform() < 0.5f ? 0.0f : 2.0f;
    for (int64_t i = 0; i < y.size(); ++i) y[i] *= mask[i];
    c.saved = {mask};
    return y;
  }
  std::vector<Tensor> backward(LayerCall& c, const Tensor& dy) override {
    Tensor dx = dy;
    for (int64_t i = 0; i < dx.size(); ++i) dx[i] *= c.saved[0][i];
    return {dx};
  }
  nlohmann::json config() const override { return nlohmann::json::object(); }
};

const LayerRegistrar kScale("ModelTestScale", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<ScaleLayer>(c.at("init").get<float>(), "");
});
const LayerRegistrar kAdd("ModelTestAdd", [](const nlohmann::json&) -> LayerPtr {
  return std::make_shared<BinaryLayer>(false, "");
});
const LayerRegistrar kMul("ModelTestMul", [](const nlohmann::json&) -> LayerPtr {
  return std::make_shared<BinaryLayer>(true, "");
});
const LayerRegistrar kLinear("ModelTestLinear", [](const nlohmann::json& c) -> LayerPtr {
  return std::make_shared<LinearLayer>(c.at("units").get<int64_t>(), "");
});
const LayerRegistrar kDropout("ModelTestDropout50", [](const nlohmann::json&) -> LayerPtr {
  return std::make_shared<DropoutLayer>("");
});

}  // namespace

LayerPtr Scale(float init, std::string name) { return std::make_shared<ScaleLayer>(init, std::move(name)); }
LayerPtr Add(std::string name) { return std::make_shared<BinaryLayer>(false, std::move(name)); }
LayerPtr Mul(std::string name) { return std::make_shared<BinaryLayer>(true, std::move(name)); }
LayerPtr Linear(int64_t units, std::string name) { return std::make_shared<LinearLayer>(units, std::move(name)); }
LayerPtr Dropout50(std::string name) { return std::make_shared<DropoutLayer>(std::move(name)); }

}  // namespace tinyforge::nn::model_test
