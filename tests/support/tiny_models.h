// Tiny hand-made models for tests whose expected results are worked out by hand: float
// FULLY_CONNECTED chains written with the project's writer.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "tinyforge/convert/graph.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/micro/types.h"
#include "tinyforge/npy.h"

namespace tinyforge::test {

inline std::vector<uint8_t> float_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Appends FULLY_CONNECTED(input) with weights [units, in] (row-major) and bias [units];
// returns the output tensor.
inline int32_t add_dense(convert::Graph& g, int32_t input, int32_t in, int32_t units, const std::vector<float>& w,
                         const std::vector<float>& b, const std::string& name) {
  convert::GraphTensor wt;
  wt.name = name + "/weights";
  wt.shape = {units, in};
  wt.data = float_bytes(w);
  convert::GraphTensor bt;
  bt.name = name + "/bias";
  bt.shape = {units};
  bt.data = float_bytes(b);
  convert::GraphTensor out;
  out.name = name;
  out.shape = {1, units};
  const int32_t wi = g.add_tensor(wt), bi = g.add_tensor(bt), oi = g.add_tensor(out);
  convert::GraphOp op;
  op.builtin = micro::op::kFullyConnected;
  op.inputs = {input, wi, bi};
  op.outputs = {oi};
  g.add_op(op);
  return oi;
}

// A float model: input [1, in], then one dense layer per (units, weights, bias, name) step.
struct DenseSpec {
  int32_t units;
  std::vector<float> w, b;
  std::string name;
};
inline convert::Graph dense_chain(int32_t in, const std::vector<DenseSpec>& layers,
                                  const std::string& input_name = "x") {
  convert::Graph g;
  convert::GraphTensor x;
  x.name = input_name;
  x.shape = {1, in};
  int32_t t = g.add_tensor(x);
  g.inputs = {t};
  int32_t width = in;
  for (const DenseSpec& l : layers) {
    t = add_dense(g, t, width, l.units, l.w, l.b, l.name);
    width = l.units;
  }
  g.outputs = {t};
  return g;
}

inline NpyArray npy_f32(std::vector<int64_t> shape, const std::vector<float>& v) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = std::move(shape);
  a.data = float_bytes(v);
  return a;
}

}  // namespace tinyforge::test
