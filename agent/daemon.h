// The agent daemon: host key, authorized operators, the SSH server and
// signal handling (SIGTERM/SIGINT: stop accepting, let sessions in flight
// finish for up to 10 s, return 0; SIGHUP: reload and log the operators).
#pragma once

#include <iosfwd>
#include <memory>

#include <spdlog/logger.h>

#include "agent/config.h"
#include "agent/facts.h"
#include "core/base/filesystem.h"

namespace daybook::agent {

// Serves until a stop signal. Prints "listening on ADDR:PORT" on `out` once
// ready. Returns the exit code (0 after a clean stop, 2 when it cannot start).
int RunDaemon(const AgentConfig& config, Filesystem& fs, const Uname& uname, std::ostream& out,
              std::shared_ptr<spdlog::logger> log);

}  // namespace daybook::agent
