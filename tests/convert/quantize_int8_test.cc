// Full-integer quantization of real float models against Google's converter output and against
// the float model run through the same micro runtime.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "convert/quantize_test_util.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {
namespace {

namespace op = micro::op;
using testing::FloatIo;
using testing::shared_graph;

QuantizeOptions int8_options(TensorType io) {
  QuantizeOptions o;
  o.mode = QuantMode::kInt8;
  o.io_type = io;
  return o;
}

const GraphTensor& in_tensor(const Graph& g, const GraphOp& o, size_t i) {
  return g.tensors[static_cast<size_t>(o.inputs[i])];
}
const GraphTensor& out_tensor(const Graph& g, const GraphOp& o) {
  return g.tensors[static_cast<size_t>(o.outputs[0])];
}

// Google's hello_world_int8.tflite is the same sine network (1 -> 16 -> 16 -> 1, ReLU) converted
// with int8 inputs and outputs, though from another training run (its weights differ from
// hello_world_float's), so structure and the calibration-dependent input scale are compared.
TEST(QuantInt8, HelloWorldMatchesGooglesConverterStructure) {
  const Graph f = shared_graph("hello_world_float");
  const Graph google = shared_graph("hello_world_int8");
  const RepresentativeData data = testing::sine_inputs(500, 7);
  const QuantizeResult r = quantize(f, int8_options(TensorType::kInt8), &data);
  const Graph& g = r.graph;
  ASSERT_EQ(g.ops.size(), google.ops.size());
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const GraphOp &a = g.ops[k], &b = google.ops[k];
    SCOPED_TRACE("op " + std::to_string(k));
    EXPECT_EQ(a.builtin, b.builtin);
    EXPECT_EQ(a.version, b.version);  // FULLY_CONNECTED int8: 4
    EXPECT_EQ(a.options.activation, b.options.activation);
    ASSERT_EQ(a.inputs.size(), b.inputs.size());
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      const GraphTensor &ta = in_tensor(g, a, i), &tb = in_tensor(google, b, i);
      SCOPED_TRACE("input " + std::to_string(i) + " " + ta.name);
      EXPECT_EQ(ta.name, tb.name);
      EXPECT_EQ(ta.type, tb.type);
      EXPECT_EQ(ta.shape, tb.shape);
      ASSERT_EQ(ta.quant.scales.size(), tb.quant.scales.size());
      if (i > 0) EXPECT_EQ(ta.quant.zero_points, tb.quant.zero_points);  // symmetric weights, bias: 0
    }
    const GraphTensor &oa = out_tensor(g, a), &ob = out_tensor(google, b);
    EXPECT_EQ(oa.name, ob.name);
    EXPECT_EQ(oa.type, ob.type);
    ASSERT_EQ(oa.quant.scales.size(), 1u);
    // ReLU outputs start at 0: zero point -128 in both.
    if (a.options.activation == micro::Activation::kRelu) EXPECT_EQ(oa.quant.zero_points.at(0), -128);
    if (b.options.activation == micro::Activation::kRelu) EXPECT_EQ(ob.quant.zero_points.at(0), -128);
    // Bias: int32 with scale input_scale * weight_scale (Google's file follows the same rule).
    for (const Graph* x : {&g, &google}) {
      const GraphOp& o = x->ops[k];
      EXPECT_NEAR(in_tensor(*x, o, 2).quant.scales.at(0),
                  in_tensor(*x, o, 0).quant.scales.at(0) * in_tensor(*x, o, 1).quant.scales.at(0),
                  in_tensor(*x, o, 2).quant.scales.at(0) * 1e-6);
    }
    // Weights: symmetric, the largest magnitude at +-127.
    const GraphTensor& w = in_tensor(g, a, 1);
    int max_abs = 0;
    for (uint8_t v : w.data) max_abs = std::max(max_abs, std::abs(static_cast<int>(static_cast<int8_t>(v))));
    EXPECT_EQ(max_abs, 127);
  }
  // TF's metadata: min_runtime_version for FULLY_CONNECTED v4 is 1.14.0, byte for byte Google's.
  EXPECT_EQ(g.metadata.at("min_runtime_version"), google.metadata.at("min_runtime_version"));
  EXPECT_EQ(g.metadata.count("CONVERSION_METADATA"), 0u);
  // The calibration range matches Google's (x in [0, 2 pi]): zero point -128 for both and scales
  // within 1%: ours 2 pi / 255 = 0.02464 at most, Google's 0.02448.
  const GraphTensor& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  const GraphTensor& gin = google.tensors[static_cast<size_t>(google.inputs[0])];
  EXPECT_EQ(in.quant.zero_points.at(0), gin.quant.zero_points.at(0));
  EXPECT_LE(in.quant.scales.at(0), 6.2831853f / 255.0f);
  EXPECT_NEAR(in.quant.scales.at(0), gin.quant.scales.at(0), 0.01 * gin.quant.scales.at(0));
}

double row_norm(const GraphTensor& w) {  // max over rows of sum |w|: the infinity-norm gain
  const size_t cols = static_cast<size_t>(w.shape[1]);
  std::vector<float> v(w.data.size() / 4);
  std::memcpy(v.data(), w.data.data(), w.data.size());
  double best = 0;
  for (size_t r = 0; r < v.size() / cols; ++r) {
    double s = 0;
    for (size_t c = 0; c < cols; ++c) s += std::fabs(v[r * cols + c]);
    best = std::max(best, s);
  }
  return best;
}

TEST(QuantInt8, HelloWorldTracksFloatWithinOutputSteps) {
  const Graph f = shared_graph("hello_world_float");
  const RepresentativeData calib = testing::sine_inputs(500, 7);
  const Graph q = quantize(f, int8_options(TensorType::kInt8), &calib).graph;
  const float out_scale = q.tensors[static_cast<size_t>(q.outputs[0])].quant.scales.at(0);
  FloatIo fr(f), qr(q), google(shared_graph("hello_world_int8"));
  const RepresentativeData test = testing::sine_inputs(300, 99);
  double worst = 0, worst_google = 0, sum = 0;
  for (const Sample& s : test) {
    const float y = fr.run(s)[0];
    const double e = std::fabs(qr.run(s)[0] - y);
    worst = std::max(worst, e);
    sum += e;
    worst_google = std::max(worst_google, static_cast<double>(std::fabs(google.run(s)[0] - y)));
  }
  std::printf("hello_world int8 vs float: max |error| %.4f (%.2f output steps), mean %.4f; Google's int8: %.4f\n",
              worst, worst / out_scale, sum / test.size(), worst_google);
  // Worst-case bound: every rounding (input, weights, each layer's output) is at most half a step,
  // and an error entering layer l reaches the output amplified at most by the infinity-norm
  // gains of the later layers (ReLU does not amplify). 5% covers second-order terms.
  const double n1 = row_norm(f.tensors[static_cast<size_t>(f.ops[0].inputs[1])]);
  const double n2 = row_norm(f.tensors[static_cast<size_t>(f.ops[1].inputs[1])]);
  const double n3 = row_norm(f.tensors[static_cast<size_t>(f.ops[2].inputs[1])]);
  auto scale = [&](int32_t t) { return static_cast<double>(q.tensors[static_cast<size_t>(t)].quant.scales.at(0)); };
  auto top = [&](int32_t t) {  // largest value an activation tensor represents
    const QuantParams& p = q.tensors[static_cast<size_t>(t)].quant;
    return p.scales.at(0) * (127.0 - static_cast<double>(p.zero_points.at(0)));
  };
  const GraphOp &l1 = q.ops[0], &l2 = q.ops[1], &l3 = q.ops[2];
  const double bound = 1.05 * (0.5 * scale(l1.inputs[0]) * n1 * n2 * n3 +
                               (0.5 * scale(l1.inputs[1]) * 1 * 6.2832 + 0.5 * scale(l1.outputs[0])) * n2 * n3 +
                               (0.5 * scale(l2.inputs[1]) * 16 * top(l2.inputs[0]) + 0.5 * scale(l2.outputs[0])) * n3 +
                               0.5 * scale(l3.inputs[1]) * 16 * top(l3.inputs[0]) + 0.5 * out_scale);
  std::printf("worst-case bound %.4f (%.1f output steps)\n", bound, bound / out_scale);
  EXPECT_LE(worst, bound);
  // That bound is loose (products of norms). Typical errors are rounding noise of a few steps:
  // input rounding alone is worth up to 1.5 output steps (half an input step of 0.0246 through
  // a slope of at most 1, over a step of ~0.008), and each 16-wide hidden layer adds noise of a
  // similar size. Require the mean within 2 steps and the worst within 8 (3% of the output span).
  EXPECT_LE(sum / test.size(), 2.0 * out_scale);
  EXPECT_LE(worst, 8.0 * out_scale);
}

TEST(QuantInt8, FloatAndUint8BoundariesAddQuantizeOps) {
  const Graph f = shared_graph("hello_world_float");
  const RepresentativeData data = testing::sine_inputs(200, 3);
  const Graph g = quantize(f, int8_options(TensorType::kFloat32), &data).graph;
  ASSERT_EQ(g.ops.size(), 5u);
  EXPECT_EQ(g.ops.front().builtin, op::kQuantize);
  EXPECT_EQ(g.ops.front().version, 1);
  EXPECT_EQ(g.ops.back().builtin, op::kDequantize);
  EXPECT_EQ(g.ops.back().version, 2);  // int8 input
  const GraphTensor& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  EXPECT_EQ(in.type, TensorType::kFloat32);
  EXPECT_EQ(in.name, "serving_default_dense_input:0");  // the model's edge keeps its name
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.outputs[0])].type, TensorType::kFloat32);

  const Graph u = quantize(f, int8_options(TensorType::kUInt8), &data).graph;
  const GraphTensor& uin = u.tensors[static_cast<size_t>(u.inputs[0])];
  const GraphTensor& inner = u.tensors[static_cast<size_t>(u.ops[0].outputs[0])];
  EXPECT_EQ(uin.type, TensorType::kUInt8);
  EXPECT_EQ(u.ops.front().builtin, op::kQuantize);
  EXPECT_EQ(u.ops.back().builtin, op::kQuantize);
  EXPECT_EQ(uin.quant.scales, inner.quant.scales);
  EXPECT_EQ(uin.quant.zero_points.at(0), inner.quant.zero_points.at(0) + 128);
  // All three run and agree with each other within an output step.
  FloatIo a(g), b(u), c(quantize(f, int8_options(TensorType::kInt8), &data).graph);
  const float step = g.tensors[static_cast<size_t>(g.ops.back().inputs[0])].quant.scales.at(0);
  for (const Sample& s : testing::sine_inputs(50, 11)) {
    EXPECT_NEAR(a.run(s)[0], c.run(s)[0], step * 1.01);
    EXPECT_NEAR(b.run(s)[0], c.run(s)[0], step * 1.01);
  }
}

TEST(QuantInt8, MagicWandStructureAndArgmaxAgreement) {
  const Graph f = shared_graph("magic_wand");
  const RepresentativeData calib = testing::gesture_inputs(200, 1);
  const Graph g = quantize(f, int8_options(TensorType::kFloat32), &calib).graph;
  // QUANTIZE, DW, MAX_POOL, CONV, MAX_POOL, FC, FC, SOFTMAX, DEQUANTIZE with TF's versions.
  const std::vector<std::pair<int32_t, int32_t>> want = {
      {op::kQuantize, 1},       {op::kDepthwiseConv2D, 3}, {op::kMaxPool2D, 2},
      {op::kConv2D, 3},         {op::kMaxPool2D, 2},       {op::kFullyConnected, 4},
      {op::kFullyConnected, 4}, {op::kSoftmax, 2},         {op::kDequantize, 2}};
  ASSERT_EQ(g.ops.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(g.ops[k].builtin, want[k].first) << k;
    EXPECT_EQ(g.ops[k].version, want[k].second) << k;
  }
  const GraphOp &dw = g.ops[1], &pool = g.ops[2], &conv = g.ops[3], &fc = g.ops[5], &softmax = g.ops[7];
  // Depthwise: 8 scales along axis 3; conv: 16 along axis 0; biases per channel.
  EXPECT_EQ(in_tensor(g, dw, 1).quant.scales.size(), 8u);
  EXPECT_EQ(in_tensor(g, dw, 1).quant.axis, 3);
  EXPECT_EQ(in_tensor(g, dw, 2).quant.scales.size(), 8u);
  EXPECT_EQ(in_tensor(g, conv, 1).quant.scales.size(), 16u);
  EXPECT_EQ(in_tensor(g, conv, 1).quant.axis, 0);
  EXPECT_EQ(in_tensor(g, conv, 2).type, TensorType::kInt32);
  for (size_t c = 0; c < 16; ++c) {
    EXPECT_FLOAT_EQ(in_tensor(g, conv, 2).quant.scales[c],
                    in_tensor(g, conv, 0).quant.scales.at(0) * in_tensor(g, conv, 1).quant.scales[c]);
  }
  EXPECT_EQ(in_tensor(g, fc, 1).quant.scales.size(), 1u);  // per-tensor FULLY_CONNECTED
  // MAX_POOL_2D passes values through: same parameters in and out.
  EXPECT_EQ(in_tensor(g, pool, 0).quant.scales, out_tensor(g, pool).quant.scales);
  EXPECT_EQ(in_tensor(g, pool, 0).quant.zero_points, out_tensor(g, pool).quant.zero_points);
  EXPECT_EQ(out_tensor(g, softmax).quant.scales.at(0), 1.0f / 256.0f);
  EXPECT_EQ(out_tensor(g, softmax).quant.zero_points.at(0), -128);

  FloatIo fr(f), qr(g);
  const RepresentativeData test = testing::gesture_inputs(400, 2);
  int agree = 0;
  double worst = 0;
  for (const Sample& s : test) {
    const std::vector<float> a = fr.run(s), b = qr.run(s);
    agree += testing::argmax(a) == testing::argmax(b);
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
  }
  const double rate = static_cast<double>(agree) / static_cast<double>(test.size());
  std::printf("magic_wand int8 vs float: argmax agreement %d/%zu (%.1f%%), max |probability error| %.4f\n", agree,
              test.size(), 100.0 * rate, worst);
  RecordProperty("argmax_agreement", std::to_string(rate));
  EXPECT_GE(rate, 0.95);
}

// MNIST-like images in [0, 1]: random strokes on a black background (one pixel at 1 in each).
RepresentativeData digit_inputs(int count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pos(2, 25);
  std::uniform_real_distribution<float> ink(0.3f, 1.0f);
  RepresentativeData d;
  for (int s = 0; s < count; ++s) {
    std::vector<float> img(28 * 28, 0.0f);
    for (int stroke = 0; stroke < 4; ++stroke) {
      int r = pos(rng), c = pos(rng);
      const int dr = pos(rng) % 3 - 1, dc = pos(rng) % 3 - 1;
      for (int k = 0; k < 10 && r >= 0 && r < 28 && c >= 0 && c < 28; ++k, r += dr, c += dc) {
        img[static_cast<size_t>(r * 28 + c)] = ink(rng);
      }
    }
    img[static_cast<size_t>(pos(rng) * 28 + pos(rng))] = 1.0f;
    d.push_back({img});
  }
  return d;
}

// trained_lstm.tflite and Google's trained_lstm_int8.tflite come from the same Keras model: the
// weights, their scales, and (with the same input scale, 1/255) the biases must match exactly.
TEST(QuantInt8, LstmMatchesGooglesLayout) {
  const Graph f = shared_graph("trained_lstm");
  const Graph google = shared_graph("trained_lstm_int8");
  const RepresentativeData calib = digit_inputs(100, 21);
  const Graph g = quantize(f, int8_options(TensorType::kInt8), &calib).graph;
  ASSERT_EQ(g.ops.size(), google.ops.size());
  for (size_t k = 0; k < g.ops.size(); ++k) {
    SCOPED_TRACE("op " + std::to_string(k));
    const GraphOp &a = g.ops[k], &b = google.ops[k];
    EXPECT_EQ(a.builtin, b.builtin);
    EXPECT_EQ(a.version, b.version);
    ASSERT_EQ(a.inputs.size(), b.inputs.size());
    for (size_t i = 0; i < a.inputs.size(); ++i) {
      ASSERT_EQ(a.inputs[i] < 0, b.inputs[i] < 0) << i;
      if (a.inputs[i] < 0) continue;
      const GraphTensor &ta = in_tensor(g, a, i), &tb = in_tensor(google, b, i);
      SCOPED_TRACE("input " + std::to_string(i) + " " + tb.name);
      EXPECT_EQ(ta.type, tb.type);
      EXPECT_EQ(ta.shape, tb.shape);
      EXPECT_EQ(ta.is_variable, tb.is_variable);
      ASSERT_EQ(ta.quant.scales.size(), tb.quant.scales.size());
      // The FULLY_CONNECTED bias scales with the LSTM output's calibrated scale; every other
      // constant depends only on the weights and the input scale.
      const bool calibrated_bias = a.builtin == micro::op::kFullyConnected && i == 2;
      if (tb.is_constant() && !calibrated_bias) {
        EXPECT_EQ(ta.data, tb.data);  // weights, gate biases (and RESHAPE's shape) bit for bit
        if (tb.quant.quantized())
          EXPECT_NEAR(ta.quant.scales.at(0), tb.quant.scales.at(0), tb.quant.scales.at(0) * 1e-6);
      }
    }
    ASSERT_EQ(a.intermediates.size(), b.intermediates.size());
    for (size_t i = 0; i < a.intermediates.size(); ++i) {
      const GraphTensor& ta = g.tensors[static_cast<size_t>(a.intermediates[i])];
      const GraphTensor& tb = google.tensors[static_cast<size_t>(b.intermediates[i])];
      EXPECT_EQ(ta.name, tb.name);
      EXPECT_EQ(ta.type, tb.type);
      EXPECT_EQ(ta.shape, tb.shape);
    }
  }
  EXPECT_EQ(g.metadata.at("min_runtime_version"), google.metadata.at("min_runtime_version"));  // 1.14.0
  const GraphOp& lstm = g.ops[0];
  const GraphTensor& out = out_tensor(g, lstm);
  // Hidden state and the effective hidden scale carry the output's parameters.
  EXPECT_EQ(in_tensor(g, lstm, 18).quant.scales, out.quant.scales);
  EXPECT_EQ(in_tensor(g, lstm, 18).quant.zero_points, out.quant.zero_points);
  EXPECT_EQ(g.tensors[static_cast<size_t>(lstm.intermediates[4])].quant.scales, out.quant.scales);
  // The cell state's scale is a power of two (Google's: 2^-12).
  const float cell_scale = in_tensor(g, lstm, 19).quant.scales.at(0);
  int exponent;
  EXPECT_EQ(std::frexp(cell_scale, &exponent), 0.5f);
  std::printf(
      "trained_lstm int8: cell state scale 2^%d (Google's 2^-12), output scale %.6f zp %lld (Google's "
      "0.007817 zp 0)\n",
      exponent - 1, out.quant.scales.at(0), static_cast<long long>(out.quant.zero_points.at(0)));
  EXPECT_EQ(in_tensor(g, lstm, 0).quant.scales.at(0), 1.0f / 255.0f);

  // Accuracy: argmax agreement with the float model, next to Google's int8 model's.
  FloatIo fr(f), qr(g), gr(google);
  const RepresentativeData test = digit_inputs(200, 22);
  int ours = 0, theirs = 0;
  for (const Sample& s : test) {
    const size_t want = testing::argmax(fr.run(s));
    ours += testing::argmax(qr.run(s)) == want;
    theirs += testing::argmax(gr.run(s)) == want;
  }
  std::printf("trained_lstm argmax agreement with float: ours %d/200, Google's int8 %d/200\n", ours, theirs);
  EXPECT_GE(ours, 180);
  EXPECT_GE(ours, theirs - 10);
}

TEST(QuantInt16x8, LstmRunsWithInt16State) {
  const Graph f = shared_graph("trained_lstm");
  const RepresentativeData calib = digit_inputs(100, 21);
  QuantizeOptions o = int8_options(TensorType::kFloat32);
  o.mode = QuantMode::kInt16x8;
  const Graph g = quantize(f, o, &calib).graph;
  const GraphOp& lstm = g.ops[1];  // after the input QUANTIZE
  ASSERT_EQ(lstm.builtin, micro::op::kUnidirectionalSequenceLstm);
  EXPECT_EQ(lstm.version, 5);  // int16 activations, int8 weights
  EXPECT_EQ(in_tensor(g, lstm, 0).type, TensorType::kInt16);
  EXPECT_EQ(in_tensor(g, lstm, 2).type, TensorType::kInt8);
  EXPECT_EQ(in_tensor(g, lstm, 12).type, TensorType::kInt64);
  EXPECT_EQ(in_tensor(g, lstm, 18).type, TensorType::kInt16);
  EXPECT_EQ(in_tensor(g, lstm, 18).quant.zero_points.at(0), 0);
  EXPECT_EQ(in_tensor(g, lstm, 19).type, TensorType::kInt16);
  FloatIo fr(f), qr(g);
  const RepresentativeData test = digit_inputs(100, 22);
  int agree = 0;
  for (const Sample& s : test) agree += testing::argmax(fr.run(s)) == testing::argmax(qr.run(s));
  std::printf("trained_lstm int16x8 argmax agreement with float: %d/100\n", agree);
  EXPECT_GE(agree, 95);
}

TEST(QuantInt8, PerChannelFullyConnectedOption) {
  const Graph f = shared_graph("hello_world_float");
  const RepresentativeData data = testing::sine_inputs(100, 5);
  QuantizeOptions o = int8_options(TensorType::kInt8);
  o.per_channel_fc = true;
  const Graph g = quantize(f, o, &data).graph;
  const GraphTensor& w = in_tensor(g, g.ops[1], 1);
  EXPECT_EQ(w.quant.scales.size(), 16u);
  EXPECT_EQ(in_tensor(g, g.ops[1], 2).quant.scales.size(), 16u);
  EXPECT_EQ(g.ops[1].version, 4);
  FloatIo(g).run({{1.0f}});  // the micro runtime runs per-channel FULLY_CONNECTED
}

TEST(QuantInt8, SameInputsGiveIdenticalBytes) {
  const Graph f = shared_graph("magic_wand");
  const RepresentativeData data = testing::gesture_inputs(50, 4);
  QuantizeOptions o = int8_options(TensorType::kFloat32);
  o.calibration.observer = Observer::kPercentile;
  o.bias_correction = true;
  EXPECT_EQ(write_tflite(quantize(f, o, &data).graph), write_tflite(quantize(f, o, &data).graph));
}

TEST(QuantInt8, Errors) {
  const Graph f = shared_graph("hello_world_float");
  const RepresentativeData data = testing::sine_inputs(10, 5);
  EXPECT_THROW(quantize(f, int8_options(TensorType::kInt8), nullptr), Error);
  EXPECT_THROW(quantize(f, int8_options(TensorType::kInt16), &data), Error);
  try {
    quantize(shared_graph("hello_world_int8"), int8_options(TensorType::kInt8), &data);
    FAIL() << "quantized an int8 model again";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already quantized"), std::string::npos) << e.what();
  }
  // A sample of the wrong size names the input.
  RepresentativeData bad = {{{1.0f, 2.0f}}};
  EXPECT_THROW(quantize(f, int8_options(TensorType::kInt8), &bad), Error);
}

}  // namespace
}  // namespace tinyforge::convert
