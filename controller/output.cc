#include "controller/output.h"

#include <algorithm>
#include <istream>
#include <ostream>
#include <set>

#include "core/base/text.h"

namespace daybook::controller {

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kFailed:
    case ErrorCode::kInternal:
      return kExitFailed;
    case ErrorCode::kInvalidInput:
    case ErrorCode::kNotFound:
    case ErrorCode::kIo:
      return kExitUsage;
  }
  return kExitFailed;
}

int ReportError(std::ostream& err, const Error& error) {
  // Messages carry what agents, files and tools said: escaped for the terminal.
  if (error.diagnostics.empty()) {
    err << "daybook: error: " << TerminalSafe(error.message, true) << '\n';
  } else {
    for (const Diagnostic& d : error.diagnostics) err << TerminalSafe(d.ToString(), true) << '\n';
  }
  return ExitCodeFor(error);
}

nlohmann::json ToJson(const Diagnostic& d) {
  return {{"path", d.path},
          {"line", d.pos.line},
          {"column", d.pos.column},
          {"severity", d.severity == Severity::kError ? "error" : "warning"},
          {"message", d.message}};
}

nlohmann::json ToJson(const std::vector<Diagnostic>& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : diagnostics) list.push_back(ToJson(d));
  return list;
}

void PrintJson(std::ostream& out, const nlohmann::json& doc) {
  // Replace invalid UTF-8 instead of throwing: file contents are untrusted.
  out << JsonForTerminal(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << '\n';
}

void Table::AddRow(std::vector<std::string> row) {
  for (std::string& cell : row) cell = TerminalSafe(cell);
  rows_.push_back(std::move(row));
}

namespace {

bool table_colour = false;

// ECMA-48 SGR sequences: bold, green, yellow, red; reset.
const char* VerdictColour(const std::string& cell) {
  static const std::set<std::string> kGood{"ok", "yes", "active", "installed", "upgraded", "unchanged", "completed", "identical"};
  static const std::set<std::string> kWarn{"skipped", "required", "kept-newer", "halted", "interrupted", "unknown", "pending"};
  static const std::set<std::string> kBad{"failed", "FAILED", "NO", "unreachable", "refused", "error", "TAMPERED"};
  if (kGood.count(cell) != 0) return "\x1b[32m";
  if (kWarn.count(cell) != 0) return "\x1b[33m";
  if (kBad.count(cell) != 0) return "\x1b[31m";
  return nullptr;
}

}  // namespace

void SetTableColour(bool on) { table_colour = on; }

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (size_t r = 0; r < rows_.size(); ++r) {
    const auto& row = rows_[r];
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const char* colour = !table_colour ? nullptr : r == 0 ? "\x1b[1m" : VerdictColour(row[i]);
      line += colour != nullptr ? colour + row[i] + "\x1b[0m" : row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

}  // namespace daybook::controller

namespace daybook::controller {

Status Confirm(Env& env, const std::string& question) {
  if (env.in == nullptr || !env.in_is_terminal) {
    return MakeError(ErrorCode::kInvalidInput, "not on a terminal: pass --yes to " + question);
  }
  env.err << question << "? [y/N] " << std::flush;
  std::string answer;
  std::getline(*env.in, answer);
  if (answer != "y" && answer != "Y" && answer != "yes") return MakeError(ErrorCode::kInvalidInput, "not confirmed: nothing was done");
  return OkStatus();
}

std::string ChangeCounts(long long added, long long changed, long long removed) {
  return "+" + std::to_string(added) + " ~" + std::to_string(changed) + " -" + std::to_string(removed);
}

std::string FactsRebootCell(const nlohmann::json& facts) {
  if (facts.is_object() && facts.contains("reboot_failure") && facts["reboot_failure"].is_object()) return "FAILED";
  if (!facts.is_object() || !facts.contains("reboot_required")) return "-";
  const nlohmann::json& value = facts["reboot_required"];
  return value.is_null() ? "?" : value == true ? "required" : "no";
}

}  // namespace daybook::controller
