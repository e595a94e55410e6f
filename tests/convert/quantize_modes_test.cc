// float16, dynamic-range and int16x8 quantization of the shared float models, bias correction on
// a hand-sized graph, and the representative .npy reader.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "convert/quantize/tensor_data.h"
#include "convert/quantize_test_util.h"
#include "tinyforge/error.h"
#include "tinyforge/npy.h"

namespace tinyforge::convert {
namespace {

namespace op = micro::op;
using testing::FloatIo;
using testing::shared_graph;

QuantizeOptions mode(QuantMode m) {
  QuantizeOptions o;
  o.mode = m;
  return o;
}

TEST(QuantFloat16, HelloWorldStructureAndRun) {
  const Graph f = shared_graph("hello_world_float");
  const QuantizeResult r = quantize(f, mode(QuantMode::kFloat16));
  const Graph& g = r.graph;
  // Six float32 constants (3 weights, 3 biases) -> six FLOAT16 constants, each read by a
  // DEQUANTIZE (version 3 for float16) placed before the ops, which keep version 1.
  ASSERT_EQ(g.ops.size(), 9u);
  int fp16 = 0;
  for (const GraphTensor& t : g.tensors) {
    if (t.type == TensorType::kFloat16) {
      ++fp16;
      EXPECT_TRUE(t.is_constant());
    }
    if (t.type == TensorType::kFloat32) EXPECT_FALSE(t.is_constant()) << t.name;
  }
  EXPECT_EQ(fp16, 6);
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(g.ops[k].builtin, op::kDequantize);
    EXPECT_EQ(g.ops[k].version, 3);
    const GraphTensor& in = g.tensors[static_cast<size_t>(g.ops[k].inputs[0])];
    const GraphTensor& out = g.tensors[static_cast<size_t>(g.ops[k].outputs[0])];
    EXPECT_EQ(in.type, TensorType::kFloat16);
    EXPECT_EQ(out.type, TensorType::kFloat32);
    EXPECT_EQ(in.shape, out.shape);
  }
  for (size_t k = 6; k < 9; ++k) {
    EXPECT_EQ(g.ops[k].builtin, op::kFullyConnected);
    EXPECT_EQ(g.ops[k].version, 1);
  }
  EXPECT_TRUE(r.warnings.empty());
  // DEQUANTIZE version 3 first appeared in TF Lite 1.15.0 (FULLY_CONNECTED v1: 1.5.0).
  const std::vector<uint8_t>& v = g.metadata.at("min_runtime_version");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.data())), "1.15.0");
  // Half the weight bytes: 6 constants of 145 floats -> 290 bytes instead of 580.
  size_t bytes = 0;
  for (const GraphTensor& t : g.tensors) bytes += t.data.size();
  EXPECT_EQ(bytes, (16 + 256 + 16 + 16 + 16 + 1) * 2u);

  // Runs in the micro runtime and matches float within float16 rounding: each weight moves by at
  // most 2^-11 of itself, so the output moves by at most ~2^-11 x (sum of |terms|) per layer;
  // 1e-3 absolute covers that for outputs of magnitude ~1 through three layers.
  FloatIo fr(f), hr(g);
  double worst = 0;
  for (const Sample& s : testing::sine_inputs(100, 5)) {
    worst = std::max(worst, static_cast<double>(std::fabs(fr.run(s)[0] - hr.run(s)[0])));
  }
  std::printf("hello_world float16 vs float32: max |error| %.2e\n", worst);
  EXPECT_LT(worst, 1e-3);
}

TEST(QuantFloat16, MagicWandRuns) {
  const Graph f = shared_graph("magic_wand");
  const Graph g = quantize(f, mode(QuantMode::kFloat16)).graph;
  FloatIo fr(f), hr(g);
  for (const Sample& s : testing::gesture_inputs(20, 8)) {
    const std::vector<float> a = fr.run(s), b = hr.run(s);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 2e-3);
  }
}

TEST(QuantFloat16, LstmRuns) {
  const Graph f = shared_graph("trained_lstm");
  const Graph g = quantize(f, mode(QuantMode::kFloat16)).graph;
  FloatIo fr(f), hr(g);
  Sample s{std::vector<float>(28 * 28)};
  for (size_t i = 0; i < s[0].size(); ++i) s[0][i] = static_cast<float>((i * 37) % 100) / 100.0f;
  const std::vector<float> a = fr.run(s), b = hr.run(s);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 2e-3);
}

TEST(QuantDynamicRange, MagicWandHybridOps) {
  const Graph f = shared_graph("magic_wand");
  QuantizeResult r = quantize(f, mode(QuantMode::kDynamicRange));
  // TF's default: only weights of 1024+ elements, here the 16 x 224 FULLY_CONNECTED.
  const GraphOp& fc = r.graph.ops[4];
  ASSERT_EQ(fc.builtin, op::kFullyConnected);
  const GraphTensor& w = r.graph.tensors[static_cast<size_t>(fc.inputs[1])];
  EXPECT_EQ(w.type, TensorType::kInt8);
  EXPECT_EQ(w.quant.scales.size(), 1u);
  EXPECT_EQ(w.quant.zero_points.at(0), 0);
  EXPECT_TRUE(fc.options.asymmetric_quantize_inputs);
  EXPECT_EQ(fc.version, 9);  // hybrid with asymmetric inputs
  EXPECT_EQ(r.graph.tensors[static_cast<size_t>(fc.inputs[2])].type, TensorType::kFloat32);
  EXPECT_EQ(r.graph.tensors[static_cast<size_t>(fc.inputs[0])].type, TensorType::kFloat32);
  EXPECT_EQ(r.graph.ops[3].version, 1);  // CONV_2D's 512 weights stay float
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("hybrid"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("TensorFlow Lite Micro"), std::string::npos);
  // The warning is true: the micro runtime refuses the hybrid op, naming it.
  try {
    Runner run(ModelBytes(write_tflite(r.graph)));
    FAIL() << "the micro runtime accepted a hybrid op";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hybrid"), std::string::npos) << e.what();
  }

  // Every weighted op quantized: per-channel convolutions (CONV_2D axis 0, version 5;
  // DEPTHWISE_CONV_2D axis 3, version 6).
  QuantizeOptions all = mode(QuantMode::kDynamicRange);
  all.dynamic_min_elements = 1;
  r = quantize(f, all);
  const GraphOp &dw = r.graph.ops[0], &conv = r.graph.ops[2];
  const GraphTensor& dww = r.graph.tensors[static_cast<size_t>(dw.inputs[1])];
  const GraphTensor& cw = r.graph.tensors[static_cast<size_t>(conv.inputs[1])];
  EXPECT_EQ(dww.quant.scales.size(), 8u);
  EXPECT_EQ(dww.quant.axis, 3);
  EXPECT_EQ(dw.version, 6);
  EXPECT_EQ(cw.quant.scales.size(), 16u);
  EXPECT_EQ(cw.quant.axis, 0);
  EXPECT_EQ(conv.version, 5);
}

TEST(QuantDynamicRange, SmallModelIsLeftFloatWithAWarning) {
  const QuantizeResult r = quantize(shared_graph("hello_world_float"), mode(QuantMode::kDynamicRange));
  for (const GraphTensor& t : r.graph.tensors) EXPECT_EQ(t.type, TensorType::kFloat32);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("unchanged"), std::string::npos);
}

TEST(QuantInt16x8, HelloWorldStructureAndAccuracy) {
  const Graph f = shared_graph("hello_world_float");
  const RepresentativeData data = testing::sine_inputs(300, 7);
  QuantizeOptions o = mode(QuantMode::kInt16x8);
  o.io_type = TensorType::kInt16;
  const Graph g = quantize(f, o, &data).graph;
  ASSERT_EQ(g.ops.size(), 3u);
  for (const GraphOp& k : g.ops) {
    const GraphTensor& in = g.tensors[static_cast<size_t>(k.inputs[0])];
    const GraphTensor& w = g.tensors[static_cast<size_t>(k.inputs[1])];
    const GraphTensor& b = g.tensors[static_cast<size_t>(k.inputs[2])];
    EXPECT_EQ(in.type, TensorType::kInt16);
    EXPECT_EQ(in.quant.zero_points.at(0), 0);
    EXPECT_EQ(w.type, TensorType::kInt8);
    EXPECT_EQ(b.type, TensorType::kInt64);
    EXPECT_FLOAT_EQ(b.quant.scales.at(0), in.quant.scales.at(0) * w.quant.scales.at(0));
    // op_version.cc checks for an int16 filter before its int16 FULLY_CONNECTED version 7, so
    // int16 activations with int8 weights fall through to version 1.
    EXPECT_EQ(k.version, 1);
  }
  // The input [0, 2 pi] symmetric over 32767 steps.
  EXPECT_NEAR(g.tensors[static_cast<size_t>(g.inputs[0])].quant.scales.at(0), 6.2832f / 32767.0f, 1e-6);
  // 16-bit activations leave only the int8 weights' rounding: the error is below int8's.
  QuantizeOptions o8 = mode(QuantMode::kInt8);
  o8.io_type = TensorType::kInt8;
  FloatIo fr(f), r16(g), r8(quantize(f, o8, &data).graph);
  double e16 = 0, e8 = 0;
  const RepresentativeData test = testing::sine_inputs(200, 13);
  for (const Sample& s : test) {
    const float y = fr.run(s)[0];
    e16 += std::fabs(r16.run(s)[0] - y);
    e8 += std::fabs(r8.run(s)[0] - y);
  }
  std::printf("hello_world mean |error|: int16x8 %.5f, int8 %.5f\n", e16 / test.size(), e8 / test.size());
  EXPECT_LT(e16, e8);
}

TEST(QuantInt16x8, MagicWandRunsWithFloatIo) {
  const Graph f = shared_graph("magic_wand");
  const RepresentativeData data = testing::gesture_inputs(100, 1);
  const Graph g = quantize(f, mode(QuantMode::kInt16x8), &data).graph;
  const GraphOp& softmax = g.ops[g.ops.size() - 2];
  ASSERT_EQ(softmax.builtin, op::kSoftmax);
  EXPECT_EQ(softmax.version, 3);
  EXPECT_EQ(g.ops.front().builtin, op::kQuantize);
  EXPECT_EQ(g.ops.front().version, 2);  // to int16
  EXPECT_FLOAT_EQ(g.tensors[static_cast<size_t>(softmax.outputs[0])].quant.scales.at(0), 1.0f / 32768.0f);
  FloatIo fr(f), qr(g);
  int agree = 0;
  const RepresentativeData test = testing::gesture_inputs(100, 2);
  for (const Sample& s : test) agree += testing::argmax(fr.run(s)) == testing::argmax(qr.run(s));
  std::printf("magic_wand int16x8 argmax agreement %d/%zu\n", agree, test.size());
  EXPECT_GE(agree, 95);
}

// One FULLY_CONNECTED, 2 inputs -> 1 output, weights {0.5, 0.01}, bias 0.1.
Graph tiny_fc() {
  Graph g;
  auto constant = [&](const std::string& name, std::vector<int32_t> shape, std::vector<float> v) {
    GraphTensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.data = detail::to_bytes(v);
    return g.add_tensor(t);
  };
  GraphTensor x;
  x.name = "x";
  x.shape = {1, 2};
  const int32_t in = g.add_tensor(x);
  const int32_t w = constant("w", {1, 2}, {0.5f, 0.01f});
  const int32_t b = constant("b", {1}, {0.1f});
  GraphTensor y;
  y.name = "y";
  y.shape = {1, 1};
  const int32_t out = g.add_tensor(y);
  GraphOp fc;
  fc.builtin = op::kFullyConnected;
  fc.inputs = {in, w, b};
  fc.outputs = {out};
  g.add_op(fc);
  g.inputs = {in};
  g.outputs = {out};
  return g;
}

TEST(QuantBiasCorrection, SubtractsTheMeanWeightRoundingShift) {
  // Weight scale 0.5/127; 0.01 -> round(2.54) = 3 -> 3 * 0.5/127 = 0.011811, an error of
  // 0.001811 per unit of x2 (0.5 is exact). With x2 = 10 always, the output shifts by 0.01811,
  // so the corrected bias is 0.1 - 10 * (3 * 0.5/127 - 0.01) = 0.081890. x1 varies over 0..3
  // (its weight is exact) so the output range [0.2, 1.7] leaves room on both sides of 0.7.
  const Graph f = tiny_fc();
  RepresentativeData data;
  for (float x1 : {1.0f, 0.0f, 2.0f, 3.0f}) data.push_back(Sample{{x1, 10.0f}});
  QuantizeOptions o = mode(QuantMode::kInt8);
  o.io_type = TensorType::kInt8;
  const Graph plain = quantize(f, o, &data).graph;
  o.bias_correction = true;
  const Graph corrected = quantize(f, o, &data).graph;
  auto bias_value = [](const Graph& g) {
    const GraphTensor& b = g.tensors[2];
    int32_t q;
    std::memcpy(&q, b.data.data(), 4);
    return std::pair<double, double>(q * static_cast<double>(b.quant.scales.at(0)), b.quant.scales.at(0));
  };
  const auto [v0, step0] = bias_value(plain);
  const auto [v1, step1] = bias_value(corrected);
  EXPECT_NEAR(v0, 0.1, step0 / 2 + 1e-9);
  EXPECT_NEAR(v1, 0.1 - 10.0 * (3.0 * 0.5 / 127.0 - 0.01), step1 / 2 + 1e-9);
  // The outputs move by the shift, up to one output step (both are rounded to the same grid).
  const float y0 = FloatIo(plain).run(data[0])[0], y1 = FloatIo(corrected).run(data[0])[0];
  std::printf("tiny FC: float 0.7, int8 %.5f, int8 with bias correction %.5f\n", y0, y1);
  const double out_step = plain.tensors[3].quant.scales.at(0);
  EXPECT_NEAR(y0 - y1, 10.0 * (3.0 * 0.5 / 127.0 - 0.01), out_step);
}

TEST(QuantBadInput, NonFiniteWeightsAndBiasesAreErrors) {
  const RepresentativeData data(2, Sample{{1.0f, 10.0f}});
  QuantizeOptions o = mode(QuantMode::kInt8);
  Graph f = tiny_fc();
  f.tensors[2].data = detail::to_bytes(std::vector<float>{NAN});
  try {
    quantize(f, o, &data);
    FAIL() << "NaN bias accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos) << e.what();
  }
  f = tiny_fc();
  f.tensors[1].data = detail::to_bytes(std::vector<float>{INFINITY, 1.0f});
  EXPECT_THROW(quantize(f, o, &data), Error);
  QuantizeOptions d = mode(QuantMode::kDynamicRange);
  d.dynamic_min_elements = 1;
  EXPECT_THROW(quantize(f, d), Error);
  // float16 cannot hold 1e6.
  f = tiny_fc();
  f.tensors[1].data = detail::to_bytes(std::vector<float>{1e6f, 1.0f});
  EXPECT_THROW(quantize(f, mode(QuantMode::kFloat16)), Error);
}

TEST(QuantRepresentativeData, ReadsNpyWithOrWithoutTheBatchDimension) {
  const Graph f = shared_graph("hello_world_float");  // input [1, 1]
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string with_batch = (dir / "tf_quant_rep_a.npy").string();
  const std::string without = (dir / "tf_quant_rep_b.npy").string();
  NpyArray a;
  a.dtype = "f4";
  a.shape = {3, 1, 1};
  a.data = detail::to_bytes(std::vector<float>{0.5f, 1.5f, 2.5f});
  write_npy(with_batch, a);
  a.dtype = "f8";
  a.shape = {3, 1};
  a.data = detail::to_bytes(std::vector<double>{0.25, 1.25, 2.25});
  write_npy(without, a);
  RepresentativeData d = load_representative_npy({with_batch}, f);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2][0], std::vector<float>{2.5f});
  d = load_representative_npy({without}, f);
  EXPECT_EQ(d[1][0], std::vector<float>{1.25f});
  // A shape that does not fit the input names the file.
  a.shape = {1, 3};
  write_npy(without, a);
  try {
    load_representative_npy({without}, f);
    FAIL() << "wrong shape accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(without), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_representative_npy({with_batch, with_batch}, f), Error);
  std::filesystem::remove(with_batch);
  std::filesystem::remove(without);
}

TEST(QuantCalibration, RangesOfHelloWorldByHand) {
  // Inputs 0 and 3 only: the input range is exactly [0, 3], and the ranges print one per line.
  const Graph f = shared_graph("hello_world_float");
  const Calibration cal = calibrate(f, {{{0.0f}}, {{3.0f}}});
  ASSERT_NE(cal.find(f.inputs[0]), nullptr);
  EXPECT_EQ(cal.find(f.inputs[0])->min, 0.0f);
  EXPECT_EQ(cal.find(f.inputs[0])->max, 3.0f);
  EXPECT_EQ(cal.ranges.size(), 4u);  // the input and three op outputs
  // The output's range holds the float model's outputs for 0 and 3.
  FloatIo fr(f);
  const float y0 = fr.run({{0.0f}})[0], y3 = fr.run({{3.0f}})[0];
  const TensorRange* out = cal.find(f.outputs[0]);
  EXPECT_EQ(out->min, std::min(y0, y3));
  EXPECT_EQ(out->max, std::max(y0, y3));
  const std::string text = format_ranges(cal.ranges);
  EXPECT_NE(text.find("serving_default_dense_input:0"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
}

}  // namespace
}  // namespace tinyforge::convert
