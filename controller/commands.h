// The controller's subcommands, one file each (cmd_<name>.cc). Each Add*
// function registers its subcommand, flags and help on `app`; when the
// subcommand runs, it stores its exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

#include "controller/env.h"

namespace daybook::controller {

void AddInitCommand(CLI::App& app, Env& env, int& exit_code);
void AddValidateCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddInventoryCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddPingCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddPlanCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddPushCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddRollbackCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddStatusCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddBootstrapCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddReportCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddAccessCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);
void AddJournalCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code);

// Adds --output text|json to `command`, parsed into `format`.
void AddOutputOption(CLI::App& command, OutputFormat& format);

}  // namespace daybook::controller
