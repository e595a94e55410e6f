// Full-integer quantization (int8, and int16 activations with int8 weights), following TF's
// converter: per-channel symmetric weights for CONV_2D (axis 0) and DEPTHWISE_CONV_2D (axis 3),
// per-tensor (optionally per-channel) for FULLY_CONNECTED, biases of input_scale x weight_scale,
// asymmetric int8 / symmetric int16 activations from the calibrated ranges, fixed output
// parameters for SOFTMAX / LOGISTIC / TANH, one shared scale through the ops that only move
// values (pooling, reshapes, concatenation, pad, slices, transpose), QUANTIZE / DEQUANTIZE at the
// boundary when the model's inputs and outputs keep another type.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "convert/quantize/passes.h"
#include "convert/quantize/tensor_data.h"
#include "tinyforge/error.h"

namespace tinyforge::convert::detail {

namespace {

namespace op = micro::op;

struct Spec {
  TensorType act;
  int32_t qmin, qmax;
  bool symmetric;
  TensorType bias;
  const char* mode;
};

Spec spec_for(QuantMode m) {
  if (m == QuantMode::kInt16x8) return {TensorType::kInt16, -32768, 32767, true, TensorType::kInt64, "int16x8"};
  return {TensorType::kInt8, -128, 127, false, TensorType::kInt32, "int8"};
}

// Ops with a quantized kernel in the micro runtime, per activation type.
bool supported(int32_t builtin, TensorType act) {
  static const std::set<int32_t> both = {op::kUnidirectionalSequenceLstm,
                                         op::kConv2D,
                                         op::kDepthwiseConv2D,
                                         op::kFullyConnected,
                                         op::kAveragePool2D,
                                         op::kMaxPool2D,
                                         op::kReshape,
                                         op::kSqueeze,
                                         op::kExpandDims,
                                         op::kConcatenation,
                                         op::kPad,
                                         op::kStridedSlice,
                                         op::kTranspose,
                                         op::kMean,
                                         op::kSoftmax,
                                         op::kLogistic,
                                         op::kTanh,
                                         op::kAdd,
                                         op::kSub,
                                         op::kMul,
                                         op::kRelu,
                                         op::kRelu6,
                                         op::kLeakyRelu};
  if (both.count(builtin)) return true;
  return act == TensorType::kInt8 && builtin == op::kHardSwish;
}

// Ops whose output must carry their (first) input's scale and zero point: they only move values.
bool shares_scale(int32_t builtin) {
  switch (builtin) {
    case op::kMaxPool2D:
    case op::kAveragePool2D:
    case op::kReshape:
    case op::kSqueeze:
    case op::kExpandDims:
    case op::kConcatenation:
    case op::kPad:
    case op::kStridedSlice:
    case op::kTranspose: return true;
    default: return false;
  }
}

// Fixed output parameters of the ops whose output range is known (TF's quantized kernels require them).
bool fixed_output(int32_t builtin, const Spec& s, QuantParams* q) {
  float scale;
  int64_t zp = 0;
  if (s.act == TensorType::kInt16) {
    if (builtin != op::kSoftmax && builtin != op::kLogistic && builtin != op::kTanh) return false;
    scale = 1.0f / 32768.0f;
  } else if (builtin == op::kSoftmax || builtin == op::kLogistic) {
    scale = 1.0f / 256.0f;
    zp = -128;
  } else if (builtin == op::kTanh) {
    scale = 1.0f / 128.0f;
  } else {
    return false;
  }
  q->scales = {scale};
  q->zero_points = {zp};
  return true;
}

bool is_weighted(int32_t builtin) {
  return builtin == op::kConv2D || builtin == op::kDepthwiseConv2D || builtin == op::kFullyConnected;
}

struct UnionFind {
  std::vector<int32_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int32_t find(int32_t x) {
    while (parent[static_cast<size_t>(x)] != x)
      x = parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    return x;
  }
  void unite(int32_t a, int32_t b) { parent[static_cast<size_t>(find(a))] = find(b); }
};

template <typename T>
std::vector<uint8_t> quantize_values(const std::vector<float>& v, const QuantParams& q, int32_t qmin, int32_t qmax) {
  std::vector<T> out(v.size());
  const double scale = q.scales[0];
  for (size_t i = 0; i < v.size(); ++i) {
    const double x = std::round(static_cast<double>(v[i]) / scale) + static_cast<double>(q.zero_points[0]);
    out[i] = static_cast<T>(std::clamp(x, static_cast<double>(qmin), static_cast<double>(qmax)));
  }
  return to_bytes(out);
}

class IntegerQuantizer {
 public:
  IntegerQuantizer(const Graph& fg, const QuantizeOptions& o, const Calibration& cal)
      : fg_(fg), o_(o), cal_(cal), spec_(spec_for(o.mode)), g_(fg) {}

  QuantizeResult run() {
    check_ops();
    classify();
    group_params();
    quantize_weighted_ops();
    quantize_lstm_ops();
    for (GraphOp& op : g_.ops) {
      // TF's int16 ADD / SUB use the general rescaling path (pot_scale_int16 false).
      if (spec_.act == TensorType::kInt16 && (op.builtin == op::kAdd || op.builtin == op::kSub)) {
        op.options.pot_scale_int16 = false;
      }
    }
    add_boundary();
    update_versions(g_);
    g_.validate();
    QuantizeResult r;
    r.graph = std::move(g_);
    r.warnings = std::move(warnings_);
    r.ranges = cal_.ranges;
    return r;
  }

 private:
  enum class Role { kUntouched, kActivation, kConstant, kWeights, kBias };

  void check_ops() { check_integer_ops(fg_, o_); }

  void classify() {
    role_.assign(g_.tensors.size(), Role::kUntouched);
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      const GraphTensor& x = g_.tensors[t];
      if (x.type != TensorType::kFloat32) continue;
      role_[t] = x.is_constant() ? Role::kConstant : Role::kActivation;
    }
    for (size_t k = 0; k < g_.ops.size(); ++k) {
      const GraphOp& o = g_.ops[k];
      if (o.builtin == op::kUnidirectionalSequenceLstm) classify_lstm(k);
      if (!is_weighted(o.builtin)) continue;
      if (o.inputs.size() < 2 || o.inputs[1] < 0 || !g_.tensors[static_cast<size_t>(o.inputs[1])].is_constant()) {
        throw Error(op_label(g_, k) + ": weights are not a constant tensor; only constant weights can be quantized");
      }
      role_[static_cast<size_t>(o.inputs[1])] = Role::kWeights;
      if (o.inputs.size() > 2 && o.inputs[2] >= 0) {
        if (!g_.tensors[static_cast<size_t>(o.inputs[2])].is_constant()) {
          throw Error(op_label(g_, k) + ": bias is not a constant tensor");
        }
        role_[static_cast<size_t>(o.inputs[2])] = Role::kBias;
      }
    }
  }

  // LSTM inputs: 1-8 weights, 12-15 gate biases, 18-19 hidden and cell state (set by
  // quantize_lstm_ops, not from their own ranges).
  void classify_lstm(size_t k) {
    const GraphOp& o = g_.ops[k];
    auto tensor = [&](size_t i) -> int32_t {
      if (i >= o.inputs.size() || o.inputs[i] < 0)
        throw Error(op_label(g_, k) + ": input " + std::to_string(i) + " is missing");
      return o.inputs[i];
    };
    for (size_t i = 1; i <= 8; ++i) role_[static_cast<size_t>(tensor(i))] = Role::kWeights;
    for (size_t i = 12; i <= 15; ++i) role_[static_cast<size_t>(tensor(i))] = Role::kBias;
    for (size_t i : {18u, 19u}) role_[static_cast<size_t>(tensor(i))] = Role::kUntouched;
    for (size_t i : {9u, 10u, 11u, 16u, 17u, 20u, 21u, 22u, 23u}) {
      if (i < o.inputs.size() && o.inputs[i] >= 0) {
        throw Error(op_label(g_, k) + ": LSTM with peephole, projection or layer norm (input " + std::to_string(i) +
                    ") cannot be quantized");
      }
    }
  }

  // The layout Google's converter writes for an int8 LSTM (see trained_lstm_int8.tflite):
  // per-tensor int8 weights, int32 gate biases of input_scale x input-weight scale, the hidden
  // state with the output's parameters, an int16 cell state with a power-of-two scale covering its
  // calibrated range, and five intermediates (four empty gate placeholders and the effective
  // hidden scale). int16x8: the same with int64 biases and an int16 (symmetric) hidden state.
  void quantize_lstm_ops() {
    for (size_t k = 0; k < g_.ops.size(); ++k) {
      if (g_.ops[k].builtin != op::kUnidirectionalSequenceLstm) continue;
      const std::vector<int32_t> in = g_.ops[k].inputs;
      const QuantParams out_q = g_.tensors[static_cast<size_t>(g_.ops[k].outputs[0])].quant;
      const float in_scale = g_.tensors[static_cast<size_t>(in[0])].quant.scales.at(0);
      for (size_t gate = 0; gate < 4; ++gate) {
        QuantParams wq;
        for (size_t i : {1 + gate, 5 + gate}) {
          GraphTensor& w = g_.tensors[static_cast<size_t>(in[i])];
          QuantParams q;
          w.data = to_bytes(quantize_weights_symmetric(fg_.tensors[static_cast<size_t>(in[i])], -1, &q));
          w.type = TensorType::kInt8;
          w.quant = q;
          if (i == 1 + gate) wq = q;
        }
        GraphTensor& b = g_.tensors[static_cast<size_t>(in[12 + gate])];
        QuantParams bq;
        b.data = quantize_bias(float_data(fg_.tensors[static_cast<size_t>(in[12 + gate])]), in_scale, wq.scales,
                               spec_.bias, &bq);
        b.type = spec_.bias;
        b.quant = bq;
      }
      GraphTensor& hidden = g_.tensors[static_cast<size_t>(in[18])];
      hidden.type = spec_.act;
      hidden.quant = out_q;
      const TensorRange* cell_range = cal_.find(in[19]);
      if (!cell_range) {
        throw Error(op_label(g_, k) + ": no calibrated cell state range (calibrate the same graph)");
      }
      const double m =
          std::max(std::fabs(static_cast<double>(cell_range->min)), std::fabs(static_cast<double>(cell_range->max)));
      const int power = m > 0.0 ? static_cast<int>(std::ceil(std::log2(m))) : 0;
      GraphTensor& cell = g_.tensors[static_cast<size_t>(in[19])];
      cell.type = TensorType::kInt16;
      cell.quant.scales = {static_cast<float>(std::ldexp(1.0, power - 15))};
      cell.quant.zero_points = {0};
      std::vector<int32_t> intermediates;
      for (const char* name : {"input_to_input_intermediate", "input_to_forget_intermediate",
                               "input_to_cell_intermediate", "input_to_output_intermediate"}) {
        GraphTensor t;
        t.name = name;
        t.shape = {0};
        intermediates.push_back(g_.add_tensor(t));
      }
      GraphTensor eff;
      eff.name = "effective_hidden_scale_intermediate";
      eff.type = spec_.act;
      eff.shape = {0};
      eff.quant = out_q;
      intermediates.push_back(g_.add_tensor(eff));
      g_.ops[k].intermediates = intermediates;
    }
  }

  void range_of(int32_t t, float* lo, float* hi) const {
    const size_t i = static_cast<size_t>(t);
    if (role_[i] == Role::kConstant) {
      const std::vector<float> v = float_data(fg_.tensors[i]);
      for (float x : v) {
        if (!std::isfinite(x)) throw Error(tensor_label(fg_, t) + " holds a NaN or infinite value");
      }
      *lo = v.empty() ? 0.0f : *std::min_element(v.begin(), v.end());
      *hi = v.empty() ? 0.0f : *std::max_element(v.begin(), v.end());
      return;
    }
    const TensorRange* r = cal_.find(t);
    if (!r) {
      throw Error("no calibration range for " + tensor_label(fg_, t) +
                  " (calibrate the same graph that is being quantized)");
    }
    *lo = r->min;
    *hi = r->max;
  }

  void group_params() {
    UnionFind uf(g_.tensors.size());
    auto groupable = [&](int32_t t) {
      return t >= 0 &&
             (role_[static_cast<size_t>(t)] == Role::kActivation || role_[static_cast<size_t>(t)] == Role::kConstant);
    };
    std::map<int32_t, QuantParams> fixed;  // tensor -> fixed params
    for (const GraphOp& o : g_.ops) {
      QuantParams q;
      if (!o.outputs.empty() && fixed_output(o.builtin, spec_, &q)) fixed[o.outputs[0]] = q;
      if (!shares_scale(o.builtin) || o.outputs.empty() || !groupable(o.outputs[0])) continue;
      const size_t n_in = o.builtin == op::kConcatenation ? o.inputs.size() : 1;
      for (size_t i = 0; i < n_in && i < o.inputs.size(); ++i) {
        if (groupable(o.inputs[i])) uf.unite(o.inputs[i], o.outputs[0]);
      }
    }
    struct Group {
      float lo = 0, hi = 0;
      bool any = false;
      const QuantParams* fixed = nullptr;
    };
    std::map<int32_t, Group> groups;
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      if (!groupable(static_cast<int32_t>(t))) continue;
      Group& gr = groups[uf.find(static_cast<int32_t>(t))];
      auto f = fixed.find(static_cast<int32_t>(t));
      if (f != fixed.end()) {
        gr.fixed = &f->second;
        continue;
      }
      float lo, hi;
      range_of(static_cast<int32_t>(t), &lo, &hi);
      gr.lo = gr.any ? std::min(gr.lo, lo) : lo;
      gr.hi = gr.any ? std::max(gr.hi, hi) : hi;
      gr.any = true;
    }
    for (size_t t = 0; t < g_.tensors.size(); ++t) {
      if (!groupable(static_cast<int32_t>(t))) continue;
      const Group& gr = groups[uf.find(static_cast<int32_t>(t))];
      QuantParams q = gr.fixed ? *gr.fixed
                               : (spec_.symmetric ? symmetric_params(gr.lo, gr.hi, spec_.qmax)
                                                  : asymmetric_params(gr.lo, gr.hi, spec_.qmin, spec_.qmax));
      GraphTensor& x = g_.tensors[t];
      if (role_[t] == Role::kConstant) {
        const std::vector<float> v = float_data(fg_.tensors[t]);
        x.data = spec_.act == TensorType::kInt16 ? quantize_values<int16_t>(v, q, spec_.qmin, spec_.qmax)
                                                 : quantize_values<int8_t>(v, q, spec_.qmin, spec_.qmax);
      }
      x.type = spec_.act;
      x.quant = q;
    }
  }

  void quantize_weighted_ops() {
    std::map<int32_t, int32_t> weight_axis;  // weights already quantized -> axis
    std::set<int32_t> bias_done;
    for (size_t k = 0; k < g_.ops.size(); ++k) {
      GraphOp& o = g_.ops[k];
      if (!is_weighted(o.builtin)) continue;
      const int32_t w = o.inputs[1];
      const int32_t axis = o.builtin == op::kConv2D            ? 0
                           : o.builtin == op::kDepthwiseConv2D ? 3
                                                               : (o_.per_channel_fc ? 0 : -1);
      const GraphTensor& fw = fg_.tensors[static_cast<size_t>(w)];
      QuantParams wq;
      const std::vector<int8_t> q = quantize_weights_symmetric(fw, axis, &wq);
      auto done = weight_axis.find(w);
      if (done != weight_axis.end() && done->second != axis) {
        throw Error(op_label(g_, k) + ": weights " + tensor_label(g_, w) +
                    " are shared with an op that quantizes them along another axis");
      }
      weight_axis[w] = axis;
      GraphTensor& gw = g_.tensors[static_cast<size_t>(w)];
      gw.type = TensorType::kInt8;
      gw.data = to_bytes(q);
      gw.quant = wq;
      if (o.inputs.size() < 3 || o.inputs[2] < 0) continue;

      int32_t b = o.inputs[2];
      std::vector<float> bias = float_data(fg_.tensors[static_cast<size_t>(b)]);
      if (o_.bias_correction) {
        const size_t in = static_cast<size_t>(o.inputs[0]);
        const std::vector<double>* means = in < cal_.element_means.size() ? &cal_.element_means[in] : nullptr;
        if (means == nullptr || means->empty()) {
          warnings_.push_back(op_label(g_, k) + ": no input means were recorded; bias not corrected");
        } else {
          bias = corrected_bias(o, fw, q, wq, bias, *means);
        }
      }
      if (bias_done.count(b)) {  // shared bias: each op gets its own, scaled by its own input
        GraphTensor copy = fg_.tensors[static_cast<size_t>(b)];
        b = g_.add_tensor(std::move(copy));
        o.inputs[2] = b;
      }
      bias_done.insert(b);
      const float in_scale = g_.tensors[static_cast<size_t>(o.inputs[0])].quant.scales.at(0);
      // A per-tensor weight scale gives one bias scale, whatever the bias length (as in TF's files).
      const std::vector<float>& ws = wq.scales;
      GraphTensor& gb = g_.tensors[static_cast<size_t>(b)];
      QuantParams bq;
      try {
        gb.data = quantize_bias(bias, in_scale, ws, spec_.bias, &bq);
      } catch (const Error& e) {
        throw Error(op_label(g_, k) + ", " + tensor_label(g_, b) + ": " + e.what());
      }
      gb.type = spec_.bias;
      gb.quant = bq;
    }
  }

  // QUANTIZE / DEQUANTIZE at the model's edges, as TF's converter writes them when the inputs and
  // outputs keep float32 (or uint8). The boundary tensor keeps the original name.
  void add_boundary() {
    const TensorType io = o_.io_type;
    if (io == spec_.act) return;
    const std::string suffix = spec_.act == TensorType::kInt16 ? "_int16" : "_int8";
    std::vector<GraphOp> front;
    for (int32_t& in : g_.inputs) {
      GraphTensor edge = boundary_tensor(in, io);
      g_.tensors[static_cast<size_t>(in)].name += suffix;
      const int32_t e = g_.add_tensor(std::move(edge));
      GraphOp q;
      q.builtin = op::kQuantize;
      q.inputs = {e};
      q.outputs = {in};
      front.push_back(q);
      in = e;
    }
    g_.ops.insert(g_.ops.begin(), front.begin(), front.end());
    for (int32_t& out : g_.outputs) {
      GraphTensor edge = boundary_tensor(out, io);
      g_.tensors[static_cast<size_t>(out)].name += suffix;
      const int32_t e = g_.add_tensor(std::move(edge));
      GraphOp d;
      d.builtin = io == TensorType::kFloat32 ? op::kDequantize : op::kQuantize;
      d.inputs = {out};
      d.outputs = {e};
      g_.ops.push_back(d);
      out = e;
    }
  }

  GraphTensor boundary_tensor(int32_t t, TensorType io) const {
    GraphTensor edge;
    const GraphTensor& inner = g_.tensors[static_cast<size_t>(t)];
    edge.name = inner.name;
    edge.shape = inner.shape;
    edge.type = io;
    if (io == TensorType::kUInt8) {
      edge.quant = inner.quant;
      edge.quant.zero_points[0] += 128;  // same real values on [0, 255]
    }
    return edge;
  }

  const Graph& fg_;
  const QuantizeOptions& o_;
  const Calibration& cal_;
  Spec spec_;
  Graph g_;
  std::vector<Role> role_;
  std::vector<std::string> warnings_;
};

}  // namespace

void check_integer_ops(const Graph& g, const QuantizeOptions& options) {
  const Spec spec = spec_for(options.mode);
  std::string bad;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const GraphOp& o = g.ops[k];
    if (supported(o.builtin, spec.act)) continue;
    bad += "\n  " + op_label(g, k);
  }
  if (!bad.empty()) {
    throw Error(std::string(spec.mode) + " quantization has no " + micro::type_name(spec.act) +
                " kernel for these ops (keep the model float, or use float16 / dynamic-range):" + bad);
  }
  const TensorType io = options.io_type;
  const bool io_ok =
      io == TensorType::kFloat32 || io == spec.act || (spec.act == TensorType::kInt8 && io == TensorType::kUInt8);
  if (!io_ok) {
    throw Error(std::string("input/output type ") + micro::type_name(io) + " is not available for " + spec.mode +
                " (use float32, " + micro::type_name(spec.act) + (spec.act == TensorType::kInt8 ? " or uint8)" : ")"));
  }
}

QuantizeResult quantize_integer(const Graph& float_graph, const QuantizeOptions& options,
                                const Calibration& calibration) {
  check_float_graph(float_graph);
  return IntegerQuantizer(float_graph, options, calibration).run();
}

}  // namespace tinyforge::convert::detail
