// Auditor exports: JSONL (the leaf lines themselves) or CSV (one row per
// host result, UTC times, formula-leading cells neutralised), each framed by
// the filters and the signed checkpoint, and closed by a completeness trailer
// listing every leaf hash up to the checkpoint with whether it was exported.
// CheckExport recomputes the root from that trailer, so a row removed from
// or altered in an export is caught offline. The export commits to its
// selection: a note signed by the journal key (the checkpoint's) states the
// format, filters, checkpoint and the exported seqs, so a row deleted
// together with its mark, or rewritten filters, are caught too. Each row
// carries the intervention.begin it refers to (exported, or in "begins").
//
// JSONL:  {"daybook_export":{...header, selection, begins...}}  then matching
//         leaf lines, then {"daybook_export_leaves":["<hex>+" | "<hex>-", ...]}
// CSV:    "# " comment lines (header, filters, checkpoint, selection), a header
//         row, rows whose last cell is the canonical record, "# begin" lines,
//         then "# leaves <hex>+,<hex>-,..."
// Selection note text:
//   daybook-journal-export/v2 / <origin> / size N / root <b64> / format F /
//   filters <canonical JSON> / describe <text> / exported <seq ranges>
#pragma once

#include <string>
#include <vector>

#include "core/journal/note.h"
#include "core/journal/query.h"

namespace daybook::journal {

constexpr std::string_view kExportFormat = "daybook-journal-export/v2";

struct ExportOptions {
  JournalFilter filter;
  char delimiter = ',';
};

// Exports what `files` hold up to their checkpoint, the selection signed
// with `signer` (the journal key). kFailed when the journal has no
// checkpoint or does not parse.
Result<std::string> ExportJsonl(const JournalFiles& files, const ExportOptions& options, const NoteSigner& signer);
Result<std::string> ExportCsv(const JournalFiles& files, const ExportOptions& options, const NoteSigner& signer);

struct ExportCheck {
  int64_t size = 0;          // leaves covered
  int64_t exported = 0;      // rows/lines checked
  int64_t not_exported = 0;  // sealed records the selection left out
  std::string filters;
  int64_t pruned = 0;        // exported rows/lines whose payload was pruned (as the exporter signed)
};

// Checks an export offline against the journal's verifier keys.
Result<ExportCheck> CheckExport(std::string_view text, const std::vector<NoteVerifier>& vkeys);

// A cell with formula-leading characters (= + - @ tab CR) prefixed by "'".
std::string NeutraliseCell(const std::string& cell);

}  // namespace daybook::journal
