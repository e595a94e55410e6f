// Basic vocabulary of the micro runtime: status codes, tensor element types and
// the builtin operator codes we know by name. Enum values are TFLite's schema.fbs values.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace tinyforge {
namespace micro {

enum class Status : uint8_t {
  kOk = 0,
  kInvalidModel,    // the bytes are not a well-formed, meaningful model
  kUnsupported,     // well-formed, but uses something this runtime does not implement
  kArenaTooSmall,   // the caller's arena cannot hold the plan
  kBadArgument,     // an API call with arguments that do not fit (index out of range, ...)
  kNotReady,        // a call made before the interpreter was successfully allocated
  kInvokeError,     // a kernel failed while running
};

const char* status_name(Status s);

// TFLite TensorType (schema.fbs).
enum class TensorType : uint8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
  kComplex128 = 11,
  kUInt64 = 12,
  kResource = 13,
  kVariant = 14,
  kUInt32 = 15,
  kUInt16 = 16,
  kInt4 = 17,
};

// Bytes per element, or 0 for types the runtime cannot hold in a flat buffer.
size_t type_size(TensorType t);
const char* type_name(TensorType t);

// TFLite BuiltinOperator codes used by the runtime (schema.fbs values).
namespace op {
enum : int32_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConcatenation = 2,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2D = 17,
  kMul = 18,
  kRelu = 19,
  kRelu6 = 21,
  kReshape = 22,
  kSoftmax = 25,
  kSvdf = 27,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kUnidirectionalSequenceLstm = 44,
  kStridedSlice = 45,
  kCast = 53,
  kMaximum = 55,
  kMinimum = 57,
  kExpandDims = 70,
  kLeakyRelu = 98,
  kQuantize = 114,
  kHardSwish = 117,
};
}  // namespace op

// Name of a builtin operator code ("FULLY_CONNECTED"), or "UNKNOWN" outside the table.
const char* builtin_op_name(int32_t code);

// TFLite ActivationFunctionType (schema.fbs).
enum class Activation : uint8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4, kSignBit = 5 };

// TFLite Padding (schema.fbs).
enum class Padding : uint8_t { kSame = 0, kValid = 1 };

constexpr int kMaxRank = 6;

}  // namespace micro
}  // namespace tinyforge
