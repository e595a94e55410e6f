// Calibration: the float graph runs through the micro runtime once per sample; an op hook reads
// each op's float outputs right after the op ran (later ops may reuse that memory).
#include "tinyforge/convert/calibration.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "convert/quantize/lstm_cell_range.h"
#include "convert/quantize/range_observer.h"
#include "convert/quantize/tensor_data.h"
#include "tinyforge/convert/tflite_io.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge::convert {

namespace {

struct Recorder {
  const Graph* graph = nullptr;
  micro::Interpreter* interp = nullptr;
  std::vector<std::unique_ptr<detail::RangeObserver>> observers;  // per tensor; null: not observed
  std::vector<std::vector<double>> sums;                          // per tensor: element sums
  // LSTM cell states: cell tensor -> [min, max] over every step, replayed from the op's input.
  std::map<int32_t, std::pair<float, float>> cell_ranges;
  std::vector<float> lstm_input;

  void record(int32_t tensor, const float* data) {
    const size_t t = static_cast<size_t>(tensor);
    if (!observers[t] || data == nullptr) return;
    const size_t n = static_cast<size_t>(graph->tensors[t].element_count());
    observers[t]->add_sample(data, n);
    std::vector<double>& s = sums[t];
    for (size_t i = 0; i < n; ++i) s[i] += data[i];
  }
};

void around_op(void* user, uint32_t op_index, bool after) {
  auto* r = static_cast<Recorder*>(user);
  const GraphOp& op = r->graph->ops[op_index];
  if (op.builtin == micro::op::kUnidirectionalSequenceLstm && op.inputs.size() > 19 && op.inputs[19] >= 0) {
    const int32_t in = op.inputs[0];
    const size_t n = static_cast<size_t>(r->graph->tensors[static_cast<size_t>(in)].element_count());
    if (!after) {  // the input's memory may be reused by the op's output: copy it first
      const void* data = r->interp->tensor_data(static_cast<uint32_t>(in));
      r->lstm_input.assign(n, 0.0f);
      if (data) std::memcpy(r->lstm_input.data(), data, n * sizeof(float));
      return;
    }
    auto [it, fresh] = r->cell_ranges.emplace(op.inputs[19], std::pair<float, float>(0.0f, 0.0f));
    (void)fresh;
    detail::widen_lstm_cell_range(*r->graph, op_index, r->lstm_input.data(), &it->second.first, &it->second.second);
  }
  if (!after) return;
  for (int32_t out : r->graph->ops[op_index].outputs) {
    r->record(out, static_cast<const float*>(r->interp->tensor_data(static_cast<uint32_t>(out))));
  }
}

bool observable(const GraphTensor& t) {
  return t.type == TensorType::kFloat32 && !t.is_constant() && !t.is_variable;
}

}  // namespace

const TensorRange* Calibration::find(int32_t tensor) const {
  for (const TensorRange& r : ranges) {
    if (r.tensor == tensor) return &r;
  }
  return nullptr;
}

Observer parse_observer(const std::string& name) {
  if (name == "minmax") return Observer::kMinMax;
  if (name == "ema") return Observer::kEma;
  if (name == "percentile") return Observer::kPercentile;
  if (name == "mse") return Observer::kMse;
  throw Error("unknown calibration observer '" + name + "' (valid: minmax, ema, percentile, mse)");
}

const char* observer_name(Observer o) {
  switch (o) {
    case Observer::kMinMax: return "minmax";
    case Observer::kEma: return "ema";
    case Observer::kPercentile: return "percentile";
    case Observer::kMse: return "mse";
  }
  return "unknown";
}

TensorRange observe_range(const std::vector<std::vector<float>>& values_per_sample, const ObserverOptions& options) {
  detail::RangeObserver obs(options);
  for (const auto& v : values_per_sample) obs.add_sample(v.data(), v.size());
  TensorRange r;
  obs.range(&r.min, &r.max);
  return r;
}

Calibration calibrate(const Graph& graph, const RepresentativeData& data, const ObserverOptions& options) {
  if (data.empty()) throw Error("calibration needs at least one representative sample; the data set is empty");
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const GraphTensor& t = graph.tensors[static_cast<size_t>(graph.inputs[i])];
    if (t.type != TensorType::kFloat32) {
      throw Error("calibration needs float32 inputs; input " + std::to_string(i) + " '" + t.name + "' is " +
                  micro::type_name(t.type));
    }
  }
  for (size_t s = 0; s < data.size(); ++s) {
    if (data[s].size() != graph.inputs.size()) {
      throw Error("representative sample " + std::to_string(s) + " has " + std::to_string(data[s].size()) +
                  " input buffers; the model has " + std::to_string(graph.inputs.size()) + " inputs");
    }
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      const GraphTensor& t = graph.tensors[static_cast<size_t>(graph.inputs[i])];
      if (static_cast<int64_t>(data[s][i].size()) != t.element_count()) {
        throw Error("representative sample " + std::to_string(s) + ", input " + std::to_string(i) + " '" + t.name +
                    "': " + std::to_string(data[s][i].size()) + " values, the tensor has " +
                    std::to_string(t.element_count()));
      }
    }
  }

  std::unique_ptr<Runner> runner;
  try {
    runner = std::make_unique<Runner>(ModelBytes(write_tflite(graph)));
  } catch (const Error& e) {
    throw Error(std::string("calibration: the micro runtime cannot run the float graph: ") + e.what());
  }
  Recorder rec;
  rec.graph = &graph;
  rec.interp = &runner->interpreter();
  rec.observers.resize(graph.tensors.size());
  rec.sums.resize(graph.tensors.size());
  auto observe = [&](int32_t t) {
    const size_t i = static_cast<size_t>(t);
    if (rec.observers[i] || !observable(graph.tensors[i])) return;
    rec.observers[i] = std::make_unique<detail::RangeObserver>(options);
    rec.sums[i].assign(static_cast<size_t>(graph.tensors[i].element_count()), 0.0);
  };
  for (int32_t t : graph.inputs) observe(t);
  for (const GraphOp& op : graph.ops) {
    for (int32_t t : op.outputs) observe(t);
  }

  for (const Sample& sample : data) {
    runner->reset_state();  // samples are independent (RNN state starts fresh for each)
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      rec.record(graph.inputs[i], sample[i].data());
      runner->set_input(static_cast<uint32_t>(i), sample[i].data(), sample[i].size() * sizeof(float));
    }
    rec.interp->set_op_hook(around_op, &rec);
    const micro::Status st = rec.interp->invoke();
    rec.interp->set_op_hook(nullptr, nullptr);
    if (st != micro::Status::kOk) {
      throw Error(std::string("calibration: running the float graph failed: ") + micro::status_name(st) + ": " +
                  rec.interp->error());
    }
  }

  Calibration cal;
  cal.samples = static_cast<int64_t>(data.size());
  cal.element_means.resize(graph.tensors.size());
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    if (!rec.observers[t]) continue;
    TensorRange r;
    r.tensor = static_cast<int32_t>(t);
    r.name = graph.tensors[t].name;
    try {
      rec.observers[t]->range(&r.min, &r.max);
    } catch (const Error& e) {
      throw Error("calibration of " + detail::tensor_label(graph, r.tensor) + ": " + e.what());
    }
    cal.ranges.push_back(r);
    std::vector<double>& mean = cal.element_means[t];
    mean = std::move(rec.sums[t]);
    for (double& m : mean) m /= static_cast<double>(data.size());
  }
  for (const auto& [tensor, range] : rec.cell_ranges) {
    TensorRange r;
    r.tensor = tensor;
    r.name = graph.tensors[static_cast<size_t>(tensor)].name;
    r.min = range.first;
    r.max = range.second;
    cal.ranges.push_back(r);
  }
  std::sort(cal.ranges.begin(), cal.ranges.end(),
            [](const TensorRange& a, const TensorRange& b) { return a.tensor < b.tensor; });
  return cal;
}

std::string format_ranges(const std::vector<TensorRange>& ranges) {
  std::string out;
  char line[96];
  for (const TensorRange& r : ranges) {
    std::snprintf(line, sizeof(line), "%4d  min=%-12.6g max=%-12.6g ", r.tensor, static_cast<double>(r.min),
                  static_cast<double>(r.max));
    out += line;
    out += r.name;
    out += '\n';
  }
  return out;
}

}  // namespace tinyforge::convert
