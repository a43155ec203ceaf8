// Positioned diagnostics, printed as "path:line:col: error: message", and a
// collector so a parser can report every problem of a run at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace daybook {

// 1-based line and column; 0 means "whole file" (no position known).
struct SourcePos {
  int line = 0;
  int column = 0;
  SourcePos Shifted(int columns) const { return {line, column + columns}; }
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  std::string path;
  SourcePos pos;
  Severity severity = Severity::kError;
  std::string message;

  // "path:line:col: error: message" (position parts omitted when unknown).
  std::string ToString() const;
};

// Collects diagnostics for one file. Not thread-safe.
class Diagnostics {
 public:
  explicit Diagnostics(std::string path) : path_(std::move(path)) {}

  void Error(SourcePos pos, std::string message);
  void Warning(SourcePos pos, std::string message);

  const std::string& path() const { return path_; }
  bool has_errors() const { return errors_ > 0; }
  const std::vector<Diagnostic>& all() const { return list_; }
  std::vector<Diagnostic> Take() { return std::move(list_); }

 private:
  std::string path_;
  std::vector<Diagnostic> list_;
  int errors_ = 0;
};

// Sorts by path, then position, so output is stable whatever the order of checks.
void SortDiagnostics(std::vector<Diagnostic>& list);

}  // namespace daybook

namespace daybook {

// A file's path (as shown in diagnostics) and its text, handed to parsers so
// they never read files themselves.
struct SourceFile {
  std::string path;
  std::string text;
};

}  // namespace daybook
