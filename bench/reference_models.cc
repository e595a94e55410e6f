#include "reference_models.h"

#include <algorithm>
#include <cmath>

#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/layers/core.h"
#include "tinyforge/nn/layers/structural.h"

namespace tinyforge::bench {

using namespace tinyforge::nn;

const std::vector<ReferenceWorkload>& reference_workloads() {
  static const std::vector<ReferenceWorkload> kAll = {
      {"fmnist_cnn", 64, 5, true, "sparse_categorical_crossentropy"},
      {"fmnist_mlp", 32, 5, true, "sparse_categorical_crossentropy"},
      {"kws_dscnn", 100, 3, false, "sparse_categorical_crossentropy"},
      {"ad_autoencoder", 512, 5, false, "mse"},
      {"gesture_conv1d", 32, 3, false, "sparse_categorical_crossentropy"},
  };
  return kAll;
}

const ReferenceWorkload& reference_workload(const std::string& name) {
  std::string known;
  for (const auto& w : reference_workloads()) {
    if (w.name == name) return w;
    known += (known.empty() ? "" : ", ") + w.name;
  }
  throw Error("unknown reference model '" + name + "' (known: " + known + ")");
}

namespace {

// Makes the layers with one weight initialization. The default, "torch_default", is the peers'
// recipe, not Keras' defaults: PyTorch initializes Linear/Conv weights AND biases
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (fan_in of the weight). Any other name is a Keras kernel
// initializer (glorot_uniform, he_uniform, ...) with Keras' zero biases. BatchNorm is always
// PyTorch's: momentum 0.1 (Keras' 0.9: Keras weighs the old statistic) and epsilon 1e-5.
class LayerMaker {
 public:
  explicit LayerMaker(std::string kernel_init) : kernel_(std::move(kernel_init)) {}

  LayerRef dense(int64_t fan_in, int64_t units, const std::string& activation = "linear") const {
    return Dense(units, {.activation = activation, .kernel_initializer = kernel_, .bias_initializer = bias(fan_in)});
  }
  LayerRef conv2d(int64_t in_c, int64_t filters, Size2 k, Conv2DOptions o = {}) const {
    o.kernel_initializer = kernel_;
    o.bias_initializer = bias(k.h * k.w * in_c);
    return Conv2D(filters, k, std::move(o));
  }
  LayerRef conv1d(int64_t in_c, int64_t filters, int64_t k, const std::string& activation) const {
    return Conv1D(filters, k,
                  {.activation = activation, .kernel_initializer = kernel_, .bias_initializer = bias(k * in_c)});
  }
  // PyTorch's depthwise weight is [C, 1, kh, kw]: fan_in = kh * kw (Keras' fans would count C too).
  LayerRef depthwise_conv2d(int64_t k) const {
    return DepthwiseConv2D(k, {.padding = "same",
                               .depthwise_initializer = torch() ? torch_uniform(k * k) : Initializer(kernel_),
                               .bias_initializer = bias(k * k)});
  }
  static LayerRef batch_norm() { return BatchNormalization({.momentum = 0.9f, .epsilon = 1e-5f}); }

 private:
  bool torch() const { return kernel_ == "torch_default"; }
  static Initializer torch_uniform(int64_t fan_in) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    return RandomUniform(-bound, bound);
  }
  Initializer bias(int64_t fan_in) const { return torch() ? torch_uniform(fan_in) : Initializer("zeros"); }

  std::string kernel_;
};

// Layers as in the peers: PyTorch's default Conv/Linear have biases; logits out (the softmax is
// in the loss).
std::shared_ptr<Model> fmnist_cnn(const LayerMaker& m) {
  return std::make_shared<Sequential>(
      Shape{28, 28, 1},
      std::vector<LayerPtr>{m.conv2d(1, 16, 3, {.activation = "relu"}), MaxPooling2D(2),   // 28 -> 26 -> 13
                            m.conv2d(16, 32, 3, {.activation = "relu"}), MaxPooling2D(2),  // 13 -> 11 -> 5
                            Flatten(), m.dense(800, 64, "relu"), m.dense(64, 10)},
      "fmnist_cnn");
}

std::shared_ptr<Model> fmnist_mlp(const LayerMaker& m) {
  return std::make_shared<Sequential>(Shape{28, 28, 1},
                                      std::vector<LayerPtr>{Flatten(), m.dense(784, 128, "relu"), Dropout(0.2f),
                                                            m.dense(128, 64, "relu"), m.dense(64, 10)},
                                      "fmnist_mlp");
}

// MLPerf Tiny KWS DS-CNN shape. TF 'same' padding on 49x10 with a 10x4 kernel and stride 2 is
// exactly the peer's ZeroPad2d((1, 1, 4, 5)) + valid conv.
std::shared_ptr<Model> kws_dscnn(const LayerMaker& m) {
  constexpr int64_t F = 64;
  std::vector<LayerPtr> l = {m.conv2d(1, F, {10, 4}, {.strides = 2, .padding = "same"}), m.batch_norm(),
                             Activation("relu")};
  for (int i = 0; i < 4; ++i) {
    l.push_back(m.depthwise_conv2d(3));
    l.push_back(m.batch_norm());
    l.push_back(Activation("relu"));
    l.push_back(m.conv2d(F, F, 1));
    l.push_back(m.batch_norm());
    l.push_back(Activation("relu"));
  }
  l.push_back(GlobalAveragePooling2D());
  l.push_back(m.dense(F, 12));
  return std::make_shared<Sequential>(Shape{49, 10, 1}, std::move(l), "kws_dscnn");
}

std::shared_ptr<Model> ad_autoencoder(const LayerMaker& m) {
  const int64_t dims[] = {128, 128, 128, 128, 8, 128, 128, 128, 128};
  std::vector<LayerPtr> l;
  int64_t in = 640;
  for (int64_t d : dims) {
    l.push_back(m.dense(in, d));
    l.push_back(m.batch_norm());
    l.push_back(Activation("relu"));
    in = d;
  }
  l.push_back(m.dense(in, 640));
  return std::make_shared<Sequential>(Shape{640}, std::move(l), "ad_autoencoder");
}

// Channels last: a window is [128 steps, 3 axes] (the peer's channels-first 3 x 128).
std::shared_ptr<Model> gesture_conv1d(const LayerMaker& m) {
  return std::make_shared<Sequential>(
      Shape{128, 3},
      std::vector<LayerPtr>{m.conv1d(3, 16, 5, "relu"), MaxPooling1D(2),  // 128 -> 124 -> 62
                            m.conv1d(16, 32, 5, "relu"),                  // 62 -> 58
                            GlobalAveragePooling1D(), m.dense(32, 32, "relu"), m.dense(32, 5)},
      "gesture_conv1d");
}

// The peers' synthetic_classification(): random inputs, labels from a fixed random linear map.
void synthetic_classification(int64_t n, const Shape& sample, int64_t classes, uint64_t seed, Tensor& x, Tensor& y) {
  Rng rng(seed);
  Shape s{n};
  s.insert(s.end(), sample.begin(), sample.end());
  x = Tensor(s);
  for (auto& v : x.values()) v = rng.normal();
  const int64_t features = shape_size(sample);
  std::vector<float> w(static_cast<size_t>(features * classes));
  for (auto& v : w) v = rng.normal();
  y = Tensor(Shape{n});
  std::vector<double> logits(static_cast<size_t>(classes));
  for (int64_t i = 0; i < n; ++i) {
    std::fill(logits.begin(), logits.end(), 0.0);
    const float* xi = x.data() + i * features;
    for (int64_t f = 0; f < features; ++f)
      for (int64_t c = 0; c < classes; ++c)
        logits[static_cast<size_t>(c)] += double(xi[f]) * w[static_cast<size_t>(f * classes + c)];
    y[i] = static_cast<float>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
}

}  // namespace

std::shared_ptr<Model> build_reference_model(const std::string& name, uint64_t seed, const std::string& kernel_init) {
  reference_workload(name);  // validates the name
  set_random_seed(seed);
  const LayerMaker m(kernel_init);
  if (name == "fmnist_cnn") return fmnist_cnn(m);
  if (name == "fmnist_mlp") return fmnist_mlp(m);
  if (name == "kws_dscnn") return kws_dscnn(m);
  if (name == "ad_autoencoder") return ad_autoencoder(m);
  return gesture_conv1d(m);
}

ReferenceData reference_data(const std::string& name, uint64_t seed) {
  const ReferenceWorkload& w = reference_workload(name);
  ReferenceData d;
  if (w.fashion_mnist) {
    auto fm = data::load_fashion_mnist();
    d.x = std::move(fm.train_x);
    d.y = std::move(fm.train_y);
    d.test_x = std::move(fm.test_x);
    d.test_y = std::move(fm.test_y);
  } else if (name == "kws_dscnn") {
    synthetic_classification(20000, {49, 10, 1}, 12, seed + 1, d.x, d.y);
  } else if (name == "gesture_conv1d") {
    synthetic_classification(20000, {128, 3}, 5, seed + 1, d.x, d.y);
  } else {  // ad_autoencoder
    Rng rng(seed + 1);
    d.x = Tensor({20000, 640});
    for (auto& v : d.x.values()) v = rng.normal();
    d.y = d.x;
  }
  return d;
}

}  // namespace tinyforge::bench
