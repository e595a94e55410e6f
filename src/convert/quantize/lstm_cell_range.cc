#include "convert/quantize/lstm_cell_range.h"

#include <algorithm>
#include <cmath>

#include "convert/quantize/tensor_data.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

void widen_lstm_cell_range(const Graph& g, size_t op_index, const float* input, float* min, float* max) {
  const GraphOp& op = g.ops[op_index];
  auto present = [&](size_t i) { return i < op.inputs.size() && op.inputs[i] >= 0; };
  for (size_t i : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 12u, 13u, 14u, 15u}) {
    if (!present(i)) throw Error(op_label(g, op_index) + ": input " + std::to_string(i) + " is missing");
  }
  for (size_t i : {9u, 10u, 11u, 16u, 17u, 20u, 21u, 22u, 23u}) {
    if (present(i)) {
      throw Error(op_label(g, op_index) + ": LSTM with peephole, projection or layer norm (input " + std::to_string(i) +
                  ") cannot be quantized");
    }
  }
  const GraphTensor& x = g.tensors[static_cast<size_t>(op.inputs[0])];
  std::vector<std::vector<float>> w(4), r(4), b(4);
  for (size_t k = 0; k < 4; ++k) {
    w[k] = float_data(g.tensors[static_cast<size_t>(op.inputs[1 + k])]);
    r[k] = float_data(g.tensors[static_cast<size_t>(op.inputs[5 + k])]);
    b[k] = float_data(g.tensors[static_cast<size_t>(op.inputs[12 + k])]);
  }
  if (x.shape.size() != 3) throw Error(op_label(g, op_index) + ": input must have rank 3");
  const size_t d0 = static_cast<size_t>(x.shape[0]), d1 = static_cast<size_t>(x.shape[1]);
  const size_t in = static_cast<size_t>(x.shape[2]), units = b[0].size();
  const size_t batches = op.options.time_major ? d1 : d0, steps = op.options.time_major ? d0 : d1;
  const float clip = op.options.cell_clip;
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (size_t bt = 0; bt < batches; ++bt) {
    std::vector<double> h(units, 0.0), c(units, 0.0), gate(4 * units);
    for (size_t t = 0; t < steps; ++t) {
      const float* xt = input + (op.options.time_major ? (t * batches + bt) : (bt * steps + t)) * in;
      for (size_t k = 0; k < 4; ++k) {
        for (size_t u = 0; u < units; ++u) {
          double acc = b[k][u];
          for (size_t i = 0; i < in; ++i) acc += static_cast<double>(w[k][u * in + i]) * xt[i];
          for (size_t j = 0; j < units; ++j) acc += static_cast<double>(r[k][u * units + j]) * h[j];
          gate[k * units + u] = k == 2 ? std::tanh(acc) : sigmoid(acc);
        }
      }
      for (size_t u = 0; u < units; ++u) {
        double cell = gate[units + u] * c[u] + gate[u] * gate[2 * units + u];
        if (clip > 0.0f) cell = std::clamp(cell, -static_cast<double>(clip), static_cast<double>(clip));
        c[u] = cell;
        h[u] = gate[3 * units + u] * std::tanh(cell);
        *min = std::min(*min, static_cast<float>(cell));
        *max = std::max(*max, static_cast<float>(cell));
      }
    }
  }
}

}  // namespace tinyforge::convert::detail
