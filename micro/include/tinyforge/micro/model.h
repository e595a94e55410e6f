// A verified, read-only view of a .tflite model (schema version 3) lying in memory.
// Nothing is copied: weights are used where they lie (flash on an MCU). verify() checks
// the structure and the meaning (indices, sizes, quantization arrays) once, so the
// accessors afterwards can trust what they read.
#pragma once

#include "tinyforge/micro/error_buffer.h"
#include "tinyforge/micro/flatbuffer.h"
#include "tinyforge/micro/types.h"

namespace tinyforge {
namespace micro {

struct Shape {
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {0};

  int32_t dim(int i) const { return dims[i]; }
  // Product of all dimensions (1 for a scalar).
  int32_t flat_size() const;
  bool equals(const Shape& o) const;
};

// Quantization parameters of a tensor, read from the model on demand.
struct Quantization {
  uint32_t count = 0;  // number of scales (0: not quantized, 1: per-tensor, N: per-channel)
  int32_t quantized_dimension = 0;
  fb::Vector scales;       // float32
  fb::Vector zero_points;  // int64 (may be shorter only when empty)

  float scale(uint32_t i = 0) const { return i < scales.size() ? scales.get<float>(i) : 0.0f; }
  int32_t zero_point(uint32_t i = 0) const {
    return i < zero_points.size() ? static_cast<int32_t>(zero_points.get<int64_t>(i)) : 0;
  }
};

struct TensorInfo {
  int32_t index = -1;
  TensorType type = TensorType::kFloat32;
  Shape shape;
  uint32_t bytes = 0;                  // element count x element size
  const uint8_t* const_data = nullptr;  // weights in the model, or null for activations
  bool is_variable = false;
  Quantization quant;
  const char* name = "";
};

// Where an operator's kernel is looked up.
struct OpCode {
  int32_t builtin = 0;        // BuiltinOperator value
  const char* custom = "";    // custom_code for CUSTOM ops
  int32_t version = 1;
};

class Model {
 public:
  // Checks the bytes and fills `err` with what is wrong. Must succeed before any other call.
  Status verify(const uint8_t* data, size_t size, ErrorBuffer* err);

  bool verified() const { return verified_; }
  const uint8_t* data() const { return buf_.data; }
  uint32_t size() const { return buf_.size; }

  uint32_t num_tensors() const { return tensors_.size(); }
  uint32_t num_operators() const { return operators_.size(); }
  uint32_t num_inputs() const { return inputs_.size(); }
  uint32_t num_outputs() const { return outputs_.size(); }
  uint32_t num_opcodes() const { return opcodes_.size(); }
  int32_t input_tensor(uint32_t i) const { return inputs_.i32(i); }
  int32_t output_tensor(uint32_t i) const { return outputs_.i32(i); }

  TensorInfo tensor(uint32_t index) const;
  OpCode opcode(uint32_t opcode_index) const;
  OpCode op_code_of(uint32_t op_index) const;

  // Operator parts.
  fb::Table op_table(uint32_t op_index) const { return fb::Table::table_at(operators_, op_index); }
  fb::Vector op_inputs(uint32_t op_index) const;
  fb::Vector op_outputs(uint32_t op_index) const;
  fb::Vector op_intermediates(uint32_t op_index) const;
  fb::Table op_options(uint32_t op_index) const;         // builtin_options (invalid if absent)
  fb::Vector op_custom_options(uint32_t op_index) const;  // custom_options bytes

  const char* description() const { return description_; }
  // Metadata buffer by name (e.g. "tinyforge_arena"), or an invalid vector.
  fb::Vector metadata(const char* name) const;
  // Bytes of the file spent on constant tensor data.
  uint32_t weight_bytes() const;

 private:
  Status verify_tensor(uint32_t i, ErrorBuffer* err) const;
  Status verify_operator(uint32_t i, ErrorBuffer* err) const;
  Status fail(ErrorBuffer* err, const char* fmt, ...) const TF_MICRO_PRINTF(3, 4);

  fb::Buffer buf_;
  fb::Table model_;
  fb::Table subgraph_;
  fb::Vector opcodes_;
  fb::Vector buffers_;
  fb::Vector tensors_;
  fb::Vector operators_;
  fb::Vector inputs_;
  fb::Vector outputs_;
  const char* description_ = "";
  bool verified_ = false;
};

// Field ids of the tables we read (schema.fbs order).
namespace field {
enum ModelField { kModelVersion = 0, kModelOperatorCodes = 1, kModelSubgraphs = 2, kModelDescription = 3,
                  kModelBuffers = 4, kModelMetadataBuffer = 5, kModelMetadata = 6 };
enum SubGraphField { kSubgraphTensors = 0, kSubgraphInputs = 1, kSubgraphOutputs = 2, kSubgraphOperators = 3,
                     kSubgraphName = 4 };
enum OperatorCodeField { kOpcodeDeprecatedBuiltin = 0, kOpcodeCustom = 1, kOpcodeVersion = 2,
                         kOpcodeBuiltin = 3 };
enum OperatorField { kOpOpcodeIndex = 0, kOpInputs = 1, kOpOutputs = 2, kOpBuiltinOptionsType = 3,
                     kOpBuiltinOptions = 4, kOpCustomOptions = 5, kOpCustomOptionsFormat = 6,
                     kOpMutatingVariableInputs = 7, kOpIntermediates = 8, kOpLargeCustomOffset = 9,
                     kOpLargeCustomSize = 10, kOpBuiltinOptions2Type = 11, kOpBuiltinOptions2 = 12 };
enum TensorField { kTensorShape = 0, kTensorType = 1, kTensorBuffer = 2, kTensorName = 3,
                   kTensorQuantization = 4, kTensorIsVariable = 5, kTensorSparsity = 6,
                   kTensorShapeSignature = 7, kTensorHasRank = 8, kTensorVariantTensors = 9,
                   kTensorExternalBuffer = 10 };
enum QuantField { kQuantMin = 0, kQuantMax = 1, kQuantScale = 2, kQuantZeroPoint = 3, kQuantDetailsType = 4,
                  kQuantDetails = 5, kQuantDimension = 6 };
enum BufferField { kBufferData = 0, kBufferOffset = 1, kBufferSize = 2 };
enum MetadataField { kMetadataName = 0, kMetadataBuffer = 1 };
}  // namespace field

}  // namespace micro
}  // namespace tinyforge
