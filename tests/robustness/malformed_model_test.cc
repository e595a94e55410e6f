// Targeted malformed models: real models patched in place at one known field each, so
// every check of the verifier and of the interpreter's data-flow pass is hit on purpose
// and must answer with the right Status and a message naming the problem.
#include <gtest/gtest.h>

#include "robustness/fill_in_kernels.h"
#include "robustness/robustness_support.h"
#include "tinyforge/micro/model.h"

namespace tinyforge::test {
namespace {

namespace f = micro::field;
using micro::Status;

std::vector<uint8_t> model_bytes(const std::string& name) { return read_file(shared_path("models/" + name)); }

// Only stand-in kernels: they accept anything, so the interpreter's own checks (not a
// kernel's prepare) are what rejects the model.
const micro::OpResolver& stub_only_resolver() {
  static const micro::OpResolver resolver = [] {
    micro::OpResolver r;
    for (const micro::Kernel& k : micro::fill_in::kStubs) r.add(k);
    return r;
  }();
  return resolver;
}

struct Result {
  Status status;
  std::string error;
};

Result allocate_with(const std::vector<uint8_t>& bytes, const micro::OpResolver& resolver) {
  static AlignedBytes arena(2u << 20);
  AlignedBytes model(bytes);
  micro::Interpreter interp(model.data(), model.size(), resolver, arena.data(), arena.size());
  Result r{interp.allocate(), interp.error()};
  return r;
}

// Positions in the (unmodified) model.
struct Layout {
  explicit Layout(const std::vector<uint8_t>& b) : bytes(b) {
    model = fbpos::root(b);
    subgraphs = fbpos::ref(b, model, f::kModelSubgraphs);
    subgraph = fbpos::element(b, subgraphs, 0);
    tensors = fbpos::ref(b, subgraph, f::kSubgraphTensors);
    operators = fbpos::ref(b, subgraph, f::kSubgraphOperators);
    opcodes = fbpos::ref(b, model, f::kModelOperatorCodes);
    buffers = fbpos::ref(b, model, f::kModelBuffers);
    inputs = fbpos::ref(b, subgraph, f::kSubgraphInputs);
  }
  uint32_t tensor(uint32_t i) const { return fbpos::element(bytes, tensors, i); }
  uint32_t op(uint32_t i) const { return fbpos::element(bytes, operators, i); }
  uint32_t op_inputs(uint32_t i) const { return fbpos::ref(bytes, op(i), f::kOpInputs); }
  uint32_t op_outputs(uint32_t i) const { return fbpos::ref(bytes, op(i), f::kOpOutputs); }

  const std::vector<uint8_t>& bytes;
  uint32_t model, subgraphs, subgraph, tensors, operators, opcodes, buffers, inputs;
};

// A model read through the runtime's own verifier, to find tensors with given properties.
struct Parsed {
  explicit Parsed(const std::vector<uint8_t>& b) : copy(b) {
    micro::ErrorBuffer err;
    ok = m.verify(copy.data(), copy.size(), &err) == Status::kOk;
  }
  AlignedBytes copy;
  micro::Model m;
  bool ok = false;
};

void expect_rejected(const std::vector<uint8_t>& bytes, Status want, const std::string& needle,
                     const micro::OpResolver& resolver = robustness_resolver()) {
  const Result r = allocate_with(bytes, resolver);
  EXPECT_EQ(r.status, want) << micro::status_name(r.status) << ": " << r.error;
  EXPECT_NE(r.error.find(needle), std::string::npos) << "message \"" << r.error << "\" does not mention \"" << needle
                                                     << "\"";
}

TEST(MalformedModel, OriginalLoadsWithStandIns) {
  const Result r = allocate_with(model_bytes("hello_world_int8.tflite"), stub_only_resolver());
  EXPECT_EQ(r.status, Status::kOk) << r.error;
}

TEST(MalformedModel, BadFileIdentifier) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  b[6] = 'X';
  expect_rejected(b, Status::kInvalidModel, "TFL3");
}

TEST(MalformedModel, SchemaVersionOtherThan3) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  const uint32_t at = fbpos::field(b, l.model, f::kModelVersion);
  ASSERT_NE(at, 0u);
  ASSERT_EQ(get_u32(b, at), 3u);
  put_u32(b, at, 4);
  expect_rejected(b, Status::kInvalidModel, "schema version 4");
  put_u32(b, at, 2);
  expect_rejected(b, Status::kInvalidModel, "schema version 2");
}

TEST(MalformedModel, TwoSubgraphs) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  ASSERT_EQ(get_u32(b, l.subgraphs), 1u);
  put_u32(b, l.subgraphs, 2);
  expect_rejected(b, Status::kInvalidModel, "2 subgraphs");
}

TEST(MalformedModel, OperatorInputTensorIndexOutOfRange) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  put_u32(b, fbpos::scalar(l.op_inputs(0), 0, 4), 1000);
  expect_rejected(b, Status::kInvalidModel, "refers to tensor 1000");
  put_u32(b, fbpos::scalar(l.op_inputs(0), 0, 4), static_cast<uint32_t>(-7));
  expect_rejected(b, Status::kInvalidModel, "refers to tensor -7");
}

TEST(MalformedModel, OperatorOutputTensorIndexOutOfRange) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  put_u32(b, fbpos::scalar(l.op_outputs(1), 0, 4), 10);  // there are 10 tensors: 0..9
  expect_rejected(b, Status::kInvalidModel, "refers to tensor 10");
}

TEST(MalformedModel, SubgraphInputIndexOutOfRange) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  put_u32(b, fbpos::scalar(l.inputs, 0, 4), 0x7fffffff);
  expect_rejected(b, Status::kInvalidModel, "subgraph input 0 refers to tensor");
}

TEST(MalformedModel, BufferIndexOutOfRange) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  ASSERT_TRUE(p.ok);
  uint32_t at = 0;
  for (uint32_t t = 0; t < p.m.num_tensors() && at == 0; ++t) {
    if (p.m.tensor(t).const_data) at = fbpos::field(b, l.tensor(t), f::kTensorBuffer);
  }
  ASSERT_NE(at, 0u);
  put_u32(b, at, 100000);
  expect_rejected(b, Status::kInvalidModel, "refers to buffer 100000");
}

TEST(MalformedModel, OpcodeIndexOutOfRange) {
  // micro_speech_quantized has 4 operators with 4 different codes, so all but the one
  // using code 0 store their index.
  std::vector<uint8_t> b = model_bytes("micro_speech_quantized.tflite");
  Layout l(b);
  uint32_t at = 0;
  for (uint32_t i = 0; i < get_u32(b, l.operators) && at == 0; ++i) at = fbpos::field(b, l.op(i), f::kOpOpcodeIndex);
  ASSERT_NE(at, 0u);
  put_u32(b, at, 99);
  expect_rejected(b, Status::kInvalidModel, "operator code 99");

  std::vector<uint8_t> none = model_bytes("hello_world_int8.tflite");
  Layout ln(none);
  put_u32(none, ln.opcodes, 0);  // no operator codes at all, op 0 uses code 0
  expect_rejected(none, Status::kInvalidModel, "operator code 0, but there are 0");
}

TEST(MalformedModel, BufferSizeDisagreesWithShape) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  ASSERT_TRUE(p.ok);
  uint32_t len_at = 0;
  for (uint32_t t = 0; t < p.m.num_tensors() && len_at == 0; ++t) {
    const micro::TensorInfo info = p.m.tensor(t);
    if (info.const_data && info.bytes > 1) len_at = static_cast<uint32_t>(info.const_data - p.copy.data()) - 4;
  }
  ASSERT_NE(len_at, 0u);
  put_u32(b, len_at, get_u32(b, len_at) - 1);
  expect_rejected(b, Status::kInvalidModel, "but shape x type needs");
}

TEST(MalformedModel, RankAboveSix) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  const uint32_t shape = fbpos::ref(b, l.tensor(0), f::kTensorShape);
  ASSERT_NE(shape, 0u);
  put_u32(b, shape, 7);
  expect_rejected(b, Status::kInvalidModel, "rank 7");
}

TEST(MalformedModel, NegativeDimension) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  const uint32_t input = static_cast<uint32_t>(p.m.input_tensor(0));
  const uint32_t shape = fbpos::ref(b, l.tensor(input), f::kTensorShape);
  put_u32(b, fbpos::scalar(shape, 0, 4), static_cast<uint32_t>(-1));
  expect_rejected(b, Status::kInvalidModel, "dynamic dimension");
}

TEST(MalformedModel, TensorLargerThanTwoGiB) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  const uint32_t input = static_cast<uint32_t>(p.m.input_tensor(0));
  const uint32_t shape = fbpos::ref(b, l.tensor(input), f::kTensorShape);
  ASSERT_EQ(get_u32(b, shape), 2u);
  put_u32(b, fbpos::scalar(shape, 0, 4), 0x10000);
  put_u32(b, fbpos::scalar(shape, 1, 4), 0x10000);
  expect_rejected(b, Status::kInvalidModel, "larger than 2 GiB");
}

TEST(MalformedModel, UnknownTensorType) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  const uint32_t input = static_cast<uint32_t>(p.m.input_tensor(0));
  const uint32_t at = fbpos::field(b, l.tensor(input), f::kTensorType);
  ASSERT_NE(at, 0u);  // int8 = 9 is not the default, so it is stored
  b[at] = 100;
  expect_rejected(b, Status::kInvalidModel, "cannot hold");
}

TEST(MalformedModel, PerChannelScaleCountMismatch) {
  std::vector<uint8_t> b = model_bytes("person_detect.tflite");
  Layout l(b);
  Parsed p(b);
  ASSERT_TRUE(p.ok);
  uint32_t target = UINT32_MAX;
  for (uint32_t t = 0; t < p.m.num_tensors() && target == UINT32_MAX; ++t) {
    const micro::TensorInfo info = p.m.tensor(t);
    if (info.quant.count > 2 && info.shape.rank == 4) target = t;
  }
  ASSERT_NE(target, UINT32_MAX);
  const uint32_t q = fbpos::ref(b, l.tensor(target), f::kTensorQuantization);
  const uint32_t scales = fbpos::ref(b, q, f::kQuantScale);
  const uint32_t zps = fbpos::ref(b, q, f::kQuantZeroPoint);
  const uint32_t count = get_u32(b, scales);
  // One scale fewer than channels, zero points to match: only the channel count is wrong.
  put_u32(b, scales, count - 1);
  put_u32(b, zps, count - 1);
  expect_rejected(b, Status::kInvalidModel, "per-channel scales");
  // Scales and zero points disagreeing with each other.
  std::vector<uint8_t> c = model_bytes("person_detect.tflite");
  put_u32(c, zps, count - 1);
  expect_rejected(c, Status::kInvalidModel, "zero points");
}

TEST(MalformedModel, OperatorWritesConstant) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  const int32_t weights = static_cast<int32_t>(get_u32(b, fbpos::scalar(l.op_inputs(0), 1, 4)));
  ASSERT_NE(p.m.tensor(static_cast<uint32_t>(weights)).const_data, nullptr);
  put_u32(b, fbpos::scalar(l.op_outputs(0), 0, 4), static_cast<uint32_t>(weights));
  expect_rejected(b, Status::kInvalidModel, "writes constant tensor", stub_only_resolver());
}

TEST(MalformedModel, OperatorReadsTensorNobodyWrote) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  Parsed p(b);
  // Op 0 reads what op 2 (the last) writes.
  const uint32_t later = get_u32(b, fbpos::scalar(l.op_outputs(p.m.num_operators() - 1), 0, 4));
  put_u32(b, fbpos::scalar(l.op_inputs(0), 0, 4), later);
  expect_rejected(b, Status::kInvalidModel, "before any operator writes it", stub_only_resolver());
}

TEST(MalformedModel, TwoOperatorsWriteOneTensor) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  const uint32_t first = get_u32(b, fbpos::scalar(l.op_outputs(0), 0, 4));
  put_u32(b, fbpos::scalar(l.op_outputs(1), 0, 4), first);
  expect_rejected(b, Status::kInvalidModel, "already", stub_only_resolver());
}

TEST(MalformedModel, OperatorOverwritesSubgraphInput) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  const uint32_t input = get_u32(b, fbpos::scalar(l.inputs, 0, 4));
  put_u32(b, fbpos::scalar(l.op_outputs(1), 0, 4), input);
  expect_rejected(b, Status::kInvalidModel, "subgraph input", stub_only_resolver());
}

TEST(MalformedModel, UnknownOperatorIsUnsupported) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  const uint32_t code = fbpos::element(b, l.opcodes, 0);
  const uint32_t at = fbpos::field(b, code, f::kOpcodeBuiltin);
  const uint32_t dep = fbpos::field(b, code, f::kOpcodeDeprecatedBuiltin);
  ASSERT_NE(at, 0u);
  put_u32(b, at, 250);
  if (dep) b[dep] = 0;
  expect_rejected(b, Status::kUnsupported, "builtin code 250");
}

TEST(MalformedModel, OperatorVersionTooHigh) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  Layout l(b);
  const uint32_t code = fbpos::element(b, l.opcodes, 0);
  const uint32_t at = fbpos::field(b, code, f::kOpcodeVersion);
  ASSERT_NE(at, 0u);
  put_u32(b, at, 1000);
  expect_rejected(b, Status::kUnsupported, "v1000");
}

}  // namespace
}  // namespace tinyforge::test

namespace tinyforge::test {
namespace {

// First quantized tensor of the given type in a model, with its quantization table.
struct QuantTarget {
  uint32_t tensor = UINT32_MAX;
  uint32_t scales = 0;
  uint32_t zero_points = 0;
};

QuantTarget find_quantized(const std::vector<uint8_t>& b, micro::TensorType type) {
  Layout l(b);
  Parsed p(b);
  QuantTarget q;
  for (uint32_t t = 0; t < p.m.num_tensors() && q.tensor == UINT32_MAX; ++t) {
    const micro::TensorInfo info = p.m.tensor(t);
    if (info.type != type || info.quant.count == 0) continue;
    const uint32_t table = fbpos::ref(b, l.tensor(t), f::kTensorQuantization);
    q = {t, fbpos::ref(b, table, f::kQuantScale), fbpos::ref(b, table, f::kQuantZeroPoint)};
  }
  return q;
}

TEST(MalformedModel, ZeroPointOutsideTheTypesRange) {
  std::vector<uint8_t> b = model_bytes("trained_lstm_int8.tflite");
  const QuantTarget q = find_quantized(b, micro::TensorType::kInt8);
  ASSERT_NE(q.tensor, UINT32_MAX);
  const int64_t zp = 128;  // one past int8
  std::memcpy(b.data() + fbpos::scalar(q.zero_points, 0, 8), &zp, 8);
  expect_rejected(b, Status::kInvalidModel, "zero point 128");
}

TEST(MalformedModel, ScaleThatIsNotAFiniteNumber) {
  std::vector<uint8_t> b = model_bytes("hello_world_int8.tflite");
  const QuantTarget q = find_quantized(b, micro::TensorType::kInt8);
  ASSERT_NE(q.tensor, UINT32_MAX);
  put_u32(b, fbpos::scalar(q.scales, 0, 4), 0x7fc00000u);  // NaN
  expect_rejected(b, Status::kInvalidModel, "not a finite number");
  put_u32(b, fbpos::scalar(q.scales, 0, 4), 0xff800000u);  // -inf
  expect_rejected(b, Status::kInvalidModel, "not a finite number");
}

}  // namespace
}  // namespace tinyforge::test
