// daybook-agent: the resident agent on every VM. It serves the `daybook`
// SSH subsystem to the controller (DESIGN.md §4-5).
#include <CLI/CLI.hpp>
#include <iostream>

#include "core/base/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "daybook-agent: the resident agent of a daybook fleet. It applies the security patches and\n"
      "code deployments that committed manifests name, when the controller pushes them over SSH.",
      "daybook-agent"};
  app.set_version_flag("--version", std::string("daybook-agent ") + daybook::kVersion);
  app.footer("Exit codes: 0 success, 2 bad usage or configuration.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::cerr << "daybook-agent: error: no configuration given\nRun with --help for usage.\n";
  return 2;
}
