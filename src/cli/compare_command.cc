// `tinyforge compare A.tflite B.tflite --data ...`: accuracy of both, agreement, per-layer SQNR.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/data_args.h"
#include "tinyforge/compare.h"

namespace tinyforge::cli {

void add_compare_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compare", "Compare two versions of a model (e.g. float and int8): accuracy, agreement, per-layer SQNR");
  struct Args {
    std::string a, b;
    bool json = false;
    std::shared_ptr<DataArgs> data = std::make_shared<DataArgs>();
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("a", a->a, "The reference .tflite file (e.g. float)")->required();
  cmd->add_option("b", a->b, "The .tflite file compared with it (e.g. int8)")->required();
  add_data_options(cmd, a->data);
  cmd->add_flag("--json", a->json, "Print one JSON object");
  cmd->callback([a] {
    const eval::LabelledData data = a->data->load();
    const eval::CompareResult r =
        eval::compare_models(ModelBytes::load(a->a), ModelBytes::load(a->b), data, a->data->options());
    if (a->json) {
      nlohmann::json j = eval::compare_json(r);
      j["a"]["model"] = a->a;
      j["b"]["model"] = a->b;
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s", eval::compare_text(r, a->a, a->b).c_str());
    }
  });
}

}  // namespace tinyforge::cli
