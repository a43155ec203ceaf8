// daybook: the controller CLI. Builds the real adapters and hands over to
// the command line (controller/cli.cc).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <system_error>

#include "controller/cli.h"
#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"
#include "core/repo/git.h"

int main(int argc, char** argv) {
  std::unique_ptr<daybook::Filesystem> fs = daybook::MakePosixFilesystem();
  std::unique_ptr<daybook::repo::Git> git = daybook::repo::MakeLibgit2();
  std::unique_ptr<daybook::Clock> clock = daybook::MakeSystemClock();
  std::unique_ptr<daybook::exec::ProcessRunner> runner = daybook::exec::MakeBoostProcessRunner();
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) {
    std::cerr << "daybook: error: cannot read the current directory: " << ec.message() << '\n';
    return daybook::controller::kExitUsage;
  }
  const char* sock = std::getenv("SSH_AUTH_SOCK");
  const char* home = std::getenv("HOME");
  daybook::controller::Env env{*fs,  *git, *clock, std::cout, std::cerr, cwd, ::isatty(STDOUT_FILENO) == 1,
                               ::isatty(STDERR_FILENO) == 1, sock ? sock : "", home ? home : "",
                               runner.get(), &std::cin, ::isatty(STDIN_FILENO) == 1};
  if (const char* ssh = std::getenv("DAYBOOK_SSH_COMMAND")) env.ssh_command = ssh;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  env.colour = env.out_is_terminal && (no_color == nullptr || *no_color == '\0') &&
               (term == nullptr || std::string_view(term) != "dumb");
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = daybook::controller::RunCli(args, env);
  std::cout.flush();
  return code;
}
