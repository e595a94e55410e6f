#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tinyforge/error.h"
#include "tinyforge/inspect.h"

namespace tinyforge::cli {

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "Show a .tflite model's inputs, outputs, operators, sizes and exact arena");
  struct Args {
    std::string path;
    bool json = false;
    bool tensors = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->path, "The .tflite file")->required();
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->add_flag("--tensors", a->tensors, "Also list every tensor with its quantization");
  cmd->callback([a] {
    const ModelReport report = inspect_model(ModelBytes::load(a->path));
    if (a->json) {
      std::printf("%s\n", report_json(report).dump(1).c_str());
    } else {
      std::printf("%s", report_text(report, a->tensors).c_str());
    }
    // A model that cannot run here is reported in full, then signalled by the exit code.
    if (!report.runnable) throw Error(a->path + " cannot run on the micro runtime: " + report.problem);
  });
}

}  // namespace tinyforge::cli
