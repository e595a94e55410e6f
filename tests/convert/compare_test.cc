// compare_models: SQNR per layer on a case worked out by hand, tensor matching by name, by model
// output and by op order, agreement of two classifiers, and float vs int8 hello_world.
#include "tinyforge/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "support/tiny_models.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"

namespace tinyforge::eval {
namespace {

using test::npy_f32;

// h = [x, k x], y = h0 + h1: A has k = 2, B has k = 2.5.
ModelBytes two_layer(float k, const std::string& hidden, const std::string& out) {
  return ModelBytes(convert::write_tflite(test::dense_chain(1, {{2, {1, k}, {0, 0}, hidden}, {1, {1, 1}, {0}, out}})));
}

LabelledData two_samples() {
  LabelledData d;
  d.source = "hand";
  d.x = npy_f32({2, 1}, {1, 2});
  d.y = npy_f32({2}, {3, 6});
  return d;
}

TEST(Compare, SqnrPerLayerByHand) {
  // Hidden: A = (1,2), (2,4): signal 1+4+4+16 = 25; B - A = (0,0.5), (0,1): noise 1.25 -> 10 log10(20).
  // Output: A = 3, 6: signal 45; B - A = 0.5, 1: noise 1.25 -> 10 log10(36).
  const CompareResult r = compare_models(two_layer(2, "h", "y"), two_layer(2.5f, "h", "y"), two_samples());
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].name_a, "h");
  EXPECT_EQ(r.layers[0].matched_by, "name");
  EXPECT_DOUBLE_EQ(r.layers[0].signal_power, 25.0);
  EXPECT_DOUBLE_EQ(r.layers[0].noise_power, 1.25);
  EXPECT_NEAR(r.layers[0].sqnr_db, 13.0103, 1e-4);
  EXPECT_DOUBLE_EQ(r.layers[0].max_abs_error, 1.0);
  EXPECT_NEAR(r.layers[1].sqnr_db, 15.5630, 1e-4);
  EXPECT_TRUE(r.layers[0].worst);
  EXPECT_FALSE(r.layers[1].worst);
  EXPECT_EQ(r.a.task, Task::kRegression);
  EXPECT_DOUBLE_EQ(r.a.mse, 0.0);
  EXPECT_DOUBLE_EQ(r.b.mse, (0.25 + 1.0) / 2);
  EXPECT_TRUE(r.unmatched.empty());
}

TEST(Compare, TensorsWithOtherNamesAreMatchedByOutputAndOpOrder) {
  const CompareResult r = compare_models(two_layer(2, "h", "y"), two_layer(2.5f, "hidden", "score"), two_samples());
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].matched_by, "op order");
  EXPECT_EQ(r.layers[0].name_b, "hidden");
  EXPECT_NEAR(r.layers[0].sqnr_db, 13.0103, 1e-4);
  EXPECT_EQ(r.layers[1].matched_by, "model output");
  EXPECT_EQ(r.layers[1].name_b, "score");
}

TEST(Compare, OpOrderSkipsQuantizeAndDequantize) {
  // B quantizes its input to int8 (scale 0.5) and back before the same two layers, under other
  // names: B's first FULLY_CONNECTED (op 2) must be matched with A's op 0. Inputs 1 and 2.2 reach
  // B's layers as 1 and 2 (2.2 / 0.5 = 4.4 rounds to 4). Hidden: A (1,2), (2.2,4.4), B (1,2),
  // (2,4): signal 29.2, noise 0.2. Output: A 3, 6.6, B 3, 6: signal 52.56, noise 0.36. Both
  // 10 log10(146).
  convert::Graph g;
  convert::GraphTensor x, q, dq;
  x.name = "input";
  x.shape = q.shape = dq.shape = {1, 1};
  q.name = "input_int8";
  q.type = micro::TensorType::kInt8;
  q.quant.scales = {0.5f};
  q.quant.zero_points = {0};
  dq.name = "input_back";
  const int32_t xi = g.add_tensor(x), qi = g.add_tensor(q), dqi = g.add_tensor(dq);
  convert::GraphOp quantize, dequantize;
  quantize.builtin = micro::op::kQuantize;
  quantize.inputs = {xi};
  quantize.outputs = {qi};
  dequantize.builtin = micro::op::kDequantize;
  dequantize.inputs = {qi};
  dequantize.outputs = {dqi};
  g.add_op(quantize);
  g.add_op(dequantize);
  const int32_t h = test::add_dense(g, dqi, 1, 2, {1, 2}, {0, 0}, "b_hidden");
  g.inputs = {xi};
  g.outputs = {test::add_dense(g, h, 2, 1, {1, 1}, {0}, "b_out")};
  LabelledData d = two_samples();
  d.x = npy_f32({2, 1}, {1, 2.2f});
  const CompareResult r = compare_models(two_layer(2, "h", "y"), ModelBytes(convert::write_tflite(g)), d);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].matched_by, "op order");
  EXPECT_EQ(r.layers[0].name_b, "b_hidden");
  EXPECT_NEAR(r.layers[0].signal_power, 29.2, 1e-5);
  EXPECT_NEAR(r.layers[0].noise_power, 0.2, 1e-5);
  EXPECT_NEAR(r.layers[0].sqnr_db, 10 * std::log10(146.0), 1e-4);
  EXPECT_EQ(r.layers[1].matched_by, "model output");
  EXPECT_NEAR(r.layers[1].sqnr_db, 10 * std::log10(146.0), 1e-4);
}

TEST(Compare, AgreementOfTwoClassifiers) {
  // A: logits [x0, x1, -x0-x1]; B: [x0, x1, (x0+x1)/2]. Samples (1,0), (0,1), (-1,-1), (2,1):
  // A predicts 0, 1, 2, 0; B predicts 0, 1, 0 (three equal logits: the first), 0.
  const ModelBytes a(convert::write_tflite(test::dense_chain(2, {{3, {1, 0, 0, 1, -1, -1}, {0, 0, 0}, "l"}})));
  const ModelBytes b(convert::write_tflite(test::dense_chain(2, {{3, {1, 0, 0, 1, 0.5f, 0.5f}, {0, 0, 0}, "l"}})));
  LabelledData d;
  d.x = npy_f32({4, 2}, {1, 0, 0, 1, -1, -1, 2, 1});
  d.y = npy_f32({4}, {0, 1, 2, 1});
  const CompareResult r = compare_models(a, b, d);
  EXPECT_EQ(r.a.task, Task::kClassification);
  EXPECT_DOUBLE_EQ(r.a.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(r.b.accuracy, 0.5);
  EXPECT_EQ(r.agreeing, 3);
  EXPECT_DOUBLE_EQ(r.agreement, 0.75);
  const nlohmann::json j = compare_json(r);
  EXPECT_DOUBLE_EQ(j["agreement"].get<double>(), 0.75);
}

TEST(Compare, AModelAgainstItselfIsExact) {
  const ModelBytes m = ModelBytes::load(test::shared_path("models/hello_world_int8.tflite"));
  const CompareResult r = compare_models(m, m, two_samples());
  ASSERT_EQ(r.layers.size(), 3u);
  for (const LayerError& e : r.layers) {
    EXPECT_TRUE(std::isinf(e.sqnr_db) && e.sqnr_db > 0) << e.name_a;
    EXPECT_EQ(e.noise_power, 0.0);
  }
  EXPECT_EQ(compare_json(r)["layers"][0]["sqnr_db"], "inf");
}

TEST(Compare, HelloWorldFloatAgainstInt8) {
  // The output SQNR is recomputed here from a loop over the two runners with the int8 model's
  // scales (input s=0.0244801 zp=-128, output s=0.00829096 zp=5).
  const ModelBytes f = ModelBytes::load(test::shared_path("models/hello_world_float.tflite"));
  const ModelBytes q = ModelBytes::load(test::shared_path("models/hello_world_int8.tflite"));
  std::vector<float> xs, ys;
  for (int i = 0; i < 100; ++i) {
    xs.push_back(static_cast<float>(i) * 6.2831853f / 99);
    ys.push_back(std::sin(xs.back()));
  }
  Runner rf(f), rq(q);
  const micro::TensorInfo in = rq.interpreter().input_info(0), out = rq.interpreter().output_info(0);
  double signal = 0, noise = 0;
  for (float x : xs) {
    rf.set_input(0, &x, 4);
    rf.invoke();
    float a;
    std::memcpy(&a, rf.output_bytes(0).data(), 4);
    const int8_t xq =
        static_cast<int8_t>(std::clamp<long>(std::lround(x / in.quant.scale(0)) + in.quant.zero_point(0), -128, 127));
    rq.set_input(0, &xq, 1);
    rq.invoke();
    const double b = out.quant.scale(0) * (static_cast<int8_t>(rq.output_bytes(0)[0]) - out.quant.zero_point(0));
    signal += static_cast<double>(a) * a;
    noise += (b - a) * (b - a);
  }
  LabelledData d;
  d.x = npy_f32({100, 1}, xs);
  d.y = npy_f32({100, 1}, ys);
  const CompareResult r = compare_models(f, q, d);
  ASSERT_EQ(r.layers.size(), 3u);  // the three FULLY_CONNECTED outputs, matched by name
  for (const LayerError& e : r.layers) EXPECT_EQ(e.matched_by, "name");
  const LayerError& output = r.layers[2];
  EXPECT_NEAR(output.signal_power, signal, 1e-9 * signal);
  EXPECT_NEAR(output.noise_power, noise, 1e-9 * noise);
  // What we find: the output is well above 20 dB (about 26), but the hidden layers are near
  // 0 dB: the two files come from separate training runs (their first-layer weights differ),
  // so only the output is comparable.
  EXPECT_GT(output.sqnr_db, 20.0);
  EXPECT_LT(r.layers[0].sqnr_db, 10.0);
}

TEST(Compare, ModelsWithDifferentOutputsAreRefused) {
  const ModelBytes a(convert::write_tflite(test::dense_chain(1, {{2, {1, 1}, {0, 0}, "y"}})));
  const ModelBytes b(convert::write_tflite(test::dense_chain(1, {{1, {1}, {0}, "y"}})));
  LabelledData d = two_samples();
  d.y = npy_f32({2}, {0, 1});
  EXPECT_THROW(compare_models(a, b, d), Error);
}

}  // namespace
}  // namespace tinyforge::eval
