// The "min_runtime_version" metadata TF's converter stores: the oldest TensorFlow Lite release
// that has every (op, version) pair of the model (tensorflow/lite/tools/versioning/
// runtime_version.cc), for the ops the converter writes.
#include <algorithm>
#include <map>
#include <sstream>

#include "convert/quantize/passes.h"

namespace tinyforge::convert::detail {

namespace {

namespace op = micro::op;

// Versions 1, 2, ... of each op in order.
const std::map<int32_t, std::vector<const char*>>& release_table() {
  static const std::map<int32_t, std::vector<const char*>> table{
      {op::kAdd, {"1.5.0", "1.14.0", "2.4.0", "2.6.0"}},
      {op::kAveragePool2D, {"1.5.0", "1.14.0", "2.3.0"}},
      {op::kConcatenation, {"1.5.0", "1.14.0", "2.3.0"}},
      {op::kConv2D, {"1.5.0", "1.14.0", "1.14.0", "2.3.0", "2.4.0", "2.9.0"}},
      {op::kDepthwiseConv2D, {"1.5.0", "1.12.0", "1.14.0", "2.2.0", "2.3.0", "2.3.0"}},
      {op::kDequantize, {"1.13.1", "1.14.0", "1.15.0", "2.2.0", "2.7.0"}},
      {op::kFullyConnected, {"1.5.0", "1.10.0", "1.14.0", "1.14.0", "2.0.0", "2.1.0", "2.3.0", "2.3.0", "2.3.0"}},
      {op::kLogistic, {"1.14.0", "1.14.0", "2.3.0"}},
      {op::kMaxPool2D, {"1.5.0", "1.14.0", "2.3.0"}},
      {op::kMul, {"1.5.0", "1.14.0", "1.15.0", "2.3.0", "2.6.0"}},
      {op::kRelu, {"1.5.0", "2.1.0", "2.5.0"}},
      {op::kRelu6, {"1.5.0", "1.14.0", "2.5.0"}},
      {op::kReshape, {"1.5.0"}},
      {op::kSoftmax, {"1.5.0", "1.14.0", "2.3.0"}},
      {op::kSvdf, {"1.5.0", "1.14.0", "2.2.0", "2.3.0"}},
      {op::kTanh, {"1.14.0", "1.14.0", "2.3.0"}},
      {op::kPad, {"1.5.0", "1.14.0", "2.4.0", "2.6.0"}},
      {op::kTranspose, {"1.6.0", "1.14.0", "1.15.0", "2.3.0", "2.4.0"}},
      {op::kMean, {"1.6.0", "1.14.0", "2.4.0"}},
      {op::kSub, {"1.6.0", "1.14.0", "2.3.0", "2.4.0", "2.4.0"}},
      {op::kDiv, {"1.6.0", "2.3.0"}},
      {op::kSqueeze, {"1.6.0", "2.5.0"}},
      {op::kUnidirectionalSequenceLstm, {"1.13.1", "1.14.0", "2.3.0"}},
      {op::kStridedSlice, {"1.6.0", "1.14.0", "2.1.0", "2.2.0", "2.5.0", "2.6.0"}},
      {op::kCast, {"1.5.0", "2.7.0", "2.8.0", "2.9.0"}},
      {op::kMaximum, {"1.14.0", "1.14.0", "2.3.0", "2.3.0"}},
      {op::kMinimum, {"1.14.0", "1.14.0", "2.3.0", "2.3.0"}},
      {op::kExpandDims, {"1.10.0"}},
      {op::kLeakyRelu, {"1.13.1", "2.3.0"}},
      {op::kQuantize, {"1.14.0", "1.15.0", "2.7.0"}},
      {op::kHardSwish, {"1.15.0"}},
  };
  return table;
}

std::vector<int> parts(const std::string& v) {
  std::vector<int> out;
  std::stringstream ss(v);
  std::string p;
  while (std::getline(ss, p, '.')) out.push_back(std::atoi(p.c_str()));
  return out;
}

}  // namespace

std::string min_runtime_version(const Graph& g) {
  std::string best;
  for (const GraphOp& o : g.ops) {
    auto it = release_table().find(o.builtin);
    if (it == release_table().end() || o.version < 1 || static_cast<size_t>(o.version) > it->second.size()) continue;
    const std::string v = it->second[static_cast<size_t>(o.version - 1)];
    if (best.empty() || parts(best) < parts(v)) best = v;
  }
  return best;
}

void update_metadata(Graph& g) {
  // The float model's conversion record describes another conversion.
  g.metadata.erase("CONVERSION_METADATA");
  const std::string v = min_runtime_version(g);
  if (v.empty()) return;
  std::vector<uint8_t>& bytes = g.metadata["min_runtime_version"];
  // TF keeps a 16-byte, zero-padded string.
  bytes.assign(std::max<size_t>(16, v.size() + 1), 0);
  std::copy(v.begin(), v.end(), bytes.begin());
}

}  // namespace tinyforge::convert::detail
