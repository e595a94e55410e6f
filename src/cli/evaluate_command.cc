// `tinyforge evaluate MODEL.tflite --data ...`: accuracy (or MSE) on the micro runtime.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/data_args.h"

namespace tinyforge::cli {

void add_evaluate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("evaluate", "Run a labelled data set through the micro runtime: accuracy or MSE");
  struct Args {
    std::string model;
    bool json = false;
    std::shared_ptr<DataArgs> data = std::make_shared<DataArgs>();
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "The .tflite file")->required();
  add_data_options(cmd, a->data);
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->callback([a] {
    const eval::LabelledData data = a->data->load();
    const eval::EvalResult r = eval::evaluate_model(ModelBytes::load(a->model), data, a->data->options());
    if (a->json) {
      nlohmann::json j = eval::eval_json(r);
      j["model"] = a->model;
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("model: %s\n%s", a->model.c_str(), eval::eval_text(r).c_str());
    }
  });
}

}  // namespace tinyforge::cli
