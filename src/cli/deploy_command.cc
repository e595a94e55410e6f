// `tinyforge deploy`: packages a model for a device. Each kind of deployment is a subcommand.
#include "cli/commands.h"

namespace tinyforge::cli {

void add_deploy_command(CLI::App& app) {
  auto* deploy = app.add_subcommand("deploy", "Package a model for a device (bare-metal image for emulated MCUs)");
  deploy->require_subcommand(1);
  add_deploy_baremetal(*deploy);
}

}  // namespace tinyforge::cli
