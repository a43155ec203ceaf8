// The `daybook journal` subcommands, in two files: reading
// (cmd_journal_read.cc: show, export) and checking (cmd_journal_check.cc:
// verify, prove, verify-proof, verify-export, prune).
#pragma once

#include <CLI/CLI.hpp>

#include "controller/env.h"
#include "controller/journal_context.h"
#include "core/journal/query.h"

namespace daybook::controller {

// Flags shared by show and export, parsed into a filter by MakeFilter.
struct FilterFlags {
  std::string host, operator_fp, ticket, type, since, until;
};
void AddFilterFlags(CLI::App& command, FilterFlags& flags);
Result<journal::JournalFilter> MakeFilter(const FilterFlags& flags);

// A UTC time given on the command line: "2026-11-01", "2026-11-01T08:00:00Z"
// or the journal's own "2026-11-01T08:00:00.000Z".
std::optional<TimePoint> ParseTimeArg(const std::string& text);

// --journal, --vkey, --allowed-signers.
void AddLocationFlags(CLI::App& command, JournalLocation& where, bool with_signers);

void AddJournalReadCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code);
void AddJournalCheckCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code);

}  // namespace daybook::controller
