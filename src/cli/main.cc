// tinyforge: the command line. A thin shell over the library: parse, call, print.
#include <cstdio>

#include "cli/commands.h"
#include "tinyforge/error.h"

int main(int argc, char** argv) {
  CLI::App app{"TinyForge: train, optimize, convert and run TinyML models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tinyforge 0.1.0");
  tinyforge::cli::add_inspect_command(app);
  tinyforge::cli::add_run_command(app);
  tinyforge::cli::add_bench_command(app);
  tinyforge::cli::add_train_command(app);
  tinyforge::cli::add_deploy_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const tinyforge::Error& e) {
    std::fprintf(stderr, "tinyforge: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tinyforge: internal error: %s\n", e.what());
    return 3;
  }
  return 0;
}
