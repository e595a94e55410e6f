// float16 quantization as TF's converter writes it: every float32 constant becomes a FLOAT16
// constant (same name) read through a DEQUANTIZE op whose float32 output feeds the original
// consumers. The DEQUANTIZE ops come first, in the order their constants are first used.
#include <cmath>

#include "convert/quantize/passes.h"
#include "convert/quantize/tensor_data.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

QuantizeResult quantize_float16(const Graph& fg) {
  check_float_graph(fg);
  QuantizeResult r;
  Graph& g = r.graph;
  g = fg;
  std::vector<bool> done(fg.tensors.size(), false);
  std::vector<GraphOp> dequantize_ops;
  for (const GraphOp& o : fg.ops) {
    for (int32_t in : o.inputs) {
      if (in < 0 || done[static_cast<size_t>(in)]) continue;
      const GraphTensor& t = fg.tensors[static_cast<size_t>(in)];
      if (t.type != TensorType::kFloat32 || !t.is_constant()) continue;
      done[static_cast<size_t>(in)] = true;
      const std::vector<float> v = float_data(t);
      std::vector<uint16_t> h(v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        if (std::isfinite(v[i]) && std::fabs(v[i]) > 65504.0f) {
          throw Error(tensor_label(fg, in) + " holds " + std::to_string(v[i]) +
                      ", beyond float16's largest value 65504; keep this model float32");
        }
        h[i] = float_to_half(v[i]);
      }
      GraphTensor half;
      half.name = t.name;
      half.type = TensorType::kFloat16;
      half.shape = t.shape;
      half.data = to_bytes(h);
      const int32_t hi = g.add_tensor(std::move(half));
      // The float32 tensor the consumers already read becomes the DEQUANTIZE output.
      GraphTensor& out = g.tensors[static_cast<size_t>(in)];
      out.data.clear();
      out.name += "_dequantize";
      GraphOp d;
      d.builtin = micro::op::kDequantize;
      d.inputs = {hi};
      d.outputs = {in};
      dequantize_ops.push_back(d);
    }
  }
  g.ops.insert(g.ops.begin(), dequantize_ops.begin(), dequantize_ops.end());
  update_versions(g);
  g.validate();
  return r;
}

}  // namespace tinyforge::convert::detail
