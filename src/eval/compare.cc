// Comparing two models sample by sample: both run through the micro runtime, an op hook copies
// the matched tensors (dequantized) right after the operator that writes them, before the
// planner lets another tensor reuse their memory.
#include "tinyforge/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "eval/sample_io.h"
#include "tinyforge/error.h"

namespace tinyforge::eval {

namespace {

struct OpOutput {
  uint32_t op;
  uint32_t position;  // among the operator's outputs
  int32_t tensor;
  std::string name;
  std::string opcode;
  int64_t ordinal;  // n-th operator of this opcode (QUANTIZE/DEQUANTIZE not counted)
  int64_t elements;
};

bool readable(micro::TensorType t) {
  switch (t) {
    case micro::TensorType::kFloat32:
    case micro::TensorType::kInt8:
    case micro::TensorType::kUInt8:
    case micro::TensorType::kInt16:
    case micro::TensorType::kInt32:
    case micro::TensorType::kInt64:
    case micro::TensorType::kBool:
    case micro::TensorType::kFloat64: return true;
    default: return false;
  }
}

std::vector<OpOutput> op_outputs(const micro::Model& m) {
  std::vector<OpOutput> list;
  std::map<std::string, int64_t> seen;
  for (uint32_t op = 0; op < m.num_operators(); ++op) {
    const std::string opcode = op_display(m, op);
    const bool edge = opcode == "QUANTIZE" || opcode == "DEQUANTIZE";
    const int64_t ordinal = edge ? -1 : seen[opcode]++;
    const micro::fb::Vector outs = m.op_outputs(op);
    for (uint32_t k = 0; k < outs.size(); ++k) {
      const int32_t t = outs.i32(k);
      if (t < 0) continue;
      const micro::TensorInfo info = m.tensor(static_cast<uint32_t>(t));
      if (!readable(info.type)) continue;
      list.push_back({op, k, t, info.name, opcode, ordinal, info.shape.flat_size()});
    }
  }
  return list;
}

struct Match {
  size_t a, b;  // indices into the op_outputs lists
  const char* how;
};

std::vector<Match> match_tensors(const micro::Model& ma, const std::vector<OpOutput>& a, const micro::Model& mb,
                                 const std::vector<OpOutput>& b) {
  std::vector<bool> used_a(a.size(), false), used_b(b.size(), false);
  std::vector<Match> matches;
  auto take = [&](size_t i, size_t j, const char* how) {
    if (used_a[i] || used_b[j] || a[i].elements != b[j].elements) return;
    used_a[i] = used_b[j] = true;
    matches.push_back({i, j, how});
  };
  std::map<std::string, size_t> by_name;
  for (size_t j = 0; j < b.size(); ++j) {
    if (!b[j].name.empty()) by_name.emplace(b[j].name, j);
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto it = by_name.find(a[i].name);
    if (!a[i].name.empty() && it != by_name.end()) take(i, it->second, "name");
  }
  auto index_of = [](const std::vector<OpOutput>& list, int32_t tensor) {
    for (size_t k = 0; k < list.size(); ++k) {
      if (list[k].tensor == tensor) return k;
    }
    return list.size();
  };
  for (uint32_t k = 0; k < ma.num_outputs() && k < mb.num_outputs(); ++k) {
    const size_t i = index_of(a, ma.output_tensor(k)), j = index_of(b, mb.output_tensor(k));
    if (i < a.size() && j < b.size()) take(i, j, "model output");
  }
  std::map<std::tuple<std::string, int64_t, uint32_t>, size_t> by_order;
  for (size_t j = 0; j < b.size(); ++j) {
    if (b[j].ordinal >= 0) by_order.emplace(std::make_tuple(b[j].opcode, b[j].ordinal, b[j].position), j);
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].ordinal < 0) continue;
    const auto it = by_order.find(std::make_tuple(a[i].opcode, a[i].ordinal, a[i].position));
    if (it != by_order.end()) take(i, it->second, "op order");
  }
  return matches;
}

// Copies watched tensors after the operators that write them. The hook runs inside the micro
// runtime (built without exceptions), so nothing may be thrown through it.
struct Capture {
  const micro::Interpreter* interp = nullptr;
  std::vector<std::vector<std::pair<int32_t, size_t>>> per_op;  // op -> (tensor, slot)
  std::vector<std::vector<float>> values;                       // slot -> this sample's values
  bool failed = false;

  static void hook(void* user, uint32_t op, bool after) {
    auto* c = static_cast<Capture*>(user);
    if (!after || op >= c->per_op.size()) return;
    for (const auto& [tensor, slot] : c->per_op[op]) {
      const void* data = c->interp->tensor_data(static_cast<uint32_t>(tensor));
      try {
        c->values[slot] = data ? detail::tensor_floats(c->interp->model().tensor(static_cast<uint32_t>(tensor)), data)
                               : std::vector<float>();
      } catch (...) {
        c->failed = true;
      }
    }
  }
};

struct Side {
  Runner runner;
  std::vector<OpOutput> outputs;
  Capture capture;
  detail::Scorer scorer;

  Side(const ModelBytes& model, const LabelledData& data, const EvalOptions& options, const char* which)
      : runner(model),
        outputs(op_outputs(runner.model())),
        scorer(data, output_count(runner, data, which), options.task) {
    capture.interp = &runner.interpreter();
    capture.per_op.resize(runner.model().num_operators());
  }
  static size_t output_count(Runner& r, const LabelledData& data, const char* which) {
    if (r.interpreter().num_inputs() != 1) {
      throw Error(std::string("model ") + which + " has " + std::to_string(r.interpreter().num_inputs()) +
                  " inputs; compare needs models with one input");
    }
    detail::check_sample_shape(r.interpreter(), data.x);
    return static_cast<size_t>(r.interpreter().output_info(0).shape.flat_size());
  }
  void watch(size_t list_index) {
    const OpOutput& o = outputs[list_index];
    capture.per_op[o.op].emplace_back(o.tensor, capture.values.size());
    capture.values.emplace_back();
  }
  std::vector<float> run(const NpyArray& x, int64_t i, double* seconds) {
    micro::Interpreter& interp = runner.interpreter();
    interp.set_op_hook(&Capture::hook, &capture);
    std::vector<float> out;
    try {
      out = detail::run_sample(interp, x, i, seconds);
    } catch (...) {
      interp.set_op_hook(nullptr, nullptr);
      throw;
    }
    interp.set_op_hook(nullptr, nullptr);
    if (capture.failed) throw Error("internal: a watched tensor could not be read");
    return out;
  }
};

}  // namespace

CompareResult compare_models(const ModelBytes& a, const ModelBytes& b, const LabelledData& data,
                             const EvalOptions& options) {
  validate(data);
  if (options.limit < 0) throw Error("the sample limit must be positive");
  Side sa(a, data, options, "A"), sb(b, data, options, "B");
  const size_t out_a = static_cast<size_t>(sa.runner.interpreter().output_info(0).shape.flat_size());
  const size_t out_b = static_cast<size_t>(sb.runner.interpreter().output_info(0).shape.flat_size());
  if (out_a != out_b) {
    throw Error("model A's output has " + std::to_string(out_a) + " values and model B's " + std::to_string(out_b) +
                ": not two versions of one model");
  }
  const std::vector<Match> matches = match_tensors(sa.runner.model(), sa.outputs, sb.runner.model(), sb.outputs);
  // Slots are numbered in match order on both sides.
  for (const Match& m : matches) {
    sa.watch(m.a);
    sb.watch(m.b);
  }
  CompareResult r;
  r.layers.resize(matches.size());
  const int64_t n = options.limit > 0 ? std::min(options.limit, data.size()) : data.size();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t pa = sa.scorer.add(i, sa.run(data.x, i, &r.a.invoke_seconds));
    const int64_t pb = sb.scorer.add(i, sb.run(data.x, i, &r.b.invoke_seconds));
    if (pa >= 0 && pa == pb) ++r.agreeing;
    for (size_t s = 0; s < matches.size(); ++s) {
      const std::vector<float>& va = sa.capture.values[s];
      const std::vector<float>& vb = sb.capture.values[s];
      LayerError& e = r.layers[s];
      for (size_t k = 0; k < va.size() && k < vb.size(); ++k) {
        const double d = static_cast<double>(vb[k]) - static_cast<double>(va[k]);
        e.signal_power += static_cast<double>(va[k]) * static_cast<double>(va[k]);
        e.noise_power += d * d;
        e.max_abs_error = std::max(e.max_abs_error, std::fabs(d));
      }
    }
  }
  sa.scorer.finish(&r.a);
  sb.scorer.finish(&r.b);
  r.a.source = r.b.source = data.source;
  r.a.arena_bytes = sa.runner.arena_bytes();
  r.b.arena_bytes = sb.runner.arena_bytes();
  r.agreement =
      n > 0 && r.a.task == Task::kClassification ? static_cast<double>(r.agreeing) / static_cast<double>(n) : 0;

  size_t worst = matches.size();
  for (size_t s = 0; s < matches.size(); ++s) {
    const OpOutput& oa = sa.outputs[matches[s].a];
    const OpOutput& ob = sb.outputs[matches[s].b];
    LayerError& e = r.layers[s];
    e.op_a = oa.op;
    e.opcode = oa.opcode;
    e.tensor_a = oa.tensor;
    e.tensor_b = ob.tensor;
    e.name_a = oa.name;
    e.name_b = ob.name;
    e.matched_by = matches[s].how;
    e.elements = oa.elements;
    constexpr double kInf = std::numeric_limits<double>::infinity();
    e.sqnr_db = e.noise_power == 0    ? kInf
                : e.signal_power == 0 ? -kInf
                                      : 10 * std::log10(e.signal_power / e.noise_power);
  }
  std::stable_sort(r.layers.begin(), r.layers.end(), [](const LayerError& x, const LayerError& y) {
    return std::tie(x.op_a, x.tensor_a) < std::tie(y.op_a, y.tensor_a);
  });
  for (size_t s = 0; s < r.layers.size(); ++s) {
    if (worst == r.layers.size() || r.layers[s].sqnr_db < r.layers[worst].sqnr_db) worst = s;
  }
  if (worst < r.layers.size()) r.layers[worst].worst = true;
  std::vector<bool> matched(sa.outputs.size(), false);
  for (const Match& m : matches) matched[m.a] = true;
  for (size_t i = 0; i < sa.outputs.size(); ++i) {
    if (!matched[i]) r.unmatched.push_back(sa.outputs[i].name);
  }
  return r;
}

namespace {

std::string db_text(double db) {
  if (std::isinf(db)) return db > 0 ? "inf" : "-inf";
  return fmt::format("{:.2f}", db);
}

std::string metric_text(const EvalResult& r) {
  if (r.task == Task::kRegression) return fmt::format("mse {:.6g}, mae {:.6g}", r.mse, r.mae);
  return fmt::format("accuracy {:.4f} ({} of {})", r.accuracy, r.correct, r.samples);
}

}  // namespace

std::string compare_text(const CompareResult& r, const std::string& name_a, const std::string& name_b) {
  std::string s = fmt::format("data: {} ({} samples, {})\n", r.a.source, r.a.samples, task_name(r.a.task));
  s += fmt::format("A {}: {}, arena {} bytes\n", name_a, metric_text(r.a), r.a.arena_bytes);
  s += fmt::format("B {}: {}, arena {} bytes\n", name_b, metric_text(r.b), r.b.arena_bytes);
  if (r.a.task == Task::kClassification) {
    s += fmt::format("agreement: {:.4f} ({} of {} samples with the same predicted class)\n", r.agreement, r.agreeing,
                     r.a.samples);
  }
  s += "per-layer error of B against A (SQNR = 10 log10(sum A^2 / sum (B-A)^2), execution order of A):\n";
  s += fmt::format("  {:>3} {:<28} {:>9} {:>12} {:<13} {}\n", "op", "opcode", "SQNR dB", "max |B-A|", "matched by",
                   "tensor (A -> B)");
  for (const LayerError& e : r.layers) {
    s += fmt::format("  {:>3} {:<28} {:>9} {:>12.6g} {:<13} '{}'{}{}\n", e.op_a, e.opcode, db_text(e.sqnr_db),
                     e.max_abs_error, e.matched_by, e.name_a, e.name_a == e.name_b ? "" : " -> '" + e.name_b + "'",
                     e.worst ? "   <- worst" : "");
  }
  if (!r.unmatched.empty()) {
    s += "not matched in B:";
    for (const std::string& n : r.unmatched) s += " '" + n + "'";
    s += "\n";
  }
  return s;
}

nlohmann::json compare_json(const CompareResult& r) {
  nlohmann::json j = {{"a", eval_json(r.a)}, {"b", eval_json(r.b)}};
  if (r.a.task == Task::kClassification) {
    j["agreement"] = r.agreement;
    j["agreeing"] = r.agreeing;
  }
  j["layers"] = nlohmann::json::array();
  for (const LayerError& e : r.layers) {
    nlohmann::json l = {{"op", e.op_a},
                        {"opcode", e.opcode},
                        {"tensor_a", e.tensor_a},
                        {"tensor_b", e.tensor_b},
                        {"name_a", e.name_a},
                        {"name_b", e.name_b},
                        {"matched_by", e.matched_by},
                        {"elements", e.elements},
                        {"signal_power", e.signal_power},
                        {"noise_power", e.noise_power},
                        {"max_abs_error", e.max_abs_error},
                        {"worst", e.worst}};
    // JSON has no infinity: an exact match is written as the string "inf".
    if (std::isinf(e.sqnr_db)) {
      l["sqnr_db"] = db_text(e.sqnr_db);
    } else {
      l["sqnr_db"] = e.sqnr_db;
    }
    j["layers"].push_back(l);
  }
  j["unmatched"] = r.unmatched;
  return j;
}

}  // namespace tinyforge::eval
