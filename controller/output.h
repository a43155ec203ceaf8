// What the user reads: errors, diagnostics, aligned tables, JSON documents.
// Commands print through these so every command looks and fails alike.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/env.h"
#include "core/base/result.h"

namespace daybook::controller {

// The exit code an error maps to: kFailed/kInternal → 1, bad input or I/O → 2.
int ExitCodeFor(const Error& error);

// Prints the error's diagnostics, one "path:line:col: error: message" line
// each, or "daybook: error: message" when it has none. Returns ExitCodeFor.
int ReportError(std::ostream& err, const Error& error);

nlohmann::json ToJson(const Diagnostic& diagnostic);
nlohmann::json ToJson(const std::vector<Diagnostic>& diagnostics);

// Asks "<question>? [y/N]" on a terminal; refuses (kInvalidInput: exit 2)
// when not on one, saying to pass --yes. Used before any intervention.
Status Confirm(Env& env, const std::string& question);

// The REBOOT cell of an agent's facts: "FAILED" when this boot's reboot
// command failed (facts.reboot_failure), else "required", "no", "?" when the
// agent could not tell (null), "-" when it does not say.
std::string FactsRebootCell(const nlohmann::json& facts);

// Changed files, the one way every command writes them: "+added ~changed
// -removed" ("+2 ~1 -0"); a file's own line in a listing starts with the
// same sign ("+ new.txt", "~ VERSION", "- gone.txt").
std::string ChangeCounts(long long added, long long changed, long long removed);

// Writes `doc` as one line of JSON (stable key order) and a newline.
void PrintJson(std::ostream& out, const nlohmann::json& doc);

// Colour for tables on a terminal: set once by RunCli from Env::colour and
// --color (auto | always | never). Off by default, so piped output and tests
// stay plain.
void SetTableColour(bool on);

// A plain text table: columns padded to their widest cell, two spaces apart,
// no trailing spaces. Stable when piped (no colours, no terminal width).
// With SetTableColour(true), the header is bold and a cell that is exactly
// a verdict word is green (ok, yes...), yellow (skipped, required...) or red
// (failed, NO, unreachable...): data cells never are, and widths are the
// plain text's.
// Cells hold remote data (host names, agent errors, file names): control
// characters are escaped (TerminalSafe) as rows are added.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void AddRow(std::vector<std::string> row);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace daybook::controller
