#include "core/base/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace daybook {

std::string Diagnostic::ToString() const {
  std::string out = path;
  if (pos.line > 0) {
    out += ":" + std::to_string(pos.line);
    if (pos.column > 0) out += ":" + std::to_string(pos.column);
  }
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  out += message;
  return out;
}

void Diagnostics::Error(SourcePos pos, std::string message) {
  list_.push_back({path_, pos, Severity::kError, std::move(message)});
  ++errors_;
}

void Diagnostics::Warning(SourcePos pos, std::string message) {
  list_.push_back({path_, pos, Severity::kWarning, std::move(message)});
}

void SortDiagnostics(std::vector<Diagnostic>& list) {
  std::stable_sort(list.begin(), list.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.path, a.pos.line, a.pos.column) < std::tie(b.path, b.pos.line, b.pos.column);
  });
}

}  // namespace daybook
