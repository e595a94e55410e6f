// int8 quantization of a small hand-built graph with the ops that share or fix parameters:
// PAD -> AVERAGE_POOL_2D -> ADD (constant) -> CONCATENATION -> MEAN -> LOGISTIC.
#include <gtest/gtest.h>

#include "convert/quantize/tensor_data.h"
#include "convert/quantize_test_util.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {
namespace {

namespace op = micro::op;
using testing::FloatIo;

int32_t activation(Graph& g, const std::string& name, std::vector<int32_t> shape) {
  GraphTensor t;
  t.name = name;
  t.shape = std::move(shape);
  return g.add_tensor(t);
}

template <typename T>
int32_t constant(Graph& g, const std::string& name, std::vector<int32_t> shape, TensorType type, std::vector<T> v) {
  GraphTensor t;
  t.name = name;
  t.type = type;
  t.shape = std::move(shape);
  t.data = detail::to_bytes(v);
  return g.add_tensor(t);
}

GraphOp make_op(int32_t builtin, std::vector<int32_t> in, std::vector<int32_t> out) {
  GraphOp o;
  o.builtin = builtin;
  o.inputs = std::move(in);
  o.outputs = std::move(out);
  return o;
}

Graph mixed_graph() {
  Graph g;
  const int32_t x = activation(g, "x", {1, 4, 4, 2});
  const int32_t pads = constant<int32_t>(g, "pads", {4, 2}, TensorType::kInt32, {0, 0, 1, 1, 1, 1, 0, 0});
  const int32_t padded = activation(g, "padded", {1, 6, 6, 2});
  const int32_t pooled = activation(g, "pooled", {1, 3, 3, 2});
  const int32_t offset = constant<float>(g, "offset", {2}, TensorType::kFloat32, {0.5f, -2.0f});
  const int32_t shifted = activation(g, "shifted", {1, 3, 3, 2});
  const int32_t joined = activation(g, "joined", {1, 3, 3, 4});
  const int32_t axes = constant<int32_t>(g, "axes", {2}, TensorType::kInt32, {1, 2});
  const int32_t mean = activation(g, "mean", {1, 4});
  const int32_t prob = activation(g, "prob", {1, 4});
  g.add_op(make_op(op::kPad, {x, pads}, {padded}));
  GraphOp pool = make_op(op::kAveragePool2D, {padded}, {pooled});
  pool.options.padding = micro::Padding::kValid;
  pool.options.filter_w = pool.options.filter_h = 2;
  pool.options.stride_w = pool.options.stride_h = 2;
  g.add_op(pool);
  g.add_op(make_op(op::kAdd, {pooled, offset}, {shifted}));
  GraphOp concat = make_op(op::kConcatenation, {pooled, shifted}, {joined});
  concat.options.axis = 3;
  g.add_op(concat);
  g.add_op(make_op(op::kMean, {joined, axes}, {mean}));
  g.add_op(make_op(op::kLogistic, {mean}, {prob}));
  g.inputs = {x};
  g.outputs = {prob};
  return g;
}

RepresentativeData mixed_inputs(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-3.0f, 3.0f);
  RepresentativeData d;
  for (int i = 0; i < n; ++i) {
    std::vector<float> x(32);
    for (float& v : x) v = u(rng);
    d.push_back({x});
  }
  return d;
}

TEST(QuantGraph, SharedAndFixedParametersAndVersions) {
  const Graph f = mixed_graph();
  const RepresentativeData data = mixed_inputs(100, 1);
  QuantizeOptions o;
  o.io_type = TensorType::kFloat32;
  const Graph g = quantize(f, o, &data).graph;
  // QUANTIZE, PAD, AVERAGE_POOL_2D, ADD, CONCATENATION, MEAN, LOGISTIC, DEQUANTIZE.
  const std::vector<std::pair<int32_t, int32_t>> want = {
      {op::kQuantize, 1},      {op::kPad, 2},  {op::kAveragePool2D, 2}, {op::kAdd, 2},
      {op::kConcatenation, 2}, {op::kMean, 2}, {op::kLogistic, 2},      {op::kDequantize, 2}};
  ASSERT_EQ(g.ops.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(g.ops[k].builtin, want[k].first) << k;
    EXPECT_EQ(g.ops[k].version, want[k].second) << k;
  }
  auto q = [&](const std::string& name) -> const QuantParams& {
    for (const GraphTensor& t : g.tensors) {
      if (t.name == name) return t.quant;
    }
    throw std::runtime_error("no tensor " + name);
  };
  // PAD, AVERAGE_POOL_2D and CONCATENATION tie x_int8, padded, pooled, shifted and joined together.
  for (const char* name : {"padded", "pooled", "shifted", "joined"}) {
    EXPECT_EQ(q(name).scales, q("x_int8").scales) << name;
    EXPECT_EQ(q(name).zero_points, q("x_int8").zero_points) << name;
  }
  // Their common range is the union: x alone spans less than 6 (uniform in (-3, 3)), but the
  // second channel of `shifted` (pooled - 2) goes below -3, so the scale exceeds 6 / 255.
  EXPECT_GT(q("joined").scales.at(0), 6.0f / 255.0f);
  // LOGISTIC's output is fixed; MEAN keeps its own (narrower) range.
  EXPECT_EQ(q("prob_int8").scales.at(0), 1.0f / 256.0f);
  EXPECT_EQ(q("prob_int8").zero_points.at(0), -128);
  EXPECT_LT(q("mean").scales.at(0), q("joined").scales.at(0));
  // The ADD constant is int8 with its own range [-2, 0.5].
  EXPECT_FLOAT_EQ(q("offset").scales.at(0), 2.5f / 255.0f);
  FloatIo fr(f), qr(g);
  for (const Sample& s : mixed_inputs(30, 2)) {
    const std::vector<float> a = fr.run(s), b = qr.run(s);
    // Probabilities: 4 output steps of 1/256 cover the input, mean and output roundings.
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 4.0 / 256.0);
  }
}

TEST(QuantGraph, Int16x8RunsTheSameGraph) {
  const Graph f = mixed_graph();
  const RepresentativeData data = mixed_inputs(100, 1);
  QuantizeOptions o;
  o.mode = QuantMode::kInt16x8;
  const Graph g = quantize(f, o, &data).graph;
  for (const GraphOp& k : g.ops) {
    if (k.builtin == op::kAdd) {
      EXPECT_FALSE(k.options.pot_scale_int16);
      EXPECT_EQ(k.version, 3);  // int16 ADD with general scales
    }
  }
  FloatIo fr(f), qr(g);
  for (const Sample& s : mixed_inputs(30, 2)) {
    const std::vector<float> a = fr.run(s), b = qr.run(s);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-3);
  }
}

TEST(QuantGraph, OpsWithoutAnIntegerKernelAreNamed) {
  Graph g;
  const int32_t x = activation(g, "x", {1, 4});
  const int32_t y = activation(g, "y", {1, 4});
  const int32_t z = activation(g, "z", {1, 4});
  g.add_op(make_op(op::kHardSwish, {x}, {y}));
  g.add_op(make_op(op::kDiv, {y, y}, {z}));
  g.inputs = {x};
  g.outputs = {z};
  const RepresentativeData data = {{std::vector<float>(4, 1.0f)}};
  QuantizeOptions o;
  o.mode = QuantMode::kInt16x8;
  try {
    quantize(g, o, &data);
    FAIL() << "int16x8 HARD_SWISH accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    // Both are listed at once: HARD_SWISH has no int16 kernel, DIV no integer kernel at all.
    EXPECT_NE(m.find("op 0 (HARD_SWISH)"), std::string::npos) << m;
    EXPECT_NE(m.find("op 1 (DIV)"), std::string::npos) << m;
  }
  o.mode = QuantMode::kInt8;
  try {
    quantize(g, o, &data);
    FAIL() << "int8 DIV accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("HARD_SWISH"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("op 1 (DIV)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tinyforge::convert
