// Dynamic-range quantization as TF's converter writes it: the weights of FULLY_CONNECTED,
// CONV_2D and DEPTHWISE_CONV_2D with at least `dynamic_min_elements` elements become int8
// (symmetric; per channel for the convolutions), activations and biases stay float32, and the ops
// become hybrid ops that quantize their input on the fly (FULLY_CONNECTED with
// asymmetric_quantize_inputs, as TF sets it). TFLM, and so the micro runtime, has no hybrid kernels.
#include <map>

#include "convert/quantize/passes.h"
#include "convert/quantize/tensor_data.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

QuantizeResult quantize_dynamic_range(const Graph& fg, const QuantizeOptions& options) {
  namespace op = micro::op;
  check_float_graph(fg);
  QuantizeResult r;
  Graph& g = r.graph;
  g = fg;
  std::map<int32_t, int32_t> axis_of;  // weights quantized so far -> axis
  std::string hybrid_ops;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    GraphOp& o = g.ops[k];
    if (o.builtin != op::kFullyConnected && o.builtin != op::kConv2D && o.builtin != op::kDepthwiseConv2D) continue;
    if (o.inputs.size() < 2 || o.inputs[1] < 0) continue;
    const int32_t w = o.inputs[1];
    const GraphTensor& fw = fg.tensors[static_cast<size_t>(w)];
    if (fw.type != TensorType::kFloat32 || !fw.is_constant() || fw.element_count() < options.dynamic_min_elements) {
      continue;
    }
    const int32_t axis = o.builtin == op::kConv2D            ? 0
                         : o.builtin == op::kDepthwiseConv2D ? 3
                                                             : (options.per_channel_fc ? 0 : -1);
    auto seen = axis_of.find(w);
    if (seen != axis_of.end() && seen->second != axis) {
      throw Error(op_label(g, k) + ": weights " + tensor_label(g, w) +
                  " are shared with an op that quantizes them along another axis");
    }
    axis_of[w] = axis;
    QuantParams q;
    const std::vector<int8_t> data = quantize_weights_symmetric(fw, axis, &q);
    GraphTensor& gw = g.tensors[static_cast<size_t>(w)];
    gw.type = TensorType::kInt8;
    gw.data = to_bytes(data);
    gw.quant = q;
    if (o.builtin == op::kFullyConnected) o.options.asymmetric_quantize_inputs = true;
    hybrid_ops += (hybrid_ops.empty() ? "" : ", ") + op_label(g, k);
  }
  if (hybrid_ops.empty()) {
    r.warnings.push_back("dynamic-range: no FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D weights have " +
                         std::to_string(options.dynamic_min_elements) +
                         " or more elements; the model is unchanged (float32)");
  } else {
    r.warnings.push_back("dynamic-range: " + hybrid_ops +
                         " are hybrid ops (float activations, int8 weights); TensorFlow Lite Micro and the "
                         "TinyForge micro runtime have no hybrid kernels, so this model runs only on TensorFlow "
                         "Lite. For microcontrollers use int8 (or float16) quantization.");
  }
  update_versions(g);
  g.validate();
  return r;
}

}  // namespace tinyforge::convert::detail
