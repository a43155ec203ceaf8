#include "controller/output.h"

#include <algorithm>
#include <istream>
#include <ostream>

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

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
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
