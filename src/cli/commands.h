// The `tinyforge` subcommands. Each registers its options on the CLI11 app and runs;
// errors are thrown as tinyforge::Error and reported once in main().
#pragma once

#include <CLI/CLI.hpp>

namespace tinyforge::cli {

void add_inspect_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_compare_command(CLI::App& app);
// `tinyforge deploy <kind>`: the parent command and its subcommands.
void add_deploy_command(CLI::App& app);
void add_deploy_baremetal(CLI::App& deploy);
void add_deploy_esp_idf(CLI::App& deploy);

}  // namespace tinyforge::cli
