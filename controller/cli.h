// The controller's command line: global flags, subcommands, help, exit codes.
#pragma once

#include <string>
#include <vector>

#include "controller/env.h"

namespace daybook::controller {

// Parses `args` (without the program name) and runs the subcommand.
// Returns the process exit code: 0 ok, 1 failed, 2 bad usage or input.
int RunCli(const std::vector<std::string>& args, Env& env);

}  // namespace daybook::controller
