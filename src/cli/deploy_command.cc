// `tinyforge deploy <kind>`: generate a project that runs a model on a device. Each kind
// registers itself in its own file (deploy_<kind>_command.cc).
#include "cli/commands.h"

namespace tinyforge::cli {

void add_deploy_command(CLI::App& app) {
  CLI::App* deploy = app.add_subcommand("deploy", "Generate a project or image that runs a model on a device");
  deploy->require_subcommand(1);
  add_deploy_esp_idf(*deploy);
  add_deploy_baremetal(*deploy);
}

}  // namespace tinyforge::cli
