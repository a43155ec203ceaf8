// Auditor exports: JSONL (the leaf lines themselves) or CSV (one row per
// host result, UTC times, formula-leading cells neutralised), each framed by
// the filters and the signed checkpoint, and closed by a completeness trailer
// listing every leaf hash up to the checkpoint with whether it was exported.
// CheckExport recomputes the root from that trailer, so a row removed from
// or altered in an export is caught offline.
//
// JSONL:  {"daybook_export":{...header...}}     then matching leaf lines,
//         then {"daybook_export_leaves":["<hex>+" | "<hex>-", ...]} ('+' = exported)
// CSV:    "# " comment lines (header, checkpoint), a header row, rows whose
//         last cell is the canonical record, then "# leaves <hex>+,<hex>-,..."
#pragma once

#include <string>
#include <vector>

#include "core/journal/note.h"
#include "core/journal/query.h"

namespace daybook::journal {

constexpr std::string_view kExportFormat = "daybook-journal-export/v1";

struct ExportOptions {
  JournalFilter filter;
  char delimiter = ',';
};

// Exports what `files` hold up to their checkpoint. kFailed when the journal
// has no checkpoint or does not parse.
Result<std::string> ExportJsonl(const JournalFiles& files, const ExportOptions& options);
Result<std::string> ExportCsv(const JournalFiles& files, const ExportOptions& options);

struct ExportCheck {
  int64_t size = 0;        // leaves covered
  int64_t exported = 0;    // rows/lines checked
  std::string filters;
};

// Checks an export offline against the journal's verifier keys.
Result<ExportCheck> CheckExport(std::string_view text, const std::vector<NoteVerifier>& vkeys);

// A cell with formula-leading characters (= + - @ tab CR) prefixed by "'".
std::string NeutraliseCell(const std::string& cell);

}  // namespace daybook::journal
