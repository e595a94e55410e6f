// Clean-up after lowering, as Google's converter canonicalizes: a RESHAPE of a RESHAPE becomes
// one RESHAPE (Conv1D and 1D pooling each reshape in and out), a RESHAPE that changes nothing
// disappears, and tensors no op or graph
// input/output refers to any more are dropped.
#include <algorithm>

#include "convert/lower/lowerings.h"

namespace tinyforge::convert::lower {

namespace {

void drop_unused_tensors(Graph& g) {
  std::vector<bool> used(g.tensors.size(), false);
  auto mark = [&](int32_t t) {
    if (t >= 0) used[static_cast<size_t>(t)] = true;
  };
  for (const GraphOp& op : g.ops) {
    for (int32_t t : op.inputs) mark(t);
    for (int32_t t : op.outputs) mark(t);
    for (int32_t t : op.intermediates) mark(t);
  }
  for (int32_t t : g.inputs) mark(t);
  for (int32_t t : g.outputs) mark(t);
  std::vector<int32_t> remap(g.tensors.size(), -1);
  std::vector<GraphTensor> kept;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (!used[t]) continue;
    remap[t] = static_cast<int32_t>(kept.size());
    kept.push_back(std::move(g.tensors[t]));
  }
  g.tensors = std::move(kept);
  auto apply = [&](std::vector<int32_t>& v) {
    for (int32_t& t : v) t = t < 0 ? t : remap[static_cast<size_t>(t)];
  };
  for (GraphOp& op : g.ops) {
    apply(op.inputs);
    apply(op.outputs);
    apply(op.intermediates);
  }
  apply(g.inputs);
  apply(g.outputs);
}

}  // namespace

void merge_reshape_chains(Graph& g) {
  const auto is_output = [&](int32_t t) { return std::find(g.outputs.begin(), g.outputs.end(), t) != g.outputs.end(); };
  for (size_t k = 0; k < g.ops.size(); ++k) {
    GraphOp& second = g.ops[k];
    if (second.builtin != micro::op::kReshape) continue;
    const int32_t mid = second.inputs[0];
    // The RESHAPE writing `mid`, if `mid` has no other reader.
    int64_t first = -1;
    int readers = 0;
    for (size_t j = 0; j < g.ops.size(); ++j) {
      for (int32_t t : g.ops[j].inputs) readers += t == mid;
      if (g.ops[j].builtin == micro::op::kReshape && g.ops[j].outputs[0] == mid) first = static_cast<int64_t>(j);
    }
    if (first < 0 || readers != 1 || is_output(mid)) continue;
    second.inputs[0] = g.ops[static_cast<size_t>(first)].inputs[0];
    g.ops.erase(g.ops.begin() + static_cast<std::ptrdiff_t>(first));
    --k;
  }
  // A RESHAPE to the shape it already has (a merged out-and-back pair) is dropped.
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const GraphOp& r = g.ops[k];
    if (r.builtin != micro::op::kReshape) continue;
    const int32_t from = r.inputs[0], to = r.outputs[0];
    if (g.tensors[static_cast<size_t>(from)].shape != g.tensors[static_cast<size_t>(to)].shape || is_output(to))
      continue;
    for (GraphOp& reader : g.ops) {
      for (int32_t& t : reader.inputs) t = t == to ? from : t;
    }
    g.ops.erase(g.ops.begin() + static_cast<std::ptrdiff_t>(k));
    --k;
  }
  drop_unused_tensors(g);
}

}  // namespace tinyforge::convert::lower
