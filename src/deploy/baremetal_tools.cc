// Targets, and the check that their tools are installed before anything is written.
#include <filesystem>

#include "deploy/baremetal_internal.h"
#include "deploy/process.h"
#include "tinyforge/error.h"

namespace tinyforge::deploy {

namespace {

const TargetTools kTargets[] = {
    {BaremetalTarget::kCortexM4, "cortex-m4", "arm-none-eabi-gcc",
     "gcc-arm-none-eabi picolibc-arm-none-eabi libstdc++-arm-none-eabi-dev", "", "qemu-system-arm", "qemu-system-arm"},
    {BaremetalTarget::kRv32imc, "rv32imc", "riscv64-unknown-elf-gcc",
     "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf", "", "qemu-system-riscv32", "qemu-system-misc"},
    {BaremetalTarget::kLx106, "lx106", "xtensa-lx106-elf-gcc", "gcc-xtensa-lx106 picolibc-xtensa-lx106-elf",
     "/usr/lib/xtensa-lx106-elf/picolibc.specs", "qemu-system-xtensa", "qemu-system-misc"},
};

std::string install_hint(const std::string& packages) {
  return "install it with: sudo apt-get install --no-install-recommends " + packages;
}

void require_program(const std::string& program, const std::string& what, const std::string& packages) {
  if (find_program(program).empty()) {
    throw Error(what + " '" + program + "' is not installed (not found on PATH); " + install_hint(packages));
  }
}

}  // namespace

BaremetalTarget parse_baremetal_target(const std::string& name) {
  for (const TargetTools& t : kTargets)
    if (name == t.name) return t.target;
  throw Error("unknown bare-metal target '" + name + "' (known: cortex-m4, rv32imc, lx106)");
}

const char* baremetal_target_name(BaremetalTarget target) {
  return target_tools(target).name;
}

const TargetTools& target_tools(BaremetalTarget target) {
  for (const TargetTools& t : kTargets)
    if (t.target == target) return t;
  throw Error("invalid bare-metal target value " + std::to_string(static_cast<int>(target)));
}

void require_build_tools(const TargetTools& tools, bool plugin) {
  require_program(tools.compiler, std::string("the ") + tools.name + " cross compiler", tools.compiler_packages);
  // picolibc is a separate package: without it the compiler exists but nothing links.
  std::string specs = tools.picolibc_specs;
  if (specs.empty()) {
    const ProcessResult r = run_process({tools.compiler, "-print-file-name=picolibc.specs"}, "");
    specs = r.exit_status == 0 ? r.output.substr(0, r.output.find('\n')) : "";
  }
  if (specs.empty() || !std::filesystem::path(specs).is_absolute() || !std::filesystem::exists(specs)) {
    throw Error(std::string("picolibc for ") + tools.name + " is not installed (no picolibc.specs for " +
                tools.compiler + "); " + install_hint(tools.compiler_packages));
  }
  require_program("make", "the build tool", "make");
  if (plugin) require_program("cc", "the host C compiler (builds the QEMU instruction-count plugin)", "gcc");
}

void require_run_tools(const TargetTools& tools) {
  require_program(tools.qemu, std::string("the ") + tools.name + " emulator", tools.qemu_package);
  require_program("timeout", "the 'timeout' tool", "coreutils");
  require_program("cc", "the host C compiler (builds the QEMU instruction-count plugin)", "gcc");
}

}  // namespace tinyforge::deploy
