// What every controller command is given: the seams to the OS and the
// streams it writes to. main() builds the real ones; tests build fakes.
#pragma once

#include <filesystem>
#include <iosfwd>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"
#include "core/repo/git.h"

namespace daybook::controller {

// Exit codes, a contract with scripts (DESIGN.md §6).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;   // a failed intervention or verification
constexpr int kExitUsage = 2;    // bad usage or bad input

struct Env {
  Filesystem& fs;
  repo::Git& git;
  const Clock& clock;
  std::ostream& out;   // data and summaries
  std::ostream& err;   // diagnostics and errors
  std::filesystem::path cwd;
  bool out_is_terminal = false;
  bool err_is_terminal = false;  // progress lines go to stderr on a terminal only
  std::string ssh_auth_sock;     // $SSH_AUTH_SOCK
  std::string home;              // $HOME
  exec::ProcessRunner* runner = nullptr;  // ssh-keygen for operator signatures (push, rollback)
  std::istream* in = nullptr;             // confirmation answers
  bool in_is_terminal = false;
  std::string ssh_command = "";  // $DAYBOOK_SSH_COMMAND: bootstrap's ssh program and options
  // Colour by default: stdout is a terminal, $NO_COLOR unset or empty
  // (no-color.org), $TERM not "dumb". --color overrides.
  bool colour = false;
  // -q (-1): no progress or per-host lines; -v (1): a line per host as it
  // finishes, on a terminal or not; 0: progress on a terminal only.
  int verbosity = 0;
};

enum class OutputFormat { kText, kJson };

// Options every command shares.
struct GlobalOptions {
  std::string fleet;  // --fleet DIR; empty = the git repository containing cwd
};

}  // namespace daybook::controller
