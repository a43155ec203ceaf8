// ProcessRunner seam: the one way daybook runs other programs. No shell:
// argv is passed as is. The Boost.Process implementation lives in
// process_runner_boost.cc; tests use tests/fakes/fake_process_runner.h.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace daybook::exec {

struct ProcessSpec {
  std::vector<std::string> argv;            // argv[0] is looked up in PATH when it has no '/'
  std::map<std::string, std::string> env;   // added to (or replacing in) the inherited environment
  std::vector<std::string> unset_env;       // removed from the inherited environment
  std::string cwd;                          // empty = inherit; a missing directory is an error
  // The directory to start in, by descriptor (borrowed: open until Run
  // returns). The child fchdir()s to it, so no path is resolved and what a
  // path names meanwhile does not matter. Wins over `cwd`.
  int cwd_fd = -1;
  // The program, by descriptor (borrowed; O_PATH is enough). The child runs
  // it with execveat(AT_EMPTY_PATH): the file that runs is the one opened,
  // whatever argv[0] names by then; argv[0] is only the name it is given.
  int exe_fd = -1;
  // A sandbox root (absolute path; needs root and bubblewrap): the program
  // runs confined by bwrap as core/exec/sandbox_argv.h says, with the root
  // as its "/" (a program named without '/' is looked up in PATH inside
  // the root: apt, dpkg), or, with `host_program`, as the host's program
  // with the host read-only and only the root writable (dnf --installroot,
  // rpm --root). It starts in "/" (`cwd` is not used with a root), with no
  // variable of the agent's environment but PATH and `env`; its mounts and
  // namespaces vanish with it and whatever it left running.
  std::string root_dir;
  bool host_program = false;
  // With a root: the host's network namespace (downloads). Without it the
  // program gets a network namespace of its own with only loopback: a
  // maintainer script reaches no host service, abstract socket or network.
  bool network = false;
  std::string stdin_data;                   // fed to the child, then closed
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  // Processes the command started in the background outlive it (a reboot
  // command hands over to init); by default they are killed with it.
  bool leave_descendants = false;
  // Bytes kept of each of stdout and stderr. Past it the start is dropped
  // (the tail is what says why a command failed) and *_truncated is set;
  // memory stays bounded whatever the command prints.
  size_t max_output = 64u << 20;

  static ProcessSpec Of(std::vector<std::string> argv) {
    ProcessSpec spec;
    spec.argv = std::move(argv);
    return spec;
  }
};

struct ProcessResult {
  int exit_code = -1;      // when exited normally
  int signal = 0;          // when killed by a signal
  bool timed_out = false;  // killed (with its process group) after the timeout
  std::string out;
  std::string err;
  bool out_truncated = false;  // out holds only the last max_output bytes
  bool err_truncated = false;
  bool ok() const { return !timed_out && signal == 0 && exit_code == 0; }
  // "exit 3", "killed by signal 9", "timed out after 10s".
  std::string Describe() const;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs to completion (or timeout). An error only when it could not start
  // (not found, not executable, bad cwd); a non-zero exit is a result.
  virtual Result<ProcessResult> Run(const ProcessSpec& spec) = 0;
};

std::unique_ptr<ProcessRunner> MakeBoostProcessRunner();

}  // namespace daybook::exec
