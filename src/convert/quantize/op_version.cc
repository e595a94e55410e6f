// Op versions as TF's converter sets them (tensorflow/lite/tools/versioning/op_version.cc),
// for the ops and type combinations the converter writes. The rules are followed as written
// there, quirks included (e.g. int16x8 CONV_2D checks an int16 filter, so an int8 filter gives 1).
#include "tinyforge/convert/quantize.h"

namespace tinyforge::convert {

namespace {

namespace op = micro::op;
using T = TensorType;

struct Signature {
  const Graph& g;
  const GraphOp& o;

  const GraphTensor* in(size_t i) const {
    if (i >= o.inputs.size() || o.inputs[i] < 0) return nullptr;
    return &g.tensors[static_cast<size_t>(o.inputs[i])];
  }
  const GraphTensor* out(size_t i) const {
    if (i >= o.outputs.size() || o.outputs[i] < 0) return nullptr;
    return &g.tensors[static_cast<size_t>(o.outputs[i])];
  }
  bool in_is(size_t i, T t) const { return in(i) && in(i)->type == t; }
  bool out_is(size_t i, T t) const { return out(i) && out(i)->type == t; }
  size_t in_rank(size_t i) const { return in(i) ? in(i)->shape.size() : 0; }
  bool per_channel(size_t i) const { return in(i) && in(i)->quant.scales.size() > 1; }
  bool hybrid() const { return in_is(0, T::kFloat32) && in_is(1, T::kInt8) && out_is(0, T::kFloat32); }
  bool broadcast_over_4d() const {
    if (!in(0) || !in(1) || in(0)->shape == in(1)->shape) return false;
    return in_rank(0) > 4 || in_rank(1) > 4;
  }
};

int32_t version_of(const Signature& s) {
  const OpOptions& x = s.o.options;
  switch (s.o.builtin) {
    case op::kConv2D:
      if (s.in(0) && s.in(1) && s.in(0)->shape.size() == 4 && s.in(1)->shape.size() == 4 &&
          s.in(0)->shape[3] != s.in(1)->shape[3]) {
        return 6;  // grouped convolution
      }
      if (s.in_is(0, T::kInt16) && s.in_is(1, T::kInt16) && s.out_is(0, T::kInt16)) return 4;
      if (s.in_is(0, T::kInt8) && s.in_is(1, T::kInt8) && s.out_is(0, T::kInt8)) return 3;
      if (s.in_is(0, T::kInt8) && s.in_is(1, T::kInt4) && s.out_is(0, T::kInt8)) return 7;
      if (s.hybrid()) return s.per_channel(1) ? 5 : 2;
      return 1;
    case op::kDepthwiseConv2D:
      if (s.in_is(0, T::kInt16) && s.in_is(1, T::kInt16) && s.out_is(0, T::kInt16)) return 5;
      if (s.hybrid()) return s.per_channel(1) ? 6 : 4;
      if (s.in_is(0, T::kInt8) && s.in_is(1, T::kInt8) && s.out_is(0, T::kInt8)) return 3;
      if (s.in_is(0, T::kInt8) && s.in_is(1, T::kInt4) && s.out_is(0, T::kInt8)) return 7;
      if (x.dilation_w != 1 || x.dilation_h != 1) return 2;
      return 1;
    case op::kFullyConnected:
      if (s.hybrid() && s.per_channel(1)) return 12;
      if (s.in_is(0, T::kInt16) && s.in_is(1, T::kInt16) && s.out_is(0, T::kInt16)) return 7;
      if (s.o.inputs.size() == 2) return 6;
      if (x.keep_num_dims) return 5;
      if (s.in_is(0, T::kInt8) && s.in_is(1, T::kInt8) && s.out_is(0, T::kInt8)) return 4;
      if (s.in_is(0, T::kInt8) && s.in_is(1, T::kInt4) && s.out_is(0, T::kInt8)) return 10;
      if (s.hybrid()) return x.asymmetric_quantize_inputs ? 9 : 3;
      return 1;
    case op::kSvdf:
      if (s.in_is(0, T::kInt8)) return 3;
      if (s.hybrid()) return x.asymmetric_quantize_inputs ? 4 : 2;
      return 1;
    case op::kMul:
      if (s.in_is(0, T::kInt16)) return s.in(0)->quant.quantized() ? 4 : 7;
      if (s.in_is(0, T::kInt8) && s.in(1) && s.out(0) && s.in(1)->quant.quantized() && s.out(0)->quant.quantized()) {
        const double r =
            static_cast<double>(s.in(0)->quant.scales[0]) * s.in(1)->quant.scales[0] / s.out(0)->quant.scales[0];
        if (r >= 1.0) return 3;
      }
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kMaxPool2D:
    case op::kAveragePool2D:
      if (s.in_is(0, T::kInt16) && s.out_is(0, T::kInt16)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kTranspose:
      if (s.in_rank(0) > 5) return 6;
      if (s.in_is(0, T::kInt16)) return 5;
      if (s.in_rank(0) > 4) return 4;
      if (s.in_is(0, T::kBool)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kUnidirectionalSequenceLstm:
      if (s.in_is(0, T::kInt16) && s.in_is(2, T::kInt8) && s.out_is(0, T::kInt16)) return 5;
      if (s.in_is(0, T::kFloat32) && s.in_is(2, T::kInt8) && s.out_is(0, T::kFloat32)) {
        return x.asymmetric_quantize_inputs ? 3 : 2;
      }
      return 1;
    case op::kDequantize:
      if (s.in_is(0, T::kInt4)) return 6;
      if (s.in_is(0, T::kInt16) || s.in_is(0, T::kFloat16)) return 3;
      if (s.in_is(0, T::kInt8)) return s.per_channel(0) ? 5 : 2;
      return 1;
    case op::kQuantize:
      if (s.in_is(0, T::kInt4) || s.out_is(0, T::kInt4)) return 4;
      if (s.out(0) && s.out(0)->quant.scales.size() > 1) return 3;
      if (s.out_is(0, T::kInt16)) return 2;
      return 1;
    case op::kRelu:
      if (s.in_is(0, T::kInt16)) return 3;
      if (s.in_is(0, T::kInt8) || s.in_is(0, T::kUInt8)) return 2;
      return 1;
    case op::kStridedSlice:
      if (s.in_is(0, T::kUInt32)) return 7;
      if (x.ellipsis_mask != 0 || x.new_axis_mask != 0) return 6;
      if (s.in_is(0, T::kString)) return 5;
      if (s.in_rank(0) > 4) return 4;
      if (s.in_is(0, T::kBool)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kMaximum:
    case op::kMinimum:
      if (s.in_is(0, T::kInt16) && s.out_is(0, T::kInt16)) return 4;
      if (s.broadcast_over_4d()) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kSqueeze: return s.in_is(0, T::kString) ? 2 : 1;
    case op::kAdd:
      if (s.in_is(0, T::kInt16) && !s.in(0)->quant.quantized()) return 5;
      if (s.in_is(0, T::kInt64)) return 4;
      if (s.in_is(0, T::kInt16) && s.out_is(0, T::kInt16) && !x.pot_scale_int16) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kSub:
      if (s.in_is(0, T::kInt16) && s.out_is(0, T::kInt16) && !x.pot_scale_int16) return 5;
      if (s.in_is(0, T::kInt64)) return 4;
      if (s.broadcast_over_4d()) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kDiv: return s.broadcast_over_4d() ? 2 : 1;
    case op::kTanh:
    case op::kLogistic:
      if (s.in_is(0, T::kInt16) && s.out_is(0, T::kInt16)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kLeakyRelu: return s.in_is(0, T::kInt16) ? 2 : 1;
    case op::kPad:
      if (s.in_rank(0) > 4) return 4;
      if (s.in_is(0, T::kInt16)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kConcatenation:
      if (s.in_is(0, T::kUInt32)) return 4;
      if (s.in_is(0, T::kInt16)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kSoftmax:
    case op::kMean:
    case op::kRelu6:
      if (s.in_is(0, T::kInt16)) return 3;
      if (s.in_is(0, T::kInt8)) return 2;
      return 1;
    case op::kCast: {
      auto either = [&](T t) { return s.in_is(0, t) || s.out_is(0, t); };
      if (s.in_is(0, T::kInt4) && s.out_is(0, T::kFloat32)) return 6;
      if (either(T::kFloat64) || either(T::kFloat16)) return 5;
      if (either(T::kUInt16)) return 4;
      if (either(T::kInt8)) return 3;
      if (either(T::kUInt32)) return 2;
      return 1;
    }
    default: return 1;  // RESHAPE, EXPAND_DIMS, HARD_SWISH, ...: one version for every type
  }
}

}  // namespace

int32_t op_version(const Graph& graph, const GraphOp& op) {
  return version_of(Signature{graph, op});
}

}  // namespace tinyforge::convert
