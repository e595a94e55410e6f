// Running the external tools a deployment needs (make, the cross compilers, QEMU): no shell,
// so paths with spaces or quotes in them are passed through untouched.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tinyforge::deploy {

struct ProcessResult {
  int exit_status = -1;  // the program's exit status; 128 + N when killed by signal N
  std::string output;    // stdout and stderr, interleaved as written
};

// Runs argv[0] (looked up on PATH) in `cwd` with the current environment plus `env`.
// Throws Error when the program cannot be started at all.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::vector<std::pair<std::string, std::string>>& env = {});

// Full path of an executable found on PATH, or "" when there is none.
std::string find_program(const std::string& name);

}  // namespace tinyforge::deploy
