#include "tinyforge/inspect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tinyforge/error.h"
#include "tinyforge/micro/kernels.h"

namespace tinyforge {

namespace {

TensorSummary summarize(const micro::TensorInfo& t) {
  TensorSummary s;
  s.index = t.index;
  s.name = t.name;
  s.type = micro::type_name(t.type);
  for (int d = 0; d < t.shape.rank; ++d) s.shape.push_back(t.shape.dims[d]);
  s.bytes = t.bytes;
  s.is_constant = t.const_data != nullptr;
  s.is_variable = t.is_variable;
  for (uint32_t i = 0; i < t.quant.count; ++i) {
    s.scales.push_back(t.quant.scale(i));
    s.zero_points.push_back(t.quant.zero_point(i));
  }
  s.quantized_dimension = t.quant.quantized_dimension;
  return s;
}

// fmt::join, not string concatenation: GCC 12 warns (-Wrestrict) about `"," + std::to_string(v)`.
std::string list_text(const std::vector<int32_t>& values) {
  return fmt::format("{}", fmt::join(values, ","));
}

std::string shape_text(const std::vector<int32_t>& shape) {
  return "[" + list_text(shape) + "]";
}

std::string quant_text(const TensorSummary& t) {
  if (t.scales.empty()) return "";
  if (t.scales.size() == 1) return fmt::format("q(s={:.6g}, zp={})", t.scales[0], t.zero_points[0]);
  const auto [smin, smax] = std::minmax_element(t.scales.begin(), t.scales.end());
  const auto [zmin, zmax] = std::minmax_element(t.zero_points.begin(), t.zero_points.end());
  return fmt::format("q(per-channel x{} on axis {}, s={:.6g}..{:.6g}, zp={}..{})", t.scales.size(),
                     t.quantized_dimension, *smin, *smax, *zmin, *zmax);
}

std::string stored_arena_text(const ModelReport& r) {
  const std::string name = micro::kArenaMetadataName;
  switch (r.stored_arena_status) {
    case micro::ArenaMetadataStatus::kAbsent: return "stored arena: none (no '" + name + "' metadata)\n";
    case micro::ArenaMetadataStatus::kMalformed: return "stored arena: MALFORMED '" + name + "' metadata\n";
    case micro::ArenaMetadataStatus::kOk: break;
  }
  const micro::ArenaMetadata& m = r.stored_arena;
  std::string verdict = "not checked: the model cannot be planned here";
  if (r.runnable)
    verdict = r.stored_arena_matches ? "matches the planner"
                                     : "DIFFERS from the planner: the model was changed after conversion";
  return fmt::format("stored arena ('{}' v{}, planned with {}-byte pointers): {} bytes; {} with inputs preserved; {}\n",
                     name, m.version, m.planner_pointer_bytes, m.arena_bytes, m.arena_bytes_preserve_inputs, verdict);
}

}  // namespace

ModelReport inspect_model(const ModelBytes& bytes) {
  micro::Model model;
  micro::ErrorBuffer err;
  if (model.verify(bytes.data(), bytes.size(), &err) != micro::Status::kOk) throw Error(std::string("invalid model: ") + err.c_str());
  ModelReport r;
  r.file_bytes = bytes.size();
  r.weight_bytes = model.weight_bytes();
  r.description = model.description();
  for (uint32_t i = 0; i < model.num_tensors(); ++i) r.tensors.push_back(summarize(model.tensor(i)));
  for (uint32_t i = 0; i < model.num_inputs(); ++i) r.inputs.push_back(r.tensors[model.input_tensor(i)]);
  for (uint32_t i = 0; i < model.num_outputs(); ++i) r.outputs.push_back(r.tensors[model.output_tensor(i)]);

  r.stored_arena_status = micro::read_arena_metadata(model, &r.stored_arena);
  r.sizes = size_breakdown(model);
  micro::OpResolver resolver;
  micro::register_all_kernels(&resolver);
  for (uint32_t i = 0; i < model.num_operators(); ++i) {
    OpSummary op;
    op.index = i;
    op.opcode = op_display(model, i);
    const micro::OpCode code = model.op_code_of(i);
    op.version = code.version;
    const micro::fb::Vector ins = model.op_inputs(i);
    for (uint32_t k = 0; k < ins.size(); ++k) op.inputs.push_back(ins.i32(k));
    const micro::fb::Vector outs = model.op_outputs(i);
    for (uint32_t k = 0; k < outs.size(); ++k) op.outputs.push_back(outs.i32(k));
    const micro::Kernel* kernel =
        resolver.find(code.builtin, code.builtin == micro::op::kCustom ? code.custom : nullptr);
    op.supported = kernel && code.version >= 1 && code.version <= kernel->max_version;
    if (!op.supported) {
      const std::string name = op.opcode + (code.builtin == micro::op::kCustom ? "" : " v" + std::to_string(code.version));
      if (std::find(r.unsupported.begin(), r.unsupported.end(), name) == r.unsupported.end()) r.unsupported.push_back(name);
    }
    r.ops.push_back(op);
  }
  try {
    Runner runner(bytes);
    r.arena_bytes = runner.arena_bytes();
    r.planned_bytes = runner.interpreter().planned_bytes();
    r.persistent_bytes = runner.interpreter().persistent_bytes();
    r.arena_bytes_preserve_inputs = exact_arena_bytes(bytes, true);
    r.runnable = true;
    // Sizes planned on a host with another pointer size cannot be compared here.
    r.stored_arena_matches = r.stored_arena.planner_pointer_bytes != sizeof(void*) ||
                             (r.stored_arena.arena_bytes == r.arena_bytes &&
                              r.stored_arena.arena_bytes_preserve_inputs == r.arena_bytes_preserve_inputs);
  } catch (const Error& e) {
    r.problem = e.what();
  }
  return r;
}

std::string report_text(const ModelReport& r, bool with_tensors) {
  std::string s;
  auto io_line = [&](const char* what, size_t i, const TensorSummary& t) {
    s += fmt::format("  {} {}: '{}' {} {} {}\n", what, i, t.name, t.type, shape_text(t.shape), quant_text(t));
  };
  s += fmt::format("description: {}\n", r.description.empty() ? "(none)" : r.description);
  s += fmt::format("file: {} bytes = {} bytes of weights + {} bytes of structure and metadata\n", r.file_bytes,
                   r.weight_bytes, r.file_bytes - r.weight_bytes);
  s += fmt::format("tensors: {}   operators: {}\n", r.tensors.size(), r.ops.size());
  s += "inputs:\n";
  for (size_t i = 0; i < r.inputs.size(); ++i) io_line("input", i, r.inputs[i]);
  s += "outputs:\n";
  for (size_t i = 0; i < r.outputs.size(); ++i) io_line("output", i, r.outputs[i]);
  s += "operators:\n";
  for (const OpSummary& op : r.ops) {
    s += fmt::format("  {:3} {:<30} v{}  in [{}] out [{}]{}\n", op.index, op.opcode, op.version, list_text(op.inputs),
                     list_text(op.outputs), op.supported ? "" : "  UNSUPPORTED");
  }
  if (with_tensors) {
    s += "tensors:\n";
    for (const TensorSummary& t : r.tensors) {
      s += fmt::format("  {:3} {:<8} {:<18} {:>8} B {}{}{} '{}'\n", t.index, t.type, shape_text(t.shape), t.bytes,
                       t.is_constant ? "const " : "", t.is_variable ? "variable " : "", quant_text(t), t.name);
    }
  }
  if (r.runnable) {
    s += fmt::format("arena: {} bytes exact ({} planned activations + {} persistent); {} bytes with inputs preserved\n",
                     r.arena_bytes, r.planned_bytes, r.persistent_bytes, r.arena_bytes_preserve_inputs);
  } else {
    s += "cannot run here: " + r.problem + "\n";
  }
  s += stored_arena_text(r);
  s += size_breakdown_text(r.sizes);
  if (!r.unsupported.empty()) {
    s += "unsupported operators:";
    for (const std::string& u : r.unsupported) s += " " + u;
    s += "\n";
  }
  return s;
}

nlohmann::json report_json(const ModelReport& r) {
  auto tensor = [](const TensorSummary& t) {
    nlohmann::json j = {{"index", t.index}, {"name", t.name}, {"type", t.type}, {"shape", t.shape},
                        {"bytes", t.bytes}, {"constant", t.is_constant}, {"variable", t.is_variable}};
    if (!t.scales.empty()) {
      j["quantization"] = {{"scales", t.scales}, {"zero_points", t.zero_points},
                           {"quantized_dimension", t.quantized_dimension}};
    }
    return j;
  };
  nlohmann::json j;
  j["file_bytes"] = r.file_bytes;
  j["weight_bytes"] = r.weight_bytes;
  j["structure_bytes"] = r.file_bytes - r.weight_bytes;
  j["description"] = r.description;
  j["inputs"] = nlohmann::json::array();
  for (const auto& t : r.inputs) j["inputs"].push_back(tensor(t));
  j["outputs"] = nlohmann::json::array();
  for (const auto& t : r.outputs) j["outputs"].push_back(tensor(t));
  j["tensors"] = nlohmann::json::array();
  for (const auto& t : r.tensors) j["tensors"].push_back(tensor(t));
  j["operators"] = nlohmann::json::array();
  for (const auto& op : r.ops) {
    j["operators"].push_back({{"index", op.index}, {"opcode", op.opcode}, {"version", op.version},
                              {"inputs", op.inputs}, {"outputs", op.outputs}, {"supported", op.supported}});
  }
  j["sizes"] = size_breakdown_json(r.sizes);
  j["runnable"] = r.runnable;
  if (!r.runnable) j["problem"] = r.problem;
  j["unsupported"] = r.unsupported;
  if (r.runnable) {
    j["arena_bytes"] = r.arena_bytes;
    j["arena_bytes_preserve_inputs"] = r.arena_bytes_preserve_inputs;
    j["planned_bytes"] = r.planned_bytes;
    j["persistent_bytes"] = r.persistent_bytes;
  }
  if (r.stored_arena_status == micro::ArenaMetadataStatus::kOk) {
    j["stored_arena"] = {{"version", r.stored_arena.version},
                         {"arena_bytes", r.stored_arena.arena_bytes},
                         {"arena_bytes_preserve_inputs", r.stored_arena.arena_bytes_preserve_inputs},
                         {"planner_pointer_bytes", r.stored_arena.planner_pointer_bytes}};
    if (r.runnable) j["stored_arena"]["matches_planner"] = r.stored_arena_matches;
  } else {
    j["stored_arena"] = r.stored_arena_status == micro::ArenaMetadataStatus::kAbsent ? "absent" : "malformed";
  }
  return j;
}

}  // namespace tinyforge
