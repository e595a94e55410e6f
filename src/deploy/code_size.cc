// Estimated code bytes of the micro runtime for one model: the core plus each kernel the
// model uses. Figures are text+data of micro/'s object files built by
//   firmware/build.sh rv32imc --lib-only OUT   (GCC 12, -O2)
// and summed with riscv64-unknown-elf-size; an estimate (the linker drops unused functions,
// Xtensa code differs by some tens of percent), which is how the budget report labels it.
#include <map>
#include <set>

#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/deploy/budget.h"

namespace tinyforge::deploy {

namespace {

namespace op = micro::op;

// interpreter, model verifier, flatbuffer views, planner, kernel context, resolver, types,
// quantization math, error buffer.
constexpr size_t kCoreBytes = 26553;

// Object files each builtin needs (a helper object shared by several kernels counts once).
const std::map<int32_t, std::vector<std::pair<const char*, size_t>>>& kernel_objects() {
  static const std::map<int32_t, std::vector<std::pair<const char*, size_t>>> table = {
      {op::kAdd, {{"add", 7633}}},
      {op::kAveragePool2D, {{"pooling", 4844}}},
      {op::kMaxPool2D, {{"pooling", 4844}}},
      {op::kCast, {{"cast", 5736}}},
      {op::kConcatenation, {{"concatenation", 2081}}},
      {op::kConv2D, {{"conv_2d", 4468}, {"conv_common", 4349}}},
      {op::kDepthwiseConv2D, {{"depthwise_conv_2d", 3682}, {"conv_common", 4349}}},
      {op::kDequantize, {{"dequantize", 1494}}},
      {op::kExpandDims, {{"expand_dims", 1312}}},
      {op::kFullyConnected, {{"fully_connected", 6126}}},
      {op::kHardSwish, {{"hard_swish", 2642}}},
      {op::kLeakyRelu, {{"leaky_relu", 2810}}},
      {op::kLogistic, {{"logistic", 4464}}},
      {op::kMean, {{"mean", 3283}}},
      {op::kMul, {{"mul", 5560}}},
      {op::kPad, {{"pad", 4689}}},
      {op::kQuantize, {{"quantize", 6274}}},
      {op::kRelu, {{"relu", 3881}}},
      {op::kRelu6, {{"relu", 3881}}},
      {op::kReshape, {{"reshape", 1385}}},
      {op::kSoftmax, {{"softmax", 9123}}},
      {op::kSqueeze, {{"squeeze", 1256}}},
      {op::kStridedSlice, {{"strided_slice", 6973}}},
      {op::kSub, {{"sub", 7607}}},
      {op::kSvdf, {{"svdf", 7238}}},
      {op::kTanh, {{"tanh", 4242}}},
      {op::kTranspose, {{"transpose", 2067}}},
      {op::kUnidirectionalSequenceLstm,
       {{"unidirectional_sequence_lstm", 5517},
        {"lstm_float", 1562},
        {"lstm_integer", 4436},
        {"lstm_activations", 860}}},
  };
  return table;
}

}  // namespace

size_t estimate_runtime_code_bytes(const std::vector<uint8_t>& model) {
  const convert::Graph graph = convert::read_tflite(model);
  std::set<std::string> objects;
  size_t bytes = kCoreBytes;
  for (const convert::GraphOp& o : graph.ops) {
    const auto it = kernel_objects().find(o.builtin);
    if (it == kernel_objects().end()) continue;  // no kernel: the generator refuses such models earlier
    for (const auto& [name, size] : it->second) {
      if (objects.insert(name).second) bytes += size;
    }
  }
  return bytes;
}

}  // namespace tinyforge::deploy
