// A command line the parser refused, in the project's words (usage_error.cc).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace daybook::controller {

struct UsageError {
  std::string message;      // "unknown command \"stauts\"; did you mean status? (commands: ...)"
  std::string command;  // the deepest command the words named: "daybook push", for its --help
};

// What `args` (as typed, without the program name) got wrong, judged
// against the commands and flags `app` declares; CLI11's own message when
// nothing better can be said.
UsageError DescribeUsageError(const CLI::App& app, const std::vector<std::string>& args, const CLI::ParseError& e);

}  // namespace daybook::controller
