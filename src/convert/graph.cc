// Graph bookkeeping and the structural checks every pass and the writer rely on.
#include "tinyforge/convert/graph.h"

#include <string>

#include "tinyforge/error.h"

namespace tinyforge::convert {

namespace {

std::string tensor_label(const Graph& g, size_t i) {
  const std::string& name = g.tensors[i].name;
  return "tensor " + std::to_string(i) + (name.empty() ? "" : " '" + name + "'");
}

void check_index(int32_t index, size_t count, bool allow_absent, const std::string& what) {
  if (allow_absent && index == -1) return;
  if (index < 0 || static_cast<size_t>(index) >= count) {
    throw Error(what + " refers to tensor " + std::to_string(index) + ", but the graph has " + std::to_string(count) +
                " tensors");
  }
}

void validate_quant(const Graph& g, size_t i) {
  const GraphTensor& t = g.tensors[i];
  const QuantParams& q = t.quant;
  if (q.min.size() != q.max.size()) {
    throw Error(tensor_label(g, i) + ": quantization has " + std::to_string(q.min.size()) + " min values but " +
                std::to_string(q.max.size()) + " max values");
  }
  if (!q.quantized()) {
    if (!q.zero_points.empty()) throw Error(tensor_label(g, i) + ": quantization has zero points but no scales");
    return;
  }
  if (q.zero_points.size() != q.scales.size()) {
    throw Error(tensor_label(g, i) + ": quantization has " + std::to_string(q.scales.size()) + " scales but " +
                std::to_string(q.zero_points.size()) + " zero points");
  }
  if (q.scales.size() == 1) return;
  // Per-channel: one scale per slice along the axis. Converters write a rank-1 bias with
  // the filter's axis, so for rank 1 the only axis there is counts.
  const size_t rank = t.shape.size();
  if (rank == 0) throw Error(tensor_label(g, i) + ": a scalar cannot have per-channel quantization");
  if (q.axis < 0 || (rank > 1 && static_cast<size_t>(q.axis) >= rank)) {
    throw Error(tensor_label(g, i) + ": quantized dimension " + std::to_string(q.axis) + " is outside its rank " +
                std::to_string(rank));
  }
  const int32_t dim = rank == 1 ? t.shape[0] : t.shape[static_cast<size_t>(q.axis)];
  if (static_cast<int64_t>(q.scales.size()) != dim) {
    throw Error(tensor_label(g, i) + ": " + std::to_string(q.scales.size()) +
                " per-channel scales for a dimension of size " + std::to_string(dim));
  }
}

void validate_tensor(const Graph& g, size_t i) {
  const GraphTensor& t = g.tensors[i];
  int64_t count = 1;
  for (size_t d = 0; d < t.shape.size(); ++d) {
    if (t.shape[d] < 0) {
      throw Error(tensor_label(g, i) + " has a negative dimension (" + std::to_string(t.shape[d]) + " at axis " +
                  std::to_string(d) + ")");
    }
    // Bounded so element_count() cannot overflow (no .tflite tensor comes near 2^40 elements).
    count *= t.shape[d];
    if (count > (int64_t{1} << 40)) throw Error(tensor_label(g, i) + " has more than 2^40 elements");
  }
  if (t.is_constant()) {
    if (t.is_variable) throw Error(tensor_label(g, i) + " is both variable and constant");
    const size_t elem = micro::type_size(t.type);
    // Types without a flat element size (strings, packed int4) carry data we do not size-check.
    if (elem != 0) {
      const int64_t want = t.element_count() * static_cast<int64_t>(elem);
      if (static_cast<int64_t>(t.data.size()) != want) {
        throw Error(tensor_label(g, i) + " holds " + std::to_string(t.data.size()) + " bytes of data, but its " +
                    micro::type_name(t.type) + " shape needs " + std::to_string(want));
      }
    }
  }
  validate_quant(g, i);
}

}  // namespace

int64_t GraphTensor::element_count() const {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

int32_t Graph::add_tensor(GraphTensor t) {
  tensors.push_back(std::move(t));
  return static_cast<int32_t>(tensors.size() - 1);
}

int32_t Graph::add_op(GraphOp op) {
  ops.push_back(std::move(op));
  return static_cast<int32_t>(ops.size() - 1);
}

void Graph::validate() const {
  const size_t n = tensors.size();
  for (size_t i = 0; i < n; ++i) validate_tensor(*this, i);
  for (size_t i = 0; i < inputs.size(); ++i) check_index(inputs[i], n, false, "graph input " + std::to_string(i));
  for (size_t i = 0; i < outputs.size(); ++i) check_index(outputs[i], n, false, "graph output " + std::to_string(i));
  for (size_t k = 0; k < ops.size(); ++k) {
    const GraphOp& op = ops[k];
    const std::string label = "op " + std::to_string(k) + " (" +
                              (op.builtin == micro::op::kCustom ? "CUSTOM(" + op.custom_code + ")"
                                                                : std::string(micro::builtin_op_name(op.builtin))) +
                              ")";
    if (op.builtin < 0) throw Error(label + " has a negative builtin code " + std::to_string(op.builtin));
    if (op.builtin == micro::op::kCustom && op.custom_code.empty()) throw Error(label + " is CUSTOM without a name");
    if (op.version < 1) throw Error(label + " has version " + std::to_string(op.version) + "; versions start at 1");
    for (size_t i = 0; i < op.inputs.size(); ++i)
      check_index(op.inputs[i], n, true, label + " input " + std::to_string(i));
    for (size_t i = 0; i < op.outputs.size(); ++i) {
      check_index(op.outputs[i], n, false, label + " output " + std::to_string(i));
    }
    for (size_t i = 0; i < op.intermediates.size(); ++i) {
      check_index(op.intermediates[i], n, false, label + " intermediate " + std::to_string(i));
    }
  }
}

}  // namespace tinyforge::convert
