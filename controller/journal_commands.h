// The `daybook journal` subcommands, in two files: reading
// (cmd_journal_read.cc: show, export) and checking (cmd_journal_check.cc:
// verify, prove, verify-proof, verify-export, prune).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "controller/env.h"
#include "controller/journal_context.h"
#include "core/journal/query.h"

namespace daybook::controller {

// Flags shared by show and export, parsed into a filter by MakeFilter
// (journal_filter.cc).
struct FilterFlags {
  std::string host, operator_fp, ticket, type, since, until, intervention;
};
void AddFilterFlags(CLI::App& command, FilterFlags& flags);
Result<journal::JournalFilter> MakeFilter(const FilterFlags& flags);

// kInvalidInput (exit 2) for a --type, --host, --operator or
// --intervention that no record of `entries` carries, with the closest one
// as a suggestion: a typo must not read as "nothing happened".
Status CheckFilterValues(const journal::JournalFilter& filter, const std::vector<journal::JournalEntry>& entries);

// A UTC time given on the command line: "2026-11-01", "2026-11-01T08:00:00Z"
// or the journal's own "2026-11-01T08:00:00.000Z".
std::optional<TimePoint> ParseTimeArg(const std::string& text);

// "warning: N unfinished intervention(s) ..." naming each id and what to
// do (journal reconcile), on `out`; nothing when `ids` is empty.
void PrintUnfinished(std::ostream& out, const std::vector<std::string>& ids);

// --journal, --vkey, --allowed-signers.
void AddLocationFlags(CLI::App& command, JournalLocation& where, bool with_signers);

void AddJournalReadCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code);
void AddJournalCheckCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code);
void AddJournalReconcileCommand(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code);

}  // namespace daybook::controller
