#include "tinyforge/micro/model.h"

#include <float.h>
#include <stdarg.h>

namespace tinyforge {
namespace micro {

int32_t Shape::flat_size() const {
  int32_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  return n;
}

bool Shape::equals(const Shape& o) const {
  if (rank != o.rank) return false;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] != o.dims[i]) return false;
  }
  return true;
}

Status Model::fail(ErrorBuffer* err, const char* fmt, ...) const {
  va_list args;
  va_start(args, fmt);
  err->vset(fmt, args);
  va_end(args);
  return Status::kInvalidModel;
}

namespace {

constexpr uint32_t kMaxTensorBytes = 0x7fffffffu;
constexpr uint32_t kMaxTensors = 0xfffeu - 32u;

const char* tensor_name(const fb::Table& t) { return t.string(field::kTensorName).c_str_or(""); }

// The BuiltinOptions union member (schema.fbs order, 1-based) each op's options must be,
// so a kernel never reads one options table as another. 0: not checked.
uint8_t expected_options_type(int32_t builtin) {
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
    case op::kSqueeze: return 30;
    case op::kStridedSlice: return 32;
    case op::kCast: return 37;
    case op::kDequantize: return 38;
    case op::kExpandDims: return 52;
    case op::kUnidirectionalSequenceLstm: return 71;
    case op::kLeakyRelu: return 75;
    case op::kQuantize: return 89;
    case op::kHardSwish: return 91;
    default: return 0;
  }
}

}  // namespace

Status Model::verify(const uint8_t* data, size_t size, ErrorBuffer* err) {
  verified_ = false;
  if (data == nullptr || size == 0) return fail(err, "model is empty");
  if (size < 16) return fail(err, "model is %u bytes: too short to be a .tflite file", static_cast<unsigned>(size));
  if (size > 0x7fffffffu) return fail(err, "model is larger than 2 GiB: not supported");
  buf_.data = data;
  buf_.size = static_cast<uint32_t>(size);

  model_ = fb::Table::root(buf_);
  if (!model_.ok()) return fail(err, "not a FlatBuffer: the root table offset or its vtable is out of bounds");
  if (data[4] != 'T' || data[5] != 'F' || data[6] != 'L' || data[7] != '3') {
    return fail(err, "not a .tflite file: file identifier is not \"TFL3\"");
  }
  const uint32_t version = model_.scalar<uint32_t>(field::kModelVersion, 0);
  if (version != 3) return fail(err, "schema version %u is not supported (expected 3)", version);

  fb::FieldState st;
  fb::String desc = model_.string(field::kModelDescription, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "model description string is out of bounds");
  description_ = desc.c_str_or("");

  opcodes_ = model_.vector(field::kModelOperatorCodes, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "operator_codes vector is out of bounds");
  buffers_ = model_.vector(field::kModelBuffers, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "buffers vector is out of bounds");
  fb::Vector subgraphs = model_.vector(field::kModelSubgraphs, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "subgraphs vector is out of bounds");
  if (subgraphs.size() != 1) {
    return fail(err, "model has %u subgraphs; this runtime runs exactly one", subgraphs.size());
  }
  subgraph_ = fb::Table::table_at(subgraphs, 0);
  if (!subgraph_.ok()) return fail(err, "subgraph 0 is out of bounds");

  tensors_ = subgraph_.vector(field::kSubgraphTensors, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "tensors vector is out of bounds");
  operators_ = subgraph_.vector(field::kSubgraphOperators, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "operators vector is out of bounds");
  inputs_ = subgraph_.vector(field::kSubgraphInputs, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "subgraph inputs vector is out of bounds");
  outputs_ = subgraph_.vector(field::kSubgraphOutputs, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "subgraph outputs vector is out of bounds");
  // The planner numbers buffers (tensors plus up to 24 scratch requests) in 16 bits, with
  // 0xffff meaning "none": tensors must leave room for them.
  if (tensors_.size() > kMaxTensors) {
    return fail(err, "model has %u tensors; at most %u are supported", tensors_.size(), kMaxTensors);
  }
  if (operators_.size() > 0xfffe) {
    return fail(err, "model has %u operators; at most 65534 are supported", operators_.size());
  }
  if (outputs_.size() == 0) return fail(err, "subgraph has no outputs");

  // Every buffer table must be readable; large-model external data is not supported.
  for (uint32_t b = 0; b < buffers_.size(); ++b) {
    fb::Table bt = fb::Table::table_at(buffers_, b);
    if (!bt.ok()) return fail(err, "buffer %u is out of bounds", b);
    bt.vector(field::kBufferData, 1, &st);
    if (st == fb::FieldState::kBroken) return fail(err, "buffer %u: data is out of bounds", b);
    if (bt.scalar<uint64_t>(field::kBufferOffset, 0) > 1) {
      return fail(err, "buffer %u keeps its data outside the FlatBuffer (models over 2 GiB): not supported", b);
    }
  }
  // Every operator code must be readable.
  for (uint32_t c = 0; c < opcodes_.size(); ++c) {
    fb::Table ct = fb::Table::table_at(opcodes_, c);
    if (!ct.ok()) return fail(err, "operator code %u is out of bounds", c);
    ct.string(field::kOpcodeCustom, &st);
    if (st == fb::FieldState::kBroken) return fail(err, "operator code %u: custom_code string is out of bounds", c);
  }
  for (uint32_t i = 0; i < tensors_.size(); ++i) {
    Status s = verify_tensor(i, err);
    if (s != Status::kOk) return s;
  }
  for (uint32_t i = 0; i < inputs_.size(); ++i) {
    const int32_t t = inputs_.i32(i);
    if (t < 0 || static_cast<uint32_t>(t) >= tensors_.size()) {
      return fail(err, "subgraph input %u refers to tensor %d, but there are %u tensors", i, t, tensors_.size());
    }
    if (tensor(static_cast<uint32_t>(t)).const_data) {
      return fail(err, "subgraph input %u (tensor %d '%s') is a constant", i, t, tensor(static_cast<uint32_t>(t)).name);
    }
  }
  for (uint32_t i = 0; i < outputs_.size(); ++i) {
    const int32_t t = outputs_.i32(i);
    if (t < 0 || static_cast<uint32_t>(t) >= tensors_.size()) {
      return fail(err, "subgraph output %u refers to tensor %d, but there are %u tensors", i, t, tensors_.size());
    }
  }
  for (uint32_t i = 0; i < operators_.size(); ++i) {
    Status s = verify_operator(i, err);
    if (s != Status::kOk) return s;
  }
  verified_ = true;
  return Status::kOk;
}

Status Model::verify_tensor(uint32_t i, ErrorBuffer* err) const {
  fb::Table t = fb::Table::table_at(tensors_, i);
  if (!t.ok()) return fail(err, "tensor %u is out of bounds", i);
  fb::FieldState st;
  t.string(field::kTensorName, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "tensor %u: name string is out of bounds", i);
  const char* name = tensor_name(t);

  fb::Vector shape = t.vector(field::kTensorShape, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "tensor %u '%s': shape is out of bounds", i, name);
  if (shape.size() > static_cast<uint32_t>(kMaxRank)) {
    return fail(err, "tensor %u '%s' has rank %u; at most %d is supported", i, name, shape.size(), kMaxRank);
  }
  const TensorType type = static_cast<TensorType>(t.scalar<int8_t>(field::kTensorType, 0));
  const size_t elem = type_size(type);
  if (elem == 0) {
    return fail(err, "tensor %u '%s' has type %s (%d), which this runtime cannot hold", i, name, type_name(type),
                static_cast<int>(type));
  }
  uint64_t bytes = elem;
  // The product of the non-zero dimensions is bounded too: an empty tensor such as
  // [0, 2^31-1, 2^31-1] would otherwise overflow any kernel's partial products.
  uint64_t nonzero_bytes = elem;
  for (uint32_t d = 0; d < shape.size(); ++d) {
    const int32_t dim = shape.i32(d);
    if (dim < 0) {
      return fail(err, "tensor %u '%s' has a dynamic dimension (%d at axis %u); micro models need static shapes",
                  i, name, dim, d);
    }
    bytes *= static_cast<uint64_t>(dim);
    if (dim > 0) nonzero_bytes *= static_cast<uint64_t>(dim);
    if (bytes > kMaxTensorBytes || nonzero_bytes > kMaxTensorBytes) {
      return fail(err, "tensor %u '%s' is larger than 2 GiB", i, name);
    }
  }
  if (t.has(field::kTensorSparsity)) return fail(err, "tensor %u '%s' is sparse: not supported", i, name);
  if (t.scalar<uint32_t>(field::kTensorExternalBuffer, 0) != 0) {
    return fail(err, "tensor %u '%s' uses an external buffer: not supported", i, name);
  }

  const uint32_t buffer = t.scalar<uint32_t>(field::kTensorBuffer, 0);
  if (buffer >= buffers_.size() && !(buffer == 0 && buffers_.size() == 0)) {
    return fail(err, "tensor %u '%s' refers to buffer %u, but there are %u buffers", i, name, buffer,
                buffers_.size());
  }
  if (buffer < buffers_.size()) {
    fb::Vector dataset = fb::Table::table_at(buffers_, buffer).vector(field::kBufferData, 1);
    if (dataset.ok() && dataset.size() > 0) {
      if (dataset.size() != bytes) {
        return fail(err, "tensor %u '%s': buffer %u holds %u bytes, but shape x type needs %u", i, name, buffer,
                    dataset.size(), static_cast<unsigned>(bytes));
      }
      const uintptr_t addr = reinterpret_cast<uintptr_t>(dataset.data());
      const size_t align = elem > 8 ? 8 : elem;
      if (addr % align != 0) {
        return fail(err,
                    "tensor %u '%s': constant data is not aligned to %u bytes (load the model at a 16-byte aligned "
                    "address)",
                    i, name, static_cast<unsigned>(align));
      }
      if (t.boolean(field::kTensorIsVariable)) {
        return fail(err, "tensor %u '%s' is both variable and constant", i, name);
      }
    }
  }

  fb::Table q = t.table(field::kTensorQuantization, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "tensor %u '%s': quantization is out of bounds", i, name);
  if (q.ok()) {
    fb::Vector scales = q.vector(field::kQuantScale, 4, &st);
    if (st == fb::FieldState::kBroken) return fail(err, "tensor %u '%s': quantization scales are out of bounds", i, name);
    fb::Vector zps = q.vector(field::kQuantZeroPoint, 8, &st);
    if (st == fb::FieldState::kBroken) {
      return fail(err, "tensor %u '%s': quantization zero points are out of bounds", i, name);
    }
    q.vector(field::kQuantMin, 4, &st);
    if (st == fb::FieldState::kBroken) return fail(err, "tensor %u '%s': quantization min is out of bounds", i, name);
    q.vector(field::kQuantMax, 4, &st);
    if (st == fb::FieldState::kBroken) return fail(err, "tensor %u '%s': quantization max is out of bounds", i, name);
    if (q.has(field::kQuantDetails)) {
      return fail(err, "tensor %u '%s' uses custom/blockwise quantization details: not supported", i, name);
    }
    if (scales.size() > 0 && zps.size() != scales.size()) {
      return fail(err, "tensor %u '%s' has %u quantization scales but %u zero points", i, name, scales.size(),
                  zps.size());
    }
    if (scales.size() > 1) {
      const int32_t qd = q.scalar<int32_t>(field::kQuantDimension, 0);
      // Google's converter writes the filter's quantized_dimension (3) on rank-1 per-channel
      // biases too; such a bias is per-channel along its only axis.
      const bool rank1 = shape.size() == 1 && static_cast<uint32_t>(shape.i32(0)) == scales.size();
      if (!rank1 && (qd < 0 || static_cast<uint32_t>(qd) >= shape.size())) {
        return fail(err, "tensor %u '%s': quantized_dimension %d is outside its rank %u", i, name, qd, shape.size());
      }
      if (!rank1 && static_cast<uint32_t>(shape.i32(static_cast<uint32_t>(qd))) != scales.size()) {
        return fail(err, "tensor %u '%s' has %u per-channel scales but dimension %d has size %d", i, name,
                    scales.size(), qd, shape.i32(static_cast<uint32_t>(qd)));
      }
    }
    // Kernels add zero points to stored values and rescale by the scales: a zero point
    // outside the stored type's range, or a scale that is not a finite number, overflows
    // their arithmetic. Converters never write either.
    int64_t zp_min = 0, zp_max = 0;
    if (type == TensorType::kInt8) zp_min = -128, zp_max = 127;
    if (type == TensorType::kUInt8) zp_min = 0, zp_max = 255;
    if (type == TensorType::kInt16) zp_min = -32768, zp_max = 32767;
    if (zp_max != 0) {
      for (uint32_t k = 0; k < zps.size(); ++k) {
        const int64_t zp = zps.get<int64_t>(k);
        if (zp < zp_min || zp > zp_max) {
          return fail(err, "tensor %u '%s' (%s) has zero point %ld at channel %u, outside the type's range", i, name,
                      type_name(type), static_cast<long>(zp), k);
        }
      }
    }
    for (uint32_t k = 0; k < scales.size(); ++k) {
      const float sc = scales.get<float>(k);
      if (!(sc == sc) || sc > FLT_MAX || sc < -FLT_MAX) {
        return fail(err, "tensor %u '%s' has a quantization scale that is not a finite number (channel %u)", i, name,
                    k);
      }
    }
    if (q.broken()) return fail(err, "tensor %u '%s': quantization table is malformed", i, name);
  }
  if (t.broken()) return fail(err, "tensor %u '%s': table is malformed", i, name);
  return Status::kOk;
}

Status Model::verify_operator(uint32_t i, ErrorBuffer* err) const {
  fb::Table o = fb::Table::table_at(operators_, i);
  if (!o.ok()) return fail(err, "operator %u is out of bounds", i);
  const uint32_t code_index = o.scalar<uint32_t>(field::kOpOpcodeIndex, 0);
  if (code_index >= opcodes_.size()) {
    return fail(err, "op %u uses operator code %u, but there are %u", i, code_index, opcodes_.size());
  }
  const OpCode code = opcode(code_index);
  const char* name = code.builtin == op::kCustom ? code.custom : builtin_op_name(code.builtin);
  fb::FieldState st;
  fb::Vector ins = o.vector(field::kOpInputs, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "op %u (%s): inputs are out of bounds", i, name);
  fb::Vector outs = o.vector(field::kOpOutputs, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "op %u (%s): outputs are out of bounds", i, name);
  fb::Vector inter = o.vector(field::kOpIntermediates, 4, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "op %u (%s): intermediates are out of bounds", i, name);
  for (uint32_t k = 0; k < ins.size(); ++k) {
    const int32_t t = ins.i32(k);
    if (t < -1 || t >= static_cast<int32_t>(tensors_.size())) {
      return fail(err, "op %u (%s): input %u refers to tensor %d, but there are %u tensors", i, name, k, t,
                  tensors_.size());
    }
  }
  for (uint32_t k = 0; k < outs.size(); ++k) {
    const int32_t t = outs.i32(k);
    if (t < 0 || t >= static_cast<int32_t>(tensors_.size())) {
      return fail(err, "op %u (%s): output %u refers to tensor %d, but there are %u tensors", i, name, k, t,
                  tensors_.size());
    }
  }
  for (uint32_t k = 0; k < inter.size(); ++k) {
    const int32_t t = inter.i32(k);
    if (t < 0 || t >= static_cast<int32_t>(tensors_.size())) {
      return fail(err, "op %u (%s): intermediate %u refers to tensor %d, but there are %u tensors", i, name, k, t,
                  tensors_.size());
    }
  }
  o.table(field::kOpBuiltinOptions, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "op %u (%s): builtin options are out of bounds", i, name);
  const uint8_t want = expected_options_type(code.builtin);
  const uint8_t have = o.scalar<uint8_t>(field::kOpBuiltinOptionsType, 0);
  if (st == fb::FieldState::kPresent && want != 0 && have != want) {
    return fail(err, "op %u (%s): builtin options are union type %u, expected %u", i, name, have, want);
  }
  o.vector(field::kOpCustomOptions, 1, &st);
  if (st == fb::FieldState::kBroken) return fail(err, "op %u (%s): custom options are out of bounds", i, name);
  if (o.scalar<uint64_t>(field::kOpLargeCustomOffset, 0) > 1) {
    return fail(err, "op %u (%s) keeps custom options outside the FlatBuffer: not supported", i, name);
  }
  if (o.broken()) return fail(err, "op %u (%s): operator table is malformed", i, name);
  return Status::kOk;
}

TensorInfo Model::tensor(uint32_t index) const {
  TensorInfo info;
  fb::Table t = fb::Table::table_at(tensors_, index);
  if (!t.ok()) return info;
  info.index = static_cast<int32_t>(index);
  info.type = static_cast<TensorType>(t.scalar<int8_t>(field::kTensorType, 0));
  fb::Vector shape = t.vector(field::kTensorShape, 4);
  info.shape.rank = static_cast<int32_t>(shape.size() <= static_cast<uint32_t>(kMaxRank) ? shape.size() : 0);
  for (int d = 0; d < info.shape.rank; ++d) info.shape.dims[d] = shape.i32(static_cast<uint32_t>(d));
  info.bytes = static_cast<uint32_t>(type_size(info.type)) * static_cast<uint32_t>(info.shape.flat_size());
  info.is_variable = t.boolean(field::kTensorIsVariable);
  info.name = tensor_name(t);
  const uint32_t buffer = t.scalar<uint32_t>(field::kTensorBuffer, 0);
  if (buffer < buffers_.size()) {
    fb::Vector data = fb::Table::table_at(buffers_, buffer).vector(field::kBufferData, 1);
    if (data.ok() && data.size() > 0) info.const_data = data.data();
  }
  fb::Table q = t.table(field::kTensorQuantization);
  if (q.ok()) {
    info.quant.scales = q.vector(field::kQuantScale, 4);
    info.quant.zero_points = q.vector(field::kQuantZeroPoint, 8);
    info.quant.count = info.quant.scales.size();
    info.quant.quantized_dimension = q.scalar<int32_t>(field::kQuantDimension, 0);
    // verify() accepts a rank-1 per-channel tensor whatever its quantized_dimension says
    // (converters write the filter's); kernels must then see the only axis there is.
    if (info.shape.rank == 1 && info.quant.count > 1) info.quant.quantized_dimension = 0;
  }
  return info;
}

OpCode Model::opcode(uint32_t opcode_index) const {
  OpCode code;
  fb::Table c = fb::Table::table_at(opcodes_, opcode_index);
  if (!c.ok()) return code;
  // The schema keeps the old byte-sized code for compatibility: the real code is the larger.
  const int32_t deprecated = c.scalar<int8_t>(field::kOpcodeDeprecatedBuiltin, 0);
  const int32_t builtin = c.scalar<int32_t>(field::kOpcodeBuiltin, 0);
  code.builtin = builtin > deprecated ? builtin : deprecated;
  code.custom = c.string(field::kOpcodeCustom).c_str_or("");
  code.version = c.scalar<int32_t>(field::kOpcodeVersion, 1);
  return code;
}

OpCode Model::op_code_of(uint32_t op_index) const {
  return opcode(op_table(op_index).scalar<uint32_t>(field::kOpOpcodeIndex, 0));
}

fb::Vector Model::op_inputs(uint32_t op_index) const { return op_table(op_index).vector(field::kOpInputs, 4); }
fb::Vector Model::op_outputs(uint32_t op_index) const { return op_table(op_index).vector(field::kOpOutputs, 4); }
fb::Vector Model::op_intermediates(uint32_t op_index) const {
  return op_table(op_index).vector(field::kOpIntermediates, 4);
}
fb::Table Model::op_options(uint32_t op_index) const { return op_table(op_index).table(field::kOpBuiltinOptions); }
fb::Vector Model::op_custom_options(uint32_t op_index) const {
  return op_table(op_index).vector(field::kOpCustomOptions, 1);
}

fb::Vector Model::metadata(const char* name) const {
  fb::Vector list = model_.vector(field::kModelMetadata, 4);
  for (uint32_t i = 0; i < list.size(); ++i) {
    fb::Table m = fb::Table::table_at(list, i);
    fb::String n = m.string(field::kMetadataName);
    if (!n.ok()) continue;
    const char* a = n.text;
    const char* b = name;
    while (*a && *a == *b) {
      ++a;
      ++b;
    }
    if (*a != *b) continue;
    const uint32_t buffer = m.scalar<uint32_t>(field::kMetadataBuffer, 0);
    if (buffer >= buffers_.size()) return fb::Vector();
    return fb::Table::table_at(buffers_, buffer).vector(field::kBufferData, 1);
  }
  return fb::Vector();
}

uint32_t Model::weight_bytes() const {
  uint32_t total = 0;
  for (uint32_t i = 0; i < tensors_.size(); ++i) {
    const TensorInfo t = tensor(i);
    if (t.const_data) total += t.bytes;
  }
  return total;
}

}  // namespace micro
}  // namespace tinyforge
