// .tflite bytes -> Graph. The FlatBuffers verifier checks every offset first; then each field
// the Graph cannot represent is either dropped when it carries no meaning for inference
// (signature defs, shape signatures, mutating_variable_inputs) or rejected with an Error.
#include <algorithm>
#include <cstring>
#include <string>

#include "convert/tflite_options.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"

namespace tinyforge::convert {

namespace {

namespace fb = flatbuffers;
namespace op = micro::op;

constexpr int kLastTensorType = static_cast<int>(micro::TensorType::kInt4);

template <typename T>
std::vector<T> to_vector(const fb::Vector<T>* v) {
  if (v == nullptr) return {};
  return std::vector<T>(v->begin(), v->end());
}

std::string to_string(const fb::String* s) {
  return s == nullptr ? std::string() : s->str();
}

std::string op_label(size_t index, int32_t builtin, const std::string& custom) {
  const std::string name = builtin == op::kCustom ? "CUSTOM(" + custom + ")" : micro::builtin_op_name(builtin);
  return "op " + std::to_string(index) + " (" +
         (name == "UNKNOWN" ? "BUILTIN(" + std::to_string(builtin) + ")" : name) + ")";
}

micro::Activation act(tflite::ActivationFunctionType a, const std::string& label) {
  if (a < tflite::ActivationFunctionType_MIN || a > tflite::ActivationFunctionType_MAX) {
    throw Error(label + ": unknown fused activation " + std::to_string(static_cast<int>(a)));
  }
  return static_cast<micro::Activation>(a);
}

micro::Padding pad(tflite::Padding p, const std::string& label) {
  if (p < tflite::Padding_MIN || p > tflite::Padding_MAX) {
    throw Error(label + ": unknown padding " + std::to_string(static_cast<int>(p)));
  }
  return static_cast<micro::Padding>(p);
}

void unsupported_field(bool set, const std::string& label, const char* field) {
  if (set) throw Error(label + ": option " + field + " is set, which the converter does not support");
}

// Fills `out` from the op's options table. The union member must be the op's own.
void read_options(const tflite::Operator* o, const std::string& label, GraphOp& out) {
  const tflite::BuiltinOptions type = o->builtin_options_type();
  if (type == tflite::BuiltinOptions_NONE) return;
  const tflite::BuiltinOptions want = options_type_for(out.builtin);
  if (want == tflite::BuiltinOptions_NONE) {
    throw Error(label + " has builtin options (union type " + std::to_string(static_cast<int>(type)) +
                ") the converter does not know");
  }
  if (type != want) {
    throw Error(label + ": builtin options are union type " + std::to_string(static_cast<int>(type)) + ", expected " +
                std::to_string(static_cast<int>(want)));
  }
  // The verifier accepts a union type without its table; every accessor below needs it.
  if (o->builtin_options() == nullptr) {
    throw Error(label + ": builtin options union type " + std::to_string(static_cast<int>(type)) +
                " is set but its table is missing");
  }
  OpOptions& x = out.options;
  switch (type) {
    case tflite::BuiltinOptions_Conv2DOptions: {
      const auto* p = o->builtin_options_as_Conv2DOptions();
      x.padding = pad(p->padding(), label);
      x.stride_w = p->stride_w();
      x.stride_h = p->stride_h();
      x.activation = act(p->fused_activation_function(), label);
      x.dilation_w = p->dilation_w_factor();
      x.dilation_h = p->dilation_h_factor();
      unsupported_field(p->quantized_bias_type() != tflite::TensorType_FLOAT32, label, "quantized_bias_type");
      break;
    }
    case tflite::BuiltinOptions_DepthwiseConv2DOptions: {
      const auto* p = o->builtin_options_as_DepthwiseConv2DOptions();
      x.padding = pad(p->padding(), label);
      x.stride_w = p->stride_w();
      x.stride_h = p->stride_h();
      x.depth_multiplier = p->depth_multiplier();
      x.activation = act(p->fused_activation_function(), label);
      x.dilation_w = p->dilation_w_factor();
      x.dilation_h = p->dilation_h_factor();
      break;
    }
    case tflite::BuiltinOptions_Pool2DOptions: {
      const auto* p = o->builtin_options_as_Pool2DOptions();
      x.padding = pad(p->padding(), label);
      x.stride_w = p->stride_w();
      x.stride_h = p->stride_h();
      x.filter_w = p->filter_width();
      x.filter_h = p->filter_height();
      x.activation = act(p->fused_activation_function(), label);
      break;
    }
    case tflite::BuiltinOptions_SVDFOptions: {
      const auto* p = o->builtin_options_as_SVDFOptions();
      x.rank = p->rank();
      x.activation = act(p->fused_activation_function(), label);
      x.asymmetric_quantize_inputs = p->asymmetric_quantize_inputs();
      break;
    }
    case tflite::BuiltinOptions_FullyConnectedOptions: {
      const auto* p = o->builtin_options_as_FullyConnectedOptions();
      x.activation = act(p->fused_activation_function(), label);
      unsupported_field(p->weights_format() != tflite::FullyConnectedOptionsWeightsFormat_DEFAULT, label,
                        "weights_format (shuffled weights)");
      x.keep_num_dims = p->keep_num_dims();
      x.asymmetric_quantize_inputs = p->asymmetric_quantize_inputs();
      unsupported_field(p->quantized_bias_type() != tflite::TensorType_FLOAT32, label, "quantized_bias_type");
      break;
    }
    case tflite::BuiltinOptions_SoftmaxOptions: x.beta = o->builtin_options_as_SoftmaxOptions()->beta(); break;
    case tflite::BuiltinOptions_ConcatenationOptions: {
      const auto* p = o->builtin_options_as_ConcatenationOptions();
      x.axis = p->axis();
      x.activation = act(p->fused_activation_function(), label);
      break;
    }
    case tflite::BuiltinOptions_AddOptions: {
      const auto* p = o->builtin_options_as_AddOptions();
      x.activation = act(p->fused_activation_function(), label);
      x.pot_scale_int16 = p->pot_scale_int16();
      break;
    }
    case tflite::BuiltinOptions_SubOptions: {
      const auto* p = o->builtin_options_as_SubOptions();
      x.activation = act(p->fused_activation_function(), label);
      x.pot_scale_int16 = p->pot_scale_int16();
      break;
    }
    case tflite::BuiltinOptions_MulOptions:
      x.activation = act(o->builtin_options_as_MulOptions()->fused_activation_function(), label);
      break;
    case tflite::BuiltinOptions_DivOptions:
      x.activation = act(o->builtin_options_as_DivOptions()->fused_activation_function(), label);
      break;
    case tflite::BuiltinOptions_ReshapeOptions:
      x.new_shape = to_vector(o->builtin_options_as_ReshapeOptions()->new_shape());
      break;
    case tflite::BuiltinOptions_SqueezeOptions:
      x.squeeze_dims = to_vector(o->builtin_options_as_SqueezeOptions()->squeeze_dims());
      break;
    case tflite::BuiltinOptions_ReducerOptions:
      x.keep_dims = o->builtin_options_as_ReducerOptions()->keep_dims();
      break;
    case tflite::BuiltinOptions_StridedSliceOptions: {
      const auto* p = o->builtin_options_as_StridedSliceOptions();
      x.begin_mask = p->begin_mask();
      x.end_mask = p->end_mask();
      x.ellipsis_mask = p->ellipsis_mask();
      x.new_axis_mask = p->new_axis_mask();
      x.shrink_axis_mask = p->shrink_axis_mask();
      unsupported_field(p->offset(), label, "offset");
      break;
    }
    case tflite::BuiltinOptions_UnidirectionalSequenceLSTMOptions: {
      const auto* p = o->builtin_options_as_UnidirectionalSequenceLSTMOptions();
      x.activation = act(p->fused_activation_function(), label);
      x.cell_clip = p->cell_clip();
      x.proj_clip = p->proj_clip();
      x.time_major = p->time_major();
      x.asymmetric_quantize_inputs = p->asymmetric_quantize_inputs();
      unsupported_field(p->diagonal_recurrent_tensors(), label, "diagonal_recurrent_tensors");
      break;
    }
    case tflite::BuiltinOptions_LeakyReluOptions: x.alpha = o->builtin_options_as_LeakyReluOptions()->alpha(); break;
    // CAST's options only repeat its tensors' types (the writer derives them again); the
    // remaining tables are empty.
    default: break;
  }
}

QuantParams read_quant(const tflite::QuantizationParameters* q, const std::string& label) {
  QuantParams out;
  if (q == nullptr) return out;
  if (q->details_type() != tflite::QuantizationDetails_NONE) {
    throw Error(label + " uses custom quantization details, which the converter does not support");
  }
  out.min = to_vector(q->min());
  out.max = to_vector(q->max());
  out.scales = to_vector(q->scale());
  out.zero_points = to_vector(q->zero_point());
  out.axis = q->quantized_dimension();
  return out;
}

class BufferTable {
 public:
  explicit BufferTable(const fb::Vector<fb::Offset<tflite::Buffer>>* buffers) : buffers_(buffers) {}

  std::vector<uint8_t> bytes(uint32_t index, const std::string& who) const {
    const uint32_t count = buffers_ == nullptr ? 0 : buffers_->size();
    if (index == 0 && count == 0) return {};  // no buffers at all: nothing is constant
    if (index >= count) {
      throw Error(who + " refers to buffer " + std::to_string(index) + ", but the model has " + std::to_string(count) +
                  " buffers");
    }
    const tflite::Buffer* b = buffers_->Get(index);
    if (b->offset() > 1) {
      throw Error(who + ": buffer " + std::to_string(index) +
                  " keeps its data outside the FlatBuffer (models over 2 GB): not supported");
    }
    return to_vector(b->data());
  }

 private:
  const fb::Vector<fb::Offset<tflite::Buffer>>* buffers_;
};

GraphTensor read_tensor(const tflite::Tensor* t, size_t index, const BufferTable& buffers) {
  GraphTensor out;
  out.name = to_string(t->name());
  const std::string label = "tensor " + std::to_string(index) + (out.name.empty() ? "" : " '" + out.name + "'");
  const int type = static_cast<int>(t->type());
  if (type < 0 || type > kLastTensorType) throw Error(label + " has unknown type " + std::to_string(type));
  out.type = static_cast<micro::TensorType>(type);
  out.shape = to_vector(t->shape());
  if (t->sparsity() != nullptr) throw Error(label + " is sparse, which the converter does not support");
  if (t->external_buffer() != 0) throw Error(label + " keeps its data in an external file: not supported");
  out.data = buffers.bytes(t->buffer(), label);
  out.is_variable = t->is_variable();
  out.quant = read_quant(t->quantization(), label);
  return out;
}

GraphOp read_op(const tflite::Operator* o, size_t index, const std::vector<GraphOp>& codes) {
  if (o->opcode_index() >= codes.size()) {
    throw Error("op " + std::to_string(index) + " refers to operator code " + std::to_string(o->opcode_index()) +
                ", but the model has " + std::to_string(codes.size()));
  }
  GraphOp out = codes[o->opcode_index()];
  const std::string label = op_label(index, out.builtin, out.custom_code);
  out.inputs = to_vector(o->inputs());
  out.outputs = to_vector(o->outputs());
  out.intermediates = to_vector(o->intermediates());
  out.custom_options = to_vector(o->custom_options());
  if (o->large_custom_options_offset() > 1) {
    throw Error(label + " keeps its custom options outside the FlatBuffer (models over 2 GB): not supported");
  }
  read_options(o, label, out);
  return out;
}

// An operator code as a GraphOp template (builtin, custom name, version).
GraphOp read_code(const tflite::OperatorCode* c, size_t index) {
  GraphOp out;
  // The byte-sized deprecated code is 127 (a placeholder) for codes above it; the real
  // code is the larger of the two fields.
  out.builtin = std::max<int32_t>(c->deprecated_builtin_code(), static_cast<int32_t>(c->builtin_code()));
  if (out.builtin < 0) {
    throw Error("operator code " + std::to_string(index) + " has a negative builtin code " +
                std::to_string(out.builtin));
  }
  if (out.builtin == op::kCustom) out.custom_code = to_string(c->custom_code());
  out.version = c->version();
  return out;
}

}  // namespace

Graph read_tflite(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 8) {
    throw Error("model is " + std::to_string(bytes.size()) + " bytes: too short to be a .tflite file");
  }
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) throw Error("model is larger than 2 GB: not supported");
  if (!tflite::ModelBufferHasIdentifier(bytes.data())) {
    throw Error("not a .tflite file: the file identifier is not \"TFL3\"");
  }
  // Scalars are read in place, so the bytes must sit at an address aligned as the file
  // is laid out (16 for buffers): copy them when the caller's vector is not.
  std::vector<uint64_t> aligned;
  const uint8_t* data = bytes.data();
  if (reinterpret_cast<uintptr_t>(data) % 16 != 0) {
    aligned.resize(bytes.size() / 8 + 2);
    uint8_t* base = reinterpret_cast<uint8_t*>(aligned.data());
    if (reinterpret_cast<uintptr_t>(base) % 16 != 0) base += 8;
    std::memcpy(base, bytes.data(), bytes.size());
    data = base;
  }
  fb::Verifier verifier(data, bytes.size());
  if (!tflite::VerifyModelBuffer(verifier)) {
    throw Error("malformed .tflite file: the FlatBuffer verifier rejected it (an offset or size is out of bounds)");
  }
  const tflite::Model* m = tflite::GetModel(data);
  if (m->version() != 3) {
    throw Error("schema version " + std::to_string(m->version()) + " is not supported (expected 3)");
  }
  const auto* subgraphs = m->subgraphs();
  const uint32_t subgraph_count = subgraphs == nullptr ? 0 : subgraphs->size();
  if (subgraph_count != 1) {
    throw Error("model has " + std::to_string(subgraph_count) + " subgraphs; the converter handles exactly one");
  }
  const tflite::SubGraph* sg = subgraphs->Get(0);
  const BufferTable buffers(m->buffers());

  Graph g;
  g.description = to_string(m->description());
  if (const auto* metadata = m->metadata()) {
    for (uint32_t i = 0; i < metadata->size(); ++i) {
      const tflite::Metadata* md = metadata->Get(i);
      const std::string name = to_string(md->name());
      const std::string who = "metadata '" + name + "'";
      if (!g.metadata.emplace(name, buffers.bytes(md->buffer(), who)).second) throw Error(who + " appears twice");
    }
  }

  std::vector<GraphOp> codes;
  if (const auto* c = m->operator_codes()) {
    for (uint32_t i = 0; i < c->size(); ++i) codes.push_back(read_code(c->Get(i), i));
  }
  if (const auto* tensors = sg->tensors()) {
    for (uint32_t i = 0; i < tensors->size(); ++i) g.tensors.push_back(read_tensor(tensors->Get(i), i, buffers));
  }
  if (const auto* ops = sg->operators()) {
    for (uint32_t i = 0; i < ops->size(); ++i) g.ops.push_back(read_op(ops->Get(i), i, codes));
  }
  g.inputs = to_vector(sg->inputs());
  g.outputs = to_vector(sg->outputs());
  g.validate();
  return g;
}

}  // namespace tinyforge::convert
