// daybook-agent: the resident agent on every VM. It serves the `daybook`
// SSH subsystem to the controller (DESIGN.md §4-5).
#include <sys/utsname.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/admin_commands.h"
#include "agent/config.h"
#include "agent/daemon.h"
#include "core/base/filesystem.h"
#include "core/base/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "daybook-agent: the resident agent of a daybook fleet. It applies the security patches and\n"
      "code deployments that committed manifests name, when the controller pushes them over SSH.",
      "daybook-agent"};
  app.set_version_flag("--version", std::string("daybook-agent ") + daybook::kVersion);
  std::string config_path = "/etc/daybook/agent.toml";
  bool check_only = false;
  app.add_option("--config", config_path, "Configuration file (default /etc/daybook/agent.toml)")->option_text("FILE");
  app.add_flag("--check-config", check_only, "Validate the configuration and exit (0 valid, 2 invalid)");
  bool print_host_key = false, install_operators = false;
  std::string challenge;
  app.add_flag("--print-host-key", print_host_key,
               "Print the agent's public host key (OpenSSH format) and exit; 1 before the agent first started");
  app.add_option("--challenge", challenge, "With --print-host-key: also sign this (64 hex digits) with the host key")
      ->option_text("HEX");
  app.add_flag("--install-operators", install_operators,
               "Replace authorized_operators with the ssh-ed25519 lines read from stdin and exit (2 if any line is not one)");
  app.footer(
      "Serves the daybook SSH subsystem on the configured address; prints \"listening on ADDR:PORT\"\n"
      "once ready. SIGTERM stops it after sessions in flight finish; SIGHUP reloads the operators.\n"
      "Exit codes: 0 success, 2 bad usage or configuration.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto fs = daybook::MakePosixFilesystem();
  daybook::Result<std::string> text = fs->ReadFile(config_path);
  if (!text) {
    std::cerr << "daybook-agent: error: " << text.error().message << "\n";
    return 2;
  }
  daybook::Result<daybook::agent::AgentConfig> config = daybook::agent::ParseAgentConfig({config_path, *text});
  if (!config) {
    for (const daybook::Diagnostic& d : config.error().diagnostics) std::cerr << d.ToString() << "\n";
    return 2;
  }
  if (check_only) {
    std::cout << config_path << ": configuration ok\n";
    return 0;
  }
  utsname un{};
  ::uname(&un);
  if (print_host_key) {
    daybook::Status printed = daybook::agent::PrintHostKey(*config, *fs, un.nodename, std::cout, challenge);
    if (!printed) std::cerr << "daybook-agent: error: " << printed.error().message << "\n";
    return printed ? 0 : 1;
  }
  if (install_operators) {
    // Read one byte past the 1 MiB InstallOperators takes, so a larger
    // input is refused without being held whole.
    std::string operators((1u << 20) + 1, '\0');
    std::cin.read(operators.data(), static_cast<std::streamsize>(operators.size()));
    operators.resize(static_cast<size_t>(std::cin.gcount()));
    daybook::Result<size_t> installed = daybook::agent::InstallOperators(*config, *fs, operators);
    if (!installed) {
      std::cerr << "daybook-agent: error: " << installed.error().message << "\n";
      return 2;
    }
    std::cout << config->authorized_operators << ": " << *installed << " operator key(s)\n";
    return 0;
  }

  auto log = spdlog::stderr_color_mt("agent");
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %n %v", spdlog::pattern_time_type::utc);
  return daybook::agent::RunDaemon(*config, *fs, {un.nodename, un.release}, std::cout, log);
}
