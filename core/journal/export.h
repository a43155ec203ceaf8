// Auditor exports. JSONL: the leaf lines themselves, framed by the filters
// and the signed checkpoint, and closed by a completeness trailer listing
// every leaf hash up to the checkpoint with whether it was exported.
// CheckExport recomputes the root from that trailer, so a line removed from
// or altered in an export is caught offline. The export commits to its
// selection: a note signed by the journal key (the checkpoint's) states the
// format, filters, checkpoint and the exported seqs, so a line deleted
// together with its mark, or rewritten filters, are caught too. Each result
// carries the intervention.begin it refers to (exported, or in "begins").
//
// JSONL:  {"daybook_export":{...header, selection, begins...}}  then matching
//         leaf lines, then {"daybook_export_leaves":["<hex>+" | "<hex>-", ...]}
//
// CSV (export_csv.cc), for spreadsheets: a header row, then one row per host
// result with plain cells (RFC 4180; UTC times; formula-leading cells
// neutralised; cells holding any of , ; | tab quoted, whatever the
// delimiter; no cell longer than kMaxCsvCell), nothing else. It is checked
// with its proof, the JSONL export of the same records written beside it:
// the proof is verified as above, every CSV cell must be what the proof's
// record says, every result a row, once, and the file must be byte for byte
// the CSV the proof makes (but for a byte order mark and CRLF/LF).
// Selection note text:
//   daybook-journal-export/v2 / <origin> / size N / root <b64> / format F /
//   filters <canonical JSON> / describe <text> / exported <seq ranges>
#pragma once

#include <map>
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

struct CsvExport {
  std::string csv;    // for the spreadsheet
  std::string proof;  // the JSONL export of its records: what checks it
};
Result<CsvExport> ExportCsv(const JournalFiles& files, const ExportOptions& options, const NoteSigner& signer);

struct ExportCheck {
  int64_t size = 0;          // leaves covered
  int64_t exported = 0;      // rows/lines checked
  int64_t not_exported = 0;  // sealed records the selection left out
  std::string filters;
  int64_t pruned = 0;        // exported rows/lines whose payload was pruned (as the exporter signed)
};

// What a verified JSONL export holds, for checking a CSV against it.
struct ExportContents {
  std::vector<std::string> lines;      // the exported leaf lines
  std::map<std::string, Json> begins;  // intervention -> its begin record (exported or carried)
};

// Checks a JSONL export offline against the journal's verifier keys;
// `contents`, when given, gets what it holds.
Result<ExportCheck> CheckExport(std::string_view text, const std::vector<NoteVerifier>& vkeys,
                                ExportContents* contents = nullptr);

// Checks a CSV export against its proof (see above).
Result<ExportCheck> CheckCsvExport(std::string_view csv, std::string_view proof, const std::vector<NoteVerifier>& vkeys);

constexpr size_t kMaxCsvCell = 1000;  // bytes; longer text is cut with "…"

// , ; | or a tab: what ExportCsv writes and CheckCsvExport reads.
bool IsCsvDelimiter(char c);

// A cell with formula-leading characters (= + - @ tab CR) prefixed by "'".
std::string NeutraliseCell(const std::string& cell);

}  // namespace daybook::journal
