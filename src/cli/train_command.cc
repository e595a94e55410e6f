// `tinyforge train CONFIG.json`: train a model described by a JSON config and save it.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "tinyforge/error.h"
#include "tinyforge/nn/config_training.h"

namespace tinyforge::cli {
namespace {

// "accuracy: 0.9123 - loss: 0.2345", as the progress bar writes logs.
std::string logs_text(const nn::Logs& logs) {
  std::string s;
  char buf[64];
  for (const auto& [k, v] : logs) {
    std::snprintf(buf, sizeof buf, "%.4f", v);
    s += (s.empty() ? "" : " - ") + k + ": " + buf;
  }
  return s;
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model from a JSON config (model, data, optimizer, loss, epochs) and save it");
  struct Args {
    std::string config;
    int epochs = 0;
    std::string output;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("config", a->config, "The training config (.json); see docs/training.md")->required();
  cmd->add_option("--epochs", a->epochs, "Override the config's epochs")->check(CLI::PositiveNumber);
  cmd->add_option("-o,--output", a->output, "Where to save the model (overrides the config's \"output\")");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary or progress bar; print only the final metrics");
  cmd->callback([a] {
    nn::TrainingConfig config = nn::load_training_config(a->config);
    if (a->epochs > 0) config.epochs = a->epochs;
    // A command-line path is relative to where the user stands, not to the config file.
    if (!a->output.empty()) config.output = a->output;
    nn::TrainingRunOptions run;
    run.verbose = a->quiet ? 0 : 1;
    run.print_summary = !a->quiet;
    const nn::TrainingResult r = nn::train_from_config(config, run);
    std::printf("Final %s metrics: %s\n", r.final_split.c_str(), logs_text(r.final_logs).c_str());
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(config.output, ec);
    std::printf("Saved %s (%llu bytes)\n", config.output.c_str(), static_cast<unsigned long long>(ec ? 0 : bytes));
  });
}

}  // namespace tinyforge::cli
