// Graph -> .tflite bytes, laid out as TFLite's converter lays them out: schema version 3,
// buffer 0 the empty sentinel, one buffer per constant tensor (data 16-byte aligned), operator
// codes deduplicated by (builtin, custom, version), builtin options in the op's union member.
#include <map>
#include <tuple>

#include "convert/tflite_options.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {

namespace {

namespace fb = flatbuffers;
namespace op = micro::op;

constexpr uint32_t kSchemaVersion = 3;
constexpr size_t kBufferAlignment = 16;
constexpr uint64_t kMaxDataBytes = 0x7f000000;  // leaves room for the tables under 2^31

tflite::ActivationFunctionType act(const OpOptions& o) {
  return static_cast<tflite::ActivationFunctionType>(o.activation);
}
tflite::Padding pad(const OpOptions& o) {
  return static_cast<tflite::Padding>(o.padding);
}
tflite::TensorType tensor_type(const Graph& g, const std::vector<int32_t>& list) {
  if (list.empty() || list[0] < 0) return tflite::TensorType_FLOAT32;
  return static_cast<tflite::TensorType>(g.tensors[static_cast<size_t>(list[0])].type);
}

fb::Offset<fb::Vector<uint8_t>> aligned_bytes(fb::FlatBufferBuilder& b, const std::vector<uint8_t>& bytes) {
  b.ForceVectorAlignment(bytes.size(), 1, kBufferAlignment);
  return b.CreateVector(bytes);
}

// The options table of one operator; only the fields the op's table has are taken from
// OpOptions. Returns 0 for ops without an options table.
fb::Offset<void> write_options(fb::FlatBufferBuilder& b, const Graph& g, const GraphOp& o) {
  const OpOptions& x = o.options;
  switch (o.builtin) {
    case op::kConv2D:
      return tflite::CreateConv2DOptions(b, pad(x), x.stride_w, x.stride_h, act(x), x.dilation_w, x.dilation_h).Union();
    case op::kDepthwiseConv2D:
      return tflite::CreateDepthwiseConv2DOptions(b, pad(x), x.stride_w, x.stride_h, x.depth_multiplier, act(x),
                                                  x.dilation_w, x.dilation_h)
          .Union();
    case op::kAveragePool2D:
    case op::kMaxPool2D:
      return tflite::CreatePool2DOptions(b, pad(x), x.stride_w, x.stride_h, x.filter_w, x.filter_h, act(x)).Union();
    case op::kSvdf: return tflite::CreateSVDFOptions(b, x.rank, act(x), x.asymmetric_quantize_inputs).Union();
    case op::kFullyConnected:
      return tflite::CreateFullyConnectedOptions(b, act(x), tflite::FullyConnectedOptionsWeightsFormat_DEFAULT,
                                                 x.keep_num_dims, x.asymmetric_quantize_inputs)
          .Union();
    case op::kSoftmax: return tflite::CreateSoftmaxOptions(b, x.beta).Union();
    case op::kConcatenation: return tflite::CreateConcatenationOptions(b, x.axis, act(x)).Union();
    case op::kAdd: return tflite::CreateAddOptions(b, act(x), x.pot_scale_int16).Union();
    case op::kSub: return tflite::CreateSubOptions(b, act(x), x.pot_scale_int16).Union();
    case op::kMul: return tflite::CreateMulOptions(b, act(x)).Union();
    case op::kDiv: return tflite::CreateDivOptions(b, act(x)).Union();
    case op::kReshape: {
      // No new_shape: the shape comes from the shape input or the output tensor.
      const auto shape = x.new_shape.empty() ? 0 : b.CreateVector(x.new_shape);
      return tflite::CreateReshapeOptions(b, shape).Union();
    }
    case op::kSqueeze: {
      const auto dims = x.squeeze_dims.empty() ? 0 : b.CreateVector(x.squeeze_dims);
      return tflite::CreateSqueezeOptions(b, dims).Union();
    }
    case op::kMean: return tflite::CreateReducerOptions(b, x.keep_dims).Union();
    case op::kStridedSlice:
      return tflite::CreateStridedSliceOptions(b, x.begin_mask, x.end_mask, x.ellipsis_mask, x.new_axis_mask,
                                               x.shrink_axis_mask)
          .Union();
    case op::kUnidirectionalSequenceLstm:
      return tflite::CreateUnidirectionalSequenceLSTMOptions(b, act(x), x.cell_clip, x.proj_clip, x.time_major,
                                                             x.asymmetric_quantize_inputs)
          .Union();
    case op::kLeakyRelu: return tflite::CreateLeakyReluOptions(b, x.alpha).Union();
    // CAST's options repeat its tensors' types.
    case op::kCast: return tflite::CreateCastOptions(b, tensor_type(g, o.inputs), tensor_type(g, o.outputs)).Union();
    case op::kPad: return tflite::CreatePadOptions(b).Union();
    case op::kTranspose: return tflite::CreateTransposeOptions(b).Union();
    case op::kDequantize: return tflite::CreateDequantizeOptions(b).Union();
    case op::kQuantize: return tflite::CreateQuantizeOptions(b).Union();
    case op::kMaximum:
    case op::kMinimum: return tflite::CreateMaximumMinimumOptions(b).Union();
    case op::kExpandDims: return tflite::CreateExpandDimsOptions(b).Union();
    case op::kHardSwish: return tflite::CreateHardSwishOptions(b).Union();
    default: return 0;
  }
}

fb::Offset<tflite::QuantizationParameters> write_quant(fb::FlatBufferBuilder& b, const QuantParams& q) {
  if (!q.quantized() && q.min.empty()) return 0;
  const auto min = q.min.empty() ? 0 : b.CreateVector(q.min);
  const auto max = q.max.empty() ? 0 : b.CreateVector(q.max);
  const auto scale = q.scales.empty() ? 0 : b.CreateVector(q.scales);
  const auto zero_point = q.zero_points.empty() ? 0 : b.CreateVector(q.zero_points);
  return tflite::CreateQuantizationParameters(b, min, max, scale, zero_point, tflite::QuantizationDetails_NONE, 0,
                                              q.axis);
}

struct OpCodeKey {
  int32_t builtin;
  std::string custom;
  int32_t version;
  bool operator<(const OpCodeKey& o) const {
    return std::tie(builtin, custom, version) < std::tie(o.builtin, o.custom, o.version);
  }
};

}  // namespace

std::vector<uint8_t> write_tflite(const Graph& g) {
  g.validate();
  // FlatBuffers offsets are 32-bit: larger models would need data outside the buffer.
  uint64_t data_bytes = 0;
  for (const GraphTensor& t : g.tensors) data_bytes += t.data.size();
  for (const auto& entry : g.metadata) data_bytes += entry.second.size();
  if (data_bytes > kMaxDataBytes) {
    throw Error("model holds " + std::to_string(data_bytes) + " bytes of data; a .tflite file holds under 2 GB");
  }
  fb::FlatBufferBuilder b(1024);

  // Buffers: 0 is the empty sentinel, then one per constant tensor, then the metadata.
  std::vector<fb::Offset<tflite::Buffer>> buffers;
  buffers.push_back(tflite::CreateBuffer(b));
  std::vector<uint32_t> tensor_buffer(g.tensors.size(), 0);
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (!g.tensors[i].is_constant()) continue;
    tensor_buffer[i] = static_cast<uint32_t>(buffers.size());
    buffers.push_back(tflite::CreateBuffer(b, aligned_bytes(b, g.tensors[i].data)));
  }
  std::vector<fb::Offset<tflite::Metadata>> metadata;
  for (const auto& [name, bytes] : g.metadata) {
    const auto data = aligned_bytes(b, bytes);
    const uint32_t index = static_cast<uint32_t>(buffers.size());
    buffers.push_back(tflite::CreateBuffer(b, data));
    metadata.push_back(tflite::CreateMetadata(b, b.CreateString(name), index));
  }

  std::vector<fb::Offset<tflite::Tensor>> tensors;
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const GraphTensor& t = g.tensors[i];
    const auto shape = b.CreateVector(t.shape);
    const auto name = b.CreateString(t.name);
    const auto quant = write_quant(b, t.quant);
    tensors.push_back(tflite::CreateTensor(b, shape, static_cast<tflite::TensorType>(t.type), tensor_buffer[i], name,
                                           quant, t.is_variable));
  }

  std::map<OpCodeKey, uint32_t> code_index;
  std::vector<fb::Offset<tflite::OperatorCode>> codes;
  std::vector<fb::Offset<tflite::Operator>> operators;
  for (const GraphOp& o : g.ops) {
    const OpCodeKey key{o.builtin, o.builtin == op::kCustom ? o.custom_code : std::string(), o.version};
    auto it = code_index.find(key);
    if (it == code_index.end()) {
      // Readers older than 3a look only at the byte-sized code; 127 tells newer ones to
      // read builtin_code.
      const int8_t deprecated = static_cast<int8_t>(o.builtin < 127 ? o.builtin : 127);
      const auto custom = key.custom.empty() ? 0 : b.CreateString(key.custom);
      codes.push_back(tflite::CreateOperatorCode(b, deprecated, custom, o.version,
                                                 static_cast<tflite::BuiltinOperator>(o.builtin)));
      it = code_index.emplace(key, static_cast<uint32_t>(codes.size() - 1)).first;
    }
    const auto inputs = b.CreateVector(o.inputs);
    const auto outputs = b.CreateVector(o.outputs);
    const auto options = write_options(b, g, o);
    const auto options_type = options.IsNull() ? tflite::BuiltinOptions_NONE : options_type_for(o.builtin);
    const auto custom = o.custom_options.empty() ? 0 : b.CreateVector(o.custom_options);
    const auto intermediates = o.intermediates.empty() ? 0 : b.CreateVector(o.intermediates);
    operators.push_back(tflite::CreateOperator(b, it->second, inputs, outputs, options_type, options, custom,
                                               tflite::CustomOptionsFormat_FLEXBUFFERS, 0, intermediates));
  }

  const auto subgraph =
      tflite::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(g.inputs), b.CreateVector(g.outputs),
                             b.CreateVector(operators), b.CreateString("main"));
  const auto description = g.description.empty() ? 0 : b.CreateString(g.description);
  const auto model =
      tflite::CreateModel(b, kSchemaVersion, b.CreateVector(codes), b.CreateVector(&subgraph, 1), description,
                          b.CreateVector(buffers), 0, metadata.empty() ? 0 : b.CreateVector(metadata));
  tflite::FinishModelBuffer(b, model);
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

}  // namespace tinyforge::convert
