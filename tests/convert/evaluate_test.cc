// evaluate_model on data sets whose accuracy or error is worked out by hand, on the quantized
// input path (checked against a hand-written quantize/run/dequantize loop) and on Fashion-MNIST.
#include "tinyforge/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/test_support.h"
#include "support/tiny_models.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/data/fashion_mnist.h"
#include "tinyforge/error.h"

namespace tinyforge::eval {
namespace {

using test::npy_f32;

// logits = [x0, x1, -x0 - x1]
ModelBytes three_class_model() {
  return ModelBytes(convert::write_tflite(test::dense_chain(2, {{3, {1, 0, 0, 1, -1, -1}, {0, 0, 0}, "logits"}})));
}

LabelledData four_samples(NpyArray y) {
  LabelledData d;
  d.source = "hand";
  // Predicted classes, by hand: (1,0)->0, (0,1)->1, (-1,-1)->2 (logit 2), (2,1)->0.
  d.x = npy_f32({4, 2}, {1, 0, 0, 1, -1, -1, 2, 1});
  d.y = std::move(y);
  return d;
}

TEST(Evaluate, ClassifierAccuracyAndConfusionByHand) {
  const EvalResult r = evaluate_model(three_class_model(), four_samples(npy_f32({4}, {0, 1, 2, 1})));
  EXPECT_EQ(r.task, Task::kClassification);
  EXPECT_EQ(r.label_format, LabelFormat::kClassIndex);
  EXPECT_EQ(r.samples, 4);
  EXPECT_EQ(r.num_classes, 3);
  EXPECT_EQ(r.correct, 3);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
  const std::vector<std::vector<int64_t>> confusion = {{1, 0, 0}, {1, 1, 0}, {0, 0, 1}};
  EXPECT_EQ(r.confusion, confusion);
  EXPECT_GT(r.arena_bytes, 0u);
}

TEST(Evaluate, OneHotLabelsGiveTheSameResult) {
  const NpyArray one_hot = npy_f32({4, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0});
  const EvalResult r = evaluate_model(three_class_model(), four_samples(one_hot));
  EXPECT_EQ(r.label_format, LabelFormat::kOneHot);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
}

TEST(Evaluate, IntegerLabelsAndLimit) {
  NpyArray y;
  y.dtype = "i8";
  y.shape = {4};
  for (int64_t v : {0, 1, 2, 1}) {
    y.data.insert(y.data.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 8);
  }
  const EvalResult r = evaluate_model(three_class_model(), four_samples(y), {.limit = 2});
  EXPECT_EQ(r.samples, 2);
  EXPECT_DOUBLE_EQ(r.accuracy, 1.0);
}

TEST(Evaluate, RegressionMseAndMaeByHand) {
  // y = 2x + 1 against targets 1, 3, 4: errors 0, 0, 1.
  const ModelBytes model(convert::write_tflite(test::dense_chain(1, {{1, {2}, {1}, "y"}})));
  LabelledData d;
  d.x = npy_f32({3, 1}, {0, 1, 2});
  d.y = npy_f32({3}, {1, 3, 4});
  const EvalResult r = evaluate_model(model, d);
  EXPECT_EQ(r.task, Task::kRegression);
  EXPECT_NEAR(r.mse, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.mae, 1.0 / 3.0, 1e-12);
  // Forced classification of one output value: >= 0.5 is class 1. Outputs 1, 3, 5 -> all 1.
  d.y = npy_f32({3}, {1, 0, 1});
  const EvalResult c = evaluate_model(model, d, {.task = Task::kClassification});
  EXPECT_EQ(c.num_classes, 2);
  EXPECT_EQ(c.correct, 2);
}

TEST(Evaluate, Int8ModelQuantizesInputsWithItsScale) {
  // hello_world_int8: input q(s=0.0244801, zp=-128), output q(s=0.00829096, zp=5) (inspect).
  // The expected MSE comes from a loop written here: quantize, run, dequantize.
  const ModelBytes model = ModelBytes::load(test::shared_path("models/hello_world_int8.tflite"));
  std::vector<float> xs, ys;
  for (int i = 0; i < 50; ++i) {
    xs.push_back(static_cast<float>(i) * 0.125f);
    ys.push_back(std::sin(xs.back()));
  }
  Runner runner(model);
  const micro::TensorInfo in = runner.interpreter().input_info(0), out = runner.interpreter().output_info(0);
  double squared = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const long q = std::lround(xs[i] / in.quant.scale(0)) + in.quant.zero_point(0);
    const int8_t v = static_cast<int8_t>(std::clamp<long>(q, -128, 127));
    runner.set_input(0, &v, 1);
    runner.invoke();
    const int8_t o = static_cast<int8_t>(runner.output_bytes(0)[0]);
    const double y = out.quant.scale(0) * (o - out.quant.zero_point(0));
    squared += (y - ys[i]) * (y - ys[i]);
  }
  LabelledData d;
  d.x = npy_f32({50, 1}, xs);
  d.y = npy_f32({50, 1}, ys);
  const EvalResult r = evaluate_model(model, d);
  EXPECT_NEAR(r.mse, squared / 50, 1e-9);
  EXPECT_LT(r.mse, 0.01);  // it does model sin(x)
}

TEST(Evaluate, NonFiniteAndHugeInputsQuantizeToTheEdges) {
  // NaN is taken as 0 (the zero point, -128); +-1e30 saturate to 127 and -128.
  const ModelBytes model = ModelBytes::load(test::shared_path("models/hello_world_int8.tflite"));
  Runner runner(model);
  const micro::TensorInfo out = runner.interpreter().output_info(0);
  double squared = 0;
  for (int8_t q : {int8_t{-128}, int8_t{127}, int8_t{-128}}) {
    runner.set_input(0, &q, 1);
    runner.invoke();
    const double y = out.quant.scale(0) * (static_cast<int8_t>(runner.output_bytes(0)[0]) - out.quant.zero_point(0));
    squared += y * y;
  }
  LabelledData d;
  d.x = npy_f32({3, 1}, {std::nanf(""), 1e30f, -1e30f});
  d.y = npy_f32({3, 1}, {0, 0, 0});
  EXPECT_NEAR(evaluate_model(model, d).mse, squared / 3, 1e-12);
}

// Fashion-MNIST through a model whose weights are all zero and whose bias picks class k: its
// accuracy is the fraction of class k among the labels, counted here from the label file.
double fraction_of_class(int k, int64_t first_n) {
  const data::IdxArray labels = data::read_idx(data::fashion_mnist_dir() + "/t10k-labels-idx1-ubyte.gz");
  int64_t n = 0;
  for (int64_t i = 0; i < first_n; ++i) n += labels.data[static_cast<size_t>(i)] == k;
  return static_cast<double>(n) / static_cast<double>(first_n);
}

TEST(Evaluate, FashionMnistAccuracyOfAConstantClassifier) {
  std::vector<float> bias(10, 0.0f);
  bias[7] = 1.0f;
  const ModelBytes model(
      convert::write_tflite(test::dense_chain(784, {{10, std::vector<float>(7840, 0.0f), bias, "logits"}})));
  const LabelledData data = load_fashion_mnist_data("fashion-mnist:test");
  EXPECT_EQ(data.size(), 10000);
  const EvalResult r = evaluate_model(model, data);
  EXPECT_EQ(r.samples, 10000);
  EXPECT_DOUBLE_EQ(r.accuracy, fraction_of_class(7, 10000));
  // Every image is called class 7 (Sneaker); the first listed confusion is class 0's.
  ASSERT_EQ(r.class_names.size(), 10u);
  const auto count0 = static_cast<int64_t>(std::lround(fraction_of_class(0, 10000) * 10000));
  EXPECT_NE(eval_text(r).find("T-shirt/top->Sneaker x" + std::to_string(count0)), std::string::npos) << eval_text(r);
}

TEST(Evaluate, FashionMnistThroughAnInt8Model) {
  // int8 input with scale 1/255 and zero point -128 (a pixel p/255 becomes p - 128), zero int8
  // weights, int32 bias with scale 1/255 (255 -> 1.0) on class 3; output scale 1/64.
  convert::Graph g;
  convert::GraphTensor x;
  x.name = "pixels";
  x.type = micro::TensorType::kInt8;
  x.shape = {1, 784};
  x.quant.scales = {1.0f / 255};
  x.quant.zero_points = {-128};
  convert::GraphTensor w;
  w.name = "w";
  w.type = micro::TensorType::kInt8;
  w.shape = {10, 784};
  w.data.assign(7840, 0);
  w.quant.scales = {1.0f};
  w.quant.zero_points = {0};
  convert::GraphTensor b;
  b.name = "b";
  b.type = micro::TensorType::kInt32;
  b.shape = {10};
  std::vector<int32_t> bias(10, 0);
  bias[3] = 255;
  b.data.resize(40);
  std::memcpy(b.data.data(), bias.data(), 40);
  b.quant.scales = {1.0f / 255};
  b.quant.zero_points = {0};
  convert::GraphTensor y;
  y.name = "logits";
  y.type = micro::TensorType::kInt8;
  y.shape = {1, 10};
  y.quant.scales = {1.0f / 64};
  y.quant.zero_points = {-128};
  const int32_t xi = g.add_tensor(x), wi = g.add_tensor(w), bi = g.add_tensor(b), yi = g.add_tensor(y);
  convert::GraphOp fc;
  fc.builtin = micro::op::kFullyConnected;
  fc.inputs = {xi, wi, bi};
  fc.outputs = {yi};
  g.add_op(fc);
  g.inputs = {xi};
  g.outputs = {yi};
  const EvalResult r =
      evaluate_model(ModelBytes(convert::write_tflite(g)), load_fashion_mnist_data("fashion-mnist"), {.limit = 300});
  EXPECT_EQ(r.samples, 300);
  EXPECT_DOUBLE_EQ(r.accuracy, fraction_of_class(3, 300));
}

TEST(Evaluate, BadDataIsAClearError) {
  const ModelBytes model = three_class_model();
  auto message = [&](LabelledData d, EvalOptions o = {}) {
    try {
      evaluate_model(model, d, o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LabelledData d = four_samples(npy_f32({4}, {0, 1, 2, 1}));
  d.x = npy_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  d.y = npy_f32({2}, {0, 1});
  EXPECT_NE(message(d).find("each sample has 3 values"), std::string::npos) << message(d);
  d = four_samples(npy_f32({3}, {0, 1, 2}));
  EXPECT_NE(message(d).find("4 samples but 3 labels"), std::string::npos) << message(d);
  d = four_samples(npy_f32({4}, {0, 1, 5, 1}));
  EXPECT_NE(message(d).find("label of sample 2 is 5"), std::string::npos) << message(d);
  d = four_samples(npy_f32({4, 2}, {0, 1, 0, 1, 0, 1, 0, 1}));
  EXPECT_NE(message(d).find("labels have 2 value(s) per sample"), std::string::npos) << message(d);
  d = four_samples(npy_f32({4}, {0, 1, 2, 1}));
  EXPECT_NE(message(d, {.task = Task::kRegression}).find("regression needs the same number"), std::string::npos);
  EXPECT_THROW(evaluate_model(ModelBytes::load(test::shared_path("models/simple_add_model.tflite")), d), Error);
  EXPECT_THROW(load_fashion_mnist_data("mnist"), Error);
  EXPECT_THROW(parse_task("clustering"), Error);
}

}  // namespace
}  // namespace tinyforge::eval
