// The `tinyforge` subcommands. Each registers its options on the CLI11 app and runs;
// errors are thrown as tinyforge::Error and reported once in main().
#pragma once

#include <CLI/CLI.hpp>

namespace tinyforge::cli {

void add_inspect_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_deploy_command(CLI::App& app);
// `deploy` subcommands, each in its own file (deploy_<kind>_command.cc).
void add_deploy_esp_idf(CLI::App& deploy);

}  // namespace tinyforge::cli
