#include <cmath>
#include <cstdio>
#include <memory>
#include <cstring>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/tensor_io.h"
#include "tinyforge/error.h"
#include "tinyforge/runtime.h"

namespace tinyforge::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string pattern;
  bool trace = false;
  bool json = false;
  bool preserve_inputs = false;
};

void run(const RunArgs& a) {
  if (a.inputs.empty() && a.pattern.empty()) throw Error("give the inputs: --input FILE.npy (one per model input) or --pattern tflm");
  if (!a.inputs.empty() && !a.pattern.empty()) throw Error("--input and --pattern cannot be used together");
  if (!a.pattern.empty() && a.pattern != "tflm") throw Error("unknown --pattern '" + a.pattern + "' (known: tflm)");
  RunnerOptions opts;
  opts.preserve_inputs = a.preserve_inputs;
  Runner runner(ModelBytes::load(a.model), opts);
  micro::Interpreter& interp = runner.interpreter();
  if (!a.pattern.empty()) {
    runner.fill_tflm_pattern();
  } else {
    if (a.inputs.size() != interp.num_inputs()) {
      throw Error("model has " + std::to_string(interp.num_inputs()) + " input(s), " + std::to_string(a.inputs.size()) +
                  " --input file(s) given");
    }
    for (uint32_t i = 0; i < interp.num_inputs(); ++i) load_input_npy(runner, i, a.inputs[i]);
  }
  std::vector<OpTrace> trace;
  runner.invoke(a.trace ? &trace : nullptr);

  nlohmann::json out;
  out["outputs"] = nlohmann::json::array();
  for (uint32_t i = 0; i < interp.num_outputs(); ++i) out["outputs"].push_back(output_json(runner, i));
  out["output_fnv1a64"] = hex16(runner.outputs_fnv1a64());
  out["arena_bytes"] = runner.arena_bytes();
  if (a.trace) {
    out["ops"] = nlohmann::json::array();
    for (const OpTrace& t : trace) {
      out["ops"].push_back({{"index", t.op_index}, {"opcode", t.opcode}, {"output_tensor", t.output_tensor},
                            {"fnv1a64", hex16(t.output_fnv1a64)}});
    }
  }
  if (a.json) {
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  for (const auto& o : out["outputs"]) {
    std::printf("output %d: %s %s fnv1a64=%s\n  values: %s\n", o["index"].get<int>(), o["type"].get<std::string>().c_str(),
                o["shape"].dump().c_str(), o["fnv1a64"].get<std::string>().c_str(), o["values"].dump().c_str());
  }
  std::printf("output_fnv1a64=%s arena_bytes=%zu\n", out["output_fnv1a64"].get<std::string>().c_str(), runner.arena_bytes());
  if (a.trace) {
    std::printf("%-4s %-30s %-7s %s\n", "op", "opcode", "tensor", "fnv1a64");
    for (const OpTrace& t : trace) {
      std::printf("%-4u %-30s %-7d %s\n", t.op_index, t.opcode.c_str(), t.output_tensor, hex16(t.output_fnv1a64).c_str());
    }
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run one inference with the micro runtime and print the outputs");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("model", a->model, "The .tflite file")->required();
  cmd->add_option("--input", a->inputs, "A .npy file per model input, in order (float data is quantized for integer inputs)");
  cmd->add_option("--pattern", a->pattern, "Fill inputs with a fixed pattern: 'tflm' (as in tflm_goldens.json)");
  cmd->add_flag("--trace", a->trace, "Also print every operator's output hash");
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->add_flag("--preserve-inputs", a->preserve_inputs, "Keep input tensors intact during invoke (more arena)");
  cmd->callback([a] { run(*a); });
}

}  // namespace tinyforge::cli
