// The .tflite reader and writer against every shared model: reading and writing again must
// keep what the micro runtime computes (outputs and every operator's output, checked against
// TFLM's goldens), keep names, versions and quantization, and be a fixed point; the writer's
// layout follows TFLite's schema; malformed bytes give Errors.
#include "tinyforge/convert/tflite_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <tuple>

#include "support/test_support.h"
#include "tinyforge/error.h"
#include "tinyforge/micro/error_buffer.h"
#include "tinyforge/micro/model.h"
#include "tinyforge/runtime.h"
#include "tinyforge/schema/tflite_generated.h"

namespace tinyforge::convert {
namespace {

namespace op = micro::op;

const std::vector<std::string> kAllModels = {"hello_world_float",      "hello_world_int8",
                                             "simple_add_model",       "micro_speech_quantized",
                                             "trained_lstm",           "trained_lstm_int8",
                                             "dtln_noise_suppression", "keyword_scrambled",
                                             "keyword_scrambled_8bit", "person_detect",
                                             "micro_speech_lstm",      "magic_wand",
                                             "person_detect_vela",     "audio_preprocessor_float",
                                             "audio_preprocessor_int8"};
// The models the micro runtime runs (the rest use CUSTOM ops it does not have).
const std::vector<std::string> kRunnableModels(kAllModels.begin(), kAllModels.begin() + 12);

std::vector<uint8_t> model_bytes(const std::string& name) {
  return test::read_file(test::shared_path("models/" + name + ".tflite"));
}

const nlohmann::json& goldens() {
  static const nlohmann::json j = [] {
    std::ifstream in(test::shared_path("reference/tflm_goldens.json"));
    return nlohmann::json::parse(in);
  }();
  return j;
}

std::string micro_verify(const std::vector<uint8_t>& bytes) {
  test::AlignedBytes aligned(bytes);
  micro::Model model;
  micro::ErrorBuffer err;
  return model.verify(aligned.data(), aligned.size(), &err) == micro::Status::kOk ? "" : err.c_str();
}

// Field-by-field comparison, so a failure names what changed.
void expect_same_graph(const Graph& a, const Graph& b) {
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.metadata, b.metadata);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    const GraphTensor& x = a.tensors[i];
    const GraphTensor& y = b.tensors[i];
    SCOPED_TRACE("tensor " + std::to_string(i) + " " + x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.shape, y.shape);
    EXPECT_EQ(x.data, y.data);
    EXPECT_EQ(x.is_variable, y.is_variable);
    EXPECT_EQ(x.quant.scales, y.quant.scales);
    EXPECT_EQ(x.quant.zero_points, y.quant.zero_points);
    EXPECT_EQ(x.quant.axis, y.quant.axis);
    EXPECT_EQ(x.quant.min, y.quant.min);
    EXPECT_EQ(x.quant.max, y.quant.max);
  }
  ASSERT_EQ(a.ops.size(), b.ops.size());
  for (size_t i = 0; i < a.ops.size(); ++i) {
    const GraphOp& x = a.ops[i];
    const GraphOp& y = b.ops[i];
    SCOPED_TRACE("op " + std::to_string(i));
    EXPECT_EQ(x.builtin, y.builtin);
    EXPECT_EQ(x.custom_code, y.custom_code);
    EXPECT_EQ(x.version, y.version);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.outputs, y.outputs);
    EXPECT_EQ(x.intermediates, y.intermediates);
    EXPECT_EQ(x.custom_options, y.custom_options);
    EXPECT_EQ(x.options.activation, y.options.activation);
    EXPECT_EQ(x.options.padding, y.options.padding);
    EXPECT_EQ(x.options.stride_w, y.options.stride_w);
    EXPECT_EQ(x.options.stride_h, y.options.stride_h);
    EXPECT_EQ(x.options.depth_multiplier, y.options.depth_multiplier);
    EXPECT_EQ(x.options.new_shape, y.options.new_shape);
    EXPECT_EQ(x.options.cell_clip, y.options.cell_clip);
    EXPECT_EQ(x.options.keep_num_dims, y.options.keep_num_dims);
  }
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

class SharedModel : public ::testing::TestWithParam<std::string> {};

TEST_P(SharedModel, RewriteKeepsTheGraphPassesTheVerifierAndIsAFixedPoint) {
  const Graph original = read_tflite(model_bytes(GetParam()));
  const std::vector<uint8_t> once = write_tflite(original);
  EXPECT_EQ(micro_verify(once), "");
  const Graph reread = read_tflite(once);
  expect_same_graph(original, reread);
  EXPECT_EQ(write_tflite(reread), once) << "read -> write is not idempotent";
}

INSTANTIATE_TEST_SUITE_P(AllSharedModels, SharedModel, ::testing::ValuesIn(kAllModels), param_name);

class RunnableModel : public ::testing::TestWithParam<std::string> {};

// The rewritten model must compute exactly what the original computes and what TFLM computes.
TEST_P(RunnableModel, RewrittenModelRunsBitExact) {
  const std::string name = GetParam();
  const std::vector<uint8_t> original = model_bytes(name);
  const std::vector<uint8_t> rewritten = write_tflite(read_tflite(original));

  auto run = [](const std::vector<uint8_t>& bytes, std::vector<OpTrace>* trace) {
    Runner runner{ModelBytes(bytes)};
    runner.fill_tflm_pattern();
    runner.invoke(trace);
    return runner.outputs_fnv1a64();
  };
  std::vector<OpTrace> want, got;
  const uint64_t want_out = run(original, &want);
  const uint64_t got_out = run(rewritten, &got);
  EXPECT_EQ(hex16(got_out), hex16(want_out));

  const nlohmann::json& g = goldens()["models"][name];
  EXPECT_EQ(hex16(got_out), g["output_fnv1a64"].get<std::string>());
  const auto& per_op = g["per_op_output_fnv1a64"];
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), per_op.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].opcode, want[i].opcode) << "op " << i;
    EXPECT_EQ(got[i].output_tensor, per_op[i]["output_tensor"].get<int>()) << "op " << i;
    EXPECT_EQ(hex16(got[i].output_fnv1a64), hex16(want[i].output_fnv1a64)) << "op " << i << " " << got[i].opcode;
    EXPECT_EQ(hex16(got[i].output_fnv1a64), per_op[i]["fnv1a64"].get<std::string>()) << "op " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(RunnableSharedModels, RunnableModel, ::testing::ValuesIn(kRunnableModels), param_name);

// Facts from ../shared/models/SOURCES.md (read from the original files by other tools).
TEST(TfliteReader, KeepsNamesVersionsAndQuantization) {
  const Graph g = read_tflite(model_bytes("micro_speech_quantized"));
  EXPECT_EQ(g.description, "TOCO Converted.");
  ASSERT_EQ(g.inputs.size(), 1u);
  const GraphTensor& in = g.tensors[static_cast<size_t>(g.inputs[0])];
  EXPECT_EQ(in.name, "Reshape_1");
  EXPECT_EQ(in.type, micro::TensorType::kInt8);
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 1960}));
  ASSERT_EQ(in.quant.scales.size(), 1u);
  EXPECT_NEAR(in.quant.scales[0], 0.101716f, 1e-6f);
  EXPECT_EQ(in.quant.zero_points, std::vector<int64_t>{-128});
  const GraphTensor& out = g.tensors[static_cast<size_t>(g.outputs[0])];
  EXPECT_EQ(out.name, "labels_softmax");
  ASSERT_EQ(g.ops.size(), 4u);
  EXPECT_EQ(g.ops[0].builtin, op::kReshape);
  EXPECT_EQ(g.ops[1].builtin, op::kDepthwiseConv2D);
  EXPECT_EQ(g.ops[1].version, 3);
  EXPECT_EQ(g.ops[1].options.stride_w, 2);
  EXPECT_EQ(g.ops[1].options.depth_multiplier, 8);
  EXPECT_EQ(g.ops[1].options.activation, micro::Activation::kRelu);
  EXPECT_EQ(g.ops[2].version, 4);
  EXPECT_EQ(g.ops[0].options.new_shape, (std::vector<int32_t>{-1, 49, 40, 1}));
  // The depthwise filter is quantized per channel along its last axis.
  const GraphTensor& filter = g.tensors[static_cast<size_t>(g.ops[1].inputs[1])];
  EXPECT_EQ(filter.shape, (std::vector<int32_t>{1, 10, 8, 8}));
  EXPECT_EQ(filter.quant.scales.size(), 8u);
  EXPECT_EQ(filter.quant.axis, 3);
  EXPECT_EQ(g.metadata.count("min_runtime_version"), 1u);

  const Graph lstm = read_tflite(model_bytes("dtln_noise_suppression"));
  EXPECT_EQ(lstm.ops[0].builtin, op::kUnidirectionalSequenceLstm);
  EXPECT_EQ(lstm.ops[0].intermediates.size(), 5u);
  EXPECT_EQ(lstm.ops[0].options.cell_clip, 10.0f);
  EXPECT_EQ(lstm.ops[0].options.activation, micro::Activation::kTanh);
  EXPECT_EQ(std::count_if(lstm.tensors.begin(), lstm.tensors.end(), [](const GraphTensor& t) { return t.is_variable; }),
            4);

  const Graph vela = read_tflite(model_bytes("person_detect_vela"));
  EXPECT_EQ(vela.ops[0].custom_code, "ethos-u");
  EXPECT_EQ(vela.metadata.count("OfflineMemoryAllocation"), 1u);
}

// A graph with one op of every kind the micro runtime knows, to check the union members.
Graph every_op_graph() {
  Graph g;
  g.description = "every op";
  GraphTensor t;
  t.type = micro::TensorType::kFloat32;
  t.shape = {1, 2};
  t.name = "x";
  const int32_t x = g.add_tensor(t);
  t.name = "y";
  const int32_t y = g.add_tensor(t);
  g.inputs = {x};
  g.outputs = {y};
  const int32_t builtins[] = {op::kAdd,
                              op::kAveragePool2D,
                              op::kConcatenation,
                              op::kConv2D,
                              op::kDepthwiseConv2D,
                              op::kDequantize,
                              op::kFullyConnected,
                              op::kLogistic,
                              op::kMaxPool2D,
                              op::kMul,
                              op::kRelu,
                              op::kRelu6,
                              op::kReshape,
                              op::kSoftmax,
                              op::kSvdf,
                              op::kTanh,
                              op::kPad,
                              op::kTranspose,
                              op::kMean,
                              op::kSub,
                              op::kDiv,
                              op::kSqueeze,
                              op::kUnidirectionalSequenceLstm,
                              op::kStridedSlice,
                              op::kCast,
                              op::kMaximum,
                              op::kMinimum,
                              op::kExpandDims,
                              op::kLeakyRelu,
                              op::kQuantize,
                              op::kHardSwish};
  for (int32_t b : builtins) {
    GraphOp o;
    o.builtin = b;
    o.inputs = {x};
    o.outputs = {y};
    g.add_op(o);
  }
  return g;
}

// TFLite's BuiltinOptions member index for each op (schema.fbs, counted by hand).
int expected_union_type(int32_t builtin) {
  switch (builtin) {
    case op::kConv2D: return 1;
    case op::kDepthwiseConv2D: return 2;
    case op::kAveragePool2D:
    case op::kMaxPool2D: return 5;
    case op::kSvdf: return 6;
    case op::kFullyConnected: return 8;
    case op::kSoftmax: return 9;
    case op::kConcatenation: return 10;
    case op::kAdd: return 11;
    case op::kReshape: return 17;
    case op::kMul: return 21;
    case op::kPad: return 22;
    case op::kTranspose: return 26;
    case op::kMean: return 27;
    case op::kSub: return 28;
    case op::kDiv: return 29;
    case op::kSqueeze: return 30;
    case op::kStridedSlice: return 32;
    case op::kCast: return 37;
    case op::kDequantize: return 38;
    case op::kMaximum:
    case op::kMinimum: return 39;
    case op::kExpandDims: return 52;
    case op::kUnidirectionalSequenceLstm: return 71;
    case op::kLeakyRelu: return 75;
    case op::kQuantize: return 89;
    case op::kHardSwish: return 91;
    default: return 0;  // LOGISTIC, RELU, RELU6, TANH have no options table
  }
}

TEST(TfliteWriter, PutsEveryOpsOptionsInItsUnionMember) {
  const Graph g = every_op_graph();
  const std::vector<uint8_t> bytes = write_tflite(g);
  const tflite::Model* m = tflite::GetModel(bytes.data());
  const auto* ops = m->subgraphs()->Get(0)->operators();
  ASSERT_EQ(ops->size(), g.ops.size());
  for (uint32_t i = 0; i < ops->size(); ++i) {
    EXPECT_EQ(static_cast<int>(ops->Get(i)->builtin_options_type()), expected_union_type(g.ops[i].builtin))
        << micro::builtin_op_name(g.ops[i].builtin);
  }
  // RESHAPE without a new shape writes an empty table rather than an empty vector.
  EXPECT_EQ(ops->Get(12)->builtin_options_as_ReshapeOptions()->new_shape(), nullptr);
  // CAST records its tensors' types.
  EXPECT_EQ(ops->Get(24)->builtin_options_as_CastOptions()->out_data_type(), tflite::TensorType_FLOAT32);
}

TEST(TfliteWriter, RoundTripsEveryOptionField) {
  Graph g = every_op_graph();
  for (GraphOp& o : g.ops) {
    OpOptions& x = o.options;
    x.activation = micro::Activation::kRelu6;
    x.padding = micro::Padding::kValid;
    x.stride_w = 2, x.stride_h = 3, x.dilation_w = 4, x.dilation_h = 5, x.depth_multiplier = 6;
    x.filter_w = 7, x.filter_h = 8, x.keep_num_dims = true, x.keep_dims = true, x.axis = -1;
    x.beta = 0.5f, x.alpha = 0.125f, x.new_shape = {2, -1}, x.squeeze_dims = {0};
    x.cell_clip = 3.5f, x.proj_clip = 1.5f, x.time_major = true, x.rank = 2, x.asymmetric_quantize_inputs = true;
    x.begin_mask = 1, x.end_mask = 2, x.ellipsis_mask = 4, x.new_axis_mask = 8, x.shrink_axis_mask = 16;
    x.pot_scale_int16 = false;
  }
  const Graph r = read_tflite(write_tflite(g));
  auto at = [&](int32_t builtin) -> const OpOptions& {
    for (const GraphOp& o : r.ops) {
      if (o.builtin == builtin) return o.options;
    }
    throw Error("missing op");
  };
  const OpOptions& conv = at(op::kConv2D);
  EXPECT_EQ(conv.padding, micro::Padding::kValid);
  EXPECT_EQ(conv.activation, micro::Activation::kRelu6);
  EXPECT_EQ(std::vector<int>({conv.stride_w, conv.stride_h, conv.dilation_w, conv.dilation_h}),
            std::vector<int>({2, 3, 4, 5}));
  EXPECT_EQ(at(op::kDepthwiseConv2D).depth_multiplier, 6);
  EXPECT_EQ(at(op::kMaxPool2D).filter_w, 7);
  EXPECT_EQ(at(op::kAveragePool2D).filter_h, 8);
  EXPECT_TRUE(at(op::kFullyConnected).keep_num_dims);
  EXPECT_TRUE(at(op::kFullyConnected).asymmetric_quantize_inputs);
  EXPECT_TRUE(at(op::kMean).keep_dims);
  EXPECT_EQ(at(op::kConcatenation).axis, -1);
  EXPECT_EQ(at(op::kConcatenation).activation, micro::Activation::kRelu6);
  EXPECT_EQ(at(op::kSoftmax).beta, 0.5f);
  EXPECT_EQ(at(op::kLeakyRelu).alpha, 0.125f);
  EXPECT_EQ(at(op::kReshape).new_shape, (std::vector<int32_t>{2, -1}));
  EXPECT_EQ(at(op::kSqueeze).squeeze_dims, std::vector<int32_t>{0});
  const OpOptions& lstm = at(op::kUnidirectionalSequenceLstm);
  EXPECT_EQ(lstm.cell_clip, 3.5f);
  EXPECT_EQ(lstm.proj_clip, 1.5f);
  EXPECT_TRUE(lstm.time_major);
  EXPECT_EQ(at(op::kSvdf).rank, 2);
  const OpOptions& ss = at(op::kStridedSlice);
  EXPECT_EQ(std::vector<int>({ss.begin_mask, ss.end_mask, ss.ellipsis_mask, ss.new_axis_mask, ss.shrink_axis_mask}),
            std::vector<int>({1, 2, 4, 8, 16}));
  EXPECT_FALSE(at(op::kAdd).pot_scale_int16);
  EXPECT_FALSE(at(op::kSub).pot_scale_int16);
  EXPECT_EQ(at(op::kDiv).activation, micro::Activation::kRelu6);
  EXPECT_EQ(at(op::kMul).activation, micro::Activation::kRelu6);
}

TEST(TfliteWriter, FollowsTheSchemaLayout) {
  Graph g = read_tflite(model_bytes("keyword_scrambled"));
  GraphOp big;  // an op code above 127 must set the placeholder in the deprecated byte
  big.builtin = 150;
  big.inputs = {g.inputs[0]};
  big.outputs = {g.outputs[0]};
  g.add_op(big);
  g.metadata["tinyforge"] = {1, 2, 3};
  const std::vector<uint8_t> bytes = write_tflite(g);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "TFL3");
  const tflite::Model* m = tflite::GetModel(bytes.data());
  EXPECT_EQ(m->version(), 3u);
  EXPECT_EQ(m->buffers()->Get(0)->data(), nullptr) << "buffer 0 must be the empty sentinel";
  // keyword_scrambled repeats (SVDF, 3) and (FULLY_CONNECTED, 4) in its operator codes; ours
  // are unique: SVDF v3, FC v4, SOFTMAX v2, QUANTIZE v1, DEQUANTIZE v?, builtin 150.
  std::set<std::tuple<int, std::string, int>> seen;
  for (const auto* c : *m->operator_codes()) {
    const int code = static_cast<int>(c->builtin_code());
    EXPECT_EQ(c->deprecated_builtin_code(), std::min(code, 127));
    EXPECT_TRUE(seen.insert({code, c->custom_code() ? c->custom_code()->str() : "", c->version()}).second);
  }
  EXPECT_EQ(seen.count({150, "", 1}), 1u);
  EXPECT_EQ(seen.count({op::kSvdf, "", 3}), 1u);
  // Constant data is 16-byte aligned in the file.
  size_t constants = 0;
  for (const auto* b : *m->buffers()) {
    if (b->data() == nullptr || b->data()->size() == 0) continue;
    ++constants;
    EXPECT_EQ((b->data()->data() - bytes.data()) % 16, 0);
  }
  EXPECT_GT(constants, 10u);
  // Metadata entries point at their bytes.
  bool found = false;
  for (const auto* md : *m->metadata()) {
    if (md->name()->str() != "tinyforge") continue;
    found = true;
    const auto* data = m->buffers()->Get(md->buffer())->data();
    EXPECT_EQ(std::vector<uint8_t>(data->begin(), data->end()), (std::vector<uint8_t>{1, 2, 3}));
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(write_tflite(g), bytes) << "writing twice gives different bytes";
}

void expect_error(const std::vector<uint8_t>& bytes, const std::string& words) {
  try {
    read_tflite(bytes);
    ADD_FAILURE() << "accepted; expected an error containing '" << words << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(TfliteReader, RejectsMalformedBytesWithErrors) {
  expect_error({}, "too short");
  expect_error({1, 2, 3}, "too short");
  std::vector<uint8_t> bytes = model_bytes("hello_world_int8");
  std::vector<uint8_t> wrong_id = bytes;
  wrong_id[4] = 'X';
  expect_error(wrong_id, "TFL3");
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2));
  expect_error(truncated, "verifier");
  std::vector<uint8_t> bad_root = bytes;
  bad_root[0] = 0xff, bad_root[1] = 0xff, bad_root[2] = 0xff, bad_root[3] = 0x7f;
  expect_error(bad_root, "verifier");
}

TEST(TfliteReader, RejectsWhatTheGraphCannotHold) {
  namespace fb = flatbuffers;
  auto model = [](uint32_t version, int subgraphs) {
    fb::FlatBufferBuilder b;
    std::vector<fb::Offset<tflite::SubGraph>> sgs;
    for (int i = 0; i < subgraphs; ++i) sgs.push_back(tflite::CreateSubGraph(b));
    const auto buffers = std::vector<fb::Offset<tflite::Buffer>>{tflite::CreateBuffer(b)};
    tflite::FinishModelBuffer(b, tflite::CreateModel(b, version, 0, b.CreateVector(sgs), 0, b.CreateVector(buffers)));
    return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  };
  expect_error(model(2, 1), "schema version 2");
  expect_error(model(3, 2), "2 subgraphs");
  expect_error(model(3, 0), "0 subgraphs");
  EXPECT_NO_THROW(read_tflite(model(3, 1)));

  // A tensor that refers to a buffer that does not exist, and one whose data does not fit its shape.
  Graph g;
  GraphTensor t;
  t.type = micro::TensorType::kInt8;
  t.shape = {4};
  t.data = {1, 2, 3, 4};
  g.add_tensor(t);
  std::vector<uint8_t> bytes = write_tflite(g);
  {
    fb::FlatBufferBuilder b;
    const auto shape = b.CreateVector(std::vector<int32_t>{4});
    const auto tensor = tflite::CreateTensor(b, shape, tflite::TensorType_INT8, 7);
    const auto sg = tflite::CreateSubGraph(b, b.CreateVector(&tensor, 1));
    const auto buffers = std::vector<fb::Offset<tflite::Buffer>>{tflite::CreateBuffer(b)};
    tflite::FinishModelBuffer(b, tflite::CreateModel(b, 3, 0, b.CreateVector(&sg, 1), 0, b.CreateVector(buffers)));
    expect_error(std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()), "buffer 7");
  }
  {
    fb::FlatBufferBuilder b;
    const auto shape = b.CreateVector(std::vector<int32_t>{4});
    const auto tensor =
        tflite::CreateTensor(b, shape, tflite::TensorType_INT8, 1, 0, 0, false, tflite::CreateSparsityParameters(b));
    const auto sg = tflite::CreateSubGraph(b, b.CreateVector(&tensor, 1));
    const auto data = b.CreateVector(std::vector<uint8_t>{1, 2, 3});
    const auto buffers =
        std::vector<fb::Offset<tflite::Buffer>>{tflite::CreateBuffer(b), tflite::CreateBuffer(b, data)};
    tflite::FinishModelBuffer(b, tflite::CreateModel(b, 3, 0, b.CreateVector(&sg, 1), 0, b.CreateVector(buffers)));
    expect_error(std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()), "sparse");
  }
  {
    fb::FlatBufferBuilder b;
    const auto shape = b.CreateVector(std::vector<int32_t>{4});
    const auto tensor = tflite::CreateTensor(b, shape, tflite::TensorType_INT8, 1);
    const auto sg = tflite::CreateSubGraph(b, b.CreateVector(&tensor, 1));
    const auto data = b.CreateVector(std::vector<uint8_t>{1, 2, 3});
    const auto buffers =
        std::vector<fb::Offset<tflite::Buffer>>{tflite::CreateBuffer(b), tflite::CreateBuffer(b, data)};
    tflite::FinishModelBuffer(b, tflite::CreateModel(b, 3, 0, b.CreateVector(&sg, 1), 0, b.CreateVector(buffers)));
    expect_error(std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()), "holds 3 bytes");
  }
  // An op whose options are another op's union member.
  {
    fb::FlatBufferBuilder b;
    const auto shape = b.CreateVector(std::vector<int32_t>{1});
    const auto tensor = tflite::CreateTensor(b, shape);
    const auto code = tflite::CreateOperatorCode(b, op::kConv2D, 0, 1, tflite::BuiltinOperator_CONV_2D);
    const auto io = b.CreateVector(std::vector<int32_t>{0});
    const auto opt = tflite::CreateSoftmaxOptions(b, 1.0f).Union();
    const auto o = tflite::CreateOperator(b, 0, io, io, tflite::BuiltinOptions_SoftmaxOptions, opt);
    const auto sg = tflite::CreateSubGraph(b, b.CreateVector(&tensor, 1), 0, 0, b.CreateVector(&o, 1));
    const auto buffers = std::vector<fb::Offset<tflite::Buffer>>{tflite::CreateBuffer(b)};
    tflite::FinishModelBuffer(
        b, tflite::CreateModel(b, 3, b.CreateVector(&code, 1), b.CreateVector(&sg, 1), 0, b.CreateVector(buffers)));
    expect_error(std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()),
                 "union type 9, expected 1");
  }
  // A union type without its table (the FlatBuffers verifier lets this through).
  {
    fb::FlatBufferBuilder b;
    const auto shape = b.CreateVector(std::vector<int32_t>{1});
    const auto tensor = tflite::CreateTensor(b, shape);
    const auto code = tflite::CreateOperatorCode(b, op::kConv2D, 0, 1, tflite::BuiltinOperator_CONV_2D);
    const auto io = b.CreateVector(std::vector<int32_t>{0});
    const auto o = tflite::CreateOperator(b, 0, io, io, tflite::BuiltinOptions_Conv2DOptions, 0);
    const auto sg = tflite::CreateSubGraph(b, b.CreateVector(&tensor, 1), 0, 0, b.CreateVector(&o, 1));
    const auto buffers = std::vector<fb::Offset<tflite::Buffer>>{tflite::CreateBuffer(b)};
    tflite::FinishModelBuffer(
        b, tflite::CreateModel(b, 3, b.CreateVector(&code, 1), b.CreateVector(&sg, 1), 0, b.CreateVector(buffers)));
    expect_error(std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()), "table is missing");
  }
}

// Random damage must give an Error or a valid graph, never a crash (run under ASan in CI).
TEST(TfliteReader, SurvivesRandomByteDamage) {
  std::mt19937 rng(1234);
  for (const char* name : {"hello_world_int8", "micro_speech_quantized", "trained_lstm_int8"}) {
    const std::vector<uint8_t> original = model_bytes(name);
    int rejected = 0;
    for (int trial = 0; trial < 1000; ++trial) {
      std::vector<uint8_t> bytes = original;
      const int flips = 1 + static_cast<int>(rng() % 4);
      // Half the damage lands in the first 2 KB, where the root tables and vtables are.
      for (int f = 0; f < flips; ++f) {
        const size_t region = rng() % 2 == 0 ? std::min<size_t>(bytes.size(), 2048) : bytes.size();
        bytes[rng() % region] = static_cast<uint8_t>(rng());
      }
      try {
        (void)write_tflite(read_tflite(bytes));
      } catch (const Error&) {
        ++rejected;
      }
    }
    EXPECT_GT(rejected, 0) << name;
  }
}

TEST(GraphValidate, NamesStructuralProblems) {
  auto expect_invalid = [](const Graph& g, const std::string& words) {
    try {
      g.validate();
      ADD_FAILURE() << "accepted; expected '" << words << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  Graph g;
  GraphTensor t;
  t.name = "w";
  t.type = micro::TensorType::kInt16;
  t.shape = {2, 3};
  t.data.resize(12);
  g.add_tensor(t);
  EXPECT_NO_THROW(g.validate());
  EXPECT_EQ(g.tensors[0].element_count(), 6);

  Graph bad_size = g;
  bad_size.tensors[0].data.resize(6);
  expect_invalid(bad_size, "holds 6 bytes");
  Graph bad_input = g;
  bad_input.inputs = {3};
  expect_invalid(bad_input, "graph input 0 refers to tensor 3");
  Graph bad_op = g;
  GraphOp o;
  o.builtin = op::kAdd;
  o.inputs = {0, -1};
  o.outputs = {1};
  bad_op.add_op(o);
  expect_invalid(bad_op, "op 0 (ADD) output 0 refers to tensor 1");
  Graph per_channel = g;
  per_channel.tensors[0].quant.scales = {1, 2};
  per_channel.tensors[0].quant.zero_points = {0, 0};
  per_channel.tensors[0].quant.axis = 1;
  expect_invalid(per_channel, "2 per-channel scales for a dimension of size 3");
  per_channel.tensors[0].quant.axis = 0;
  EXPECT_NO_THROW(per_channel.validate());
  per_channel.tensors[0].quant.zero_points = {0};
  expect_invalid(per_channel, "2 scales but 1 zero points");
  Graph negative = g;
  negative.tensors[0].shape = {-1, 3};
  negative.tensors[0].data.clear();
  expect_invalid(negative, "negative dimension");
  Graph custom = g;
  o.builtin = op::kCustom;
  o.outputs = {0};
  custom.add_op(o);
  expect_invalid(custom, "CUSTOM without a name");
  EXPECT_THROW(write_tflite(bad_size), Error);
}

}  // namespace
}  // namespace tinyforge::convert
