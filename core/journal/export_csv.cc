// The CSV export for spreadsheets, and its check against its JSONL proof
// (export.h). Cells are plain text a spreadsheet shows as it is: no record
// JSON, no framing lines, newlines in an error flattened, long text cut.
#include <algorithm>
#include <set>

#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/crypto/encoding.h"
#include "core/journal/export.h"
#include "core/journal/lines.h"
#include "core/journal/record.h"
#include "core/journal/summary.h"

namespace daybook::journal {
namespace {

constexpr const char* kColumns[] = {"seq",    "time", "intervention", "operator", "operator_key", "ticket",
                                    "manifest", "host", "status",     "summary",  "error",        "leaf_hash"};
constexpr size_t kColumnCount = std::size(kColumns);

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, "CSV export check failed: " + why); }

std::string Str(const Json& j, const char* key) { return StringField(j, key).value_or(""); }

// One line, at most kMaxCsvCell bytes (cut on a character boundary).
std::string Cell(std::string text) {
  std::string flat;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    flat += text[i] == '\n' ? std::string(" | ") : std::string(1, text[i]);
  }
  if (flat.size() <= kMaxCsvCell) return flat;
  return Utf8Head(flat, kMaxCsvCell - 3) + "…";
}

// What the intervention was: "manifests/x.toml@0123456789ab", "rollback app", ...
std::string What(const Json& begin) {
  if (const Json& m = MemberOr(begin, "manifest"); m.is_object()) return Str(m, "path") + "@" + Str(m, "commit").substr(0, 12);
  if (const Json& r = MemberOr(begin, "rollback"); r.is_object()) return "rollback " + Str(r, "deploy");
  if (const Json& b = MemberOr(begin, "bootstrap"); b.is_object()) return "bootstrap " + Str(b, "package") + " " + Str(b, "version");
  return "";
}

std::vector<std::string> Cells(const Json& record, const Json& begin, const std::string& leaf_hash) {
  std::string principal = Str(begin, "principal");
  std::string summary = IsTombstone(record) ? "(payload pruned, leaf hash kept)" : HostResultSummary(record);
  std::vector<std::string> cells = {std::to_string(IntField(record, "seq").value_or(-1)), Str(record, "ts"),
                                    Str(record, "intervention"), principal.empty() ? Str(begin, "operator") : principal,
                                    Str(begin, "operator"), Str(begin, "ticket"), What(begin), Str(record, "host"),
                                    Str(record, "status"), summary, Str(record, "error"), leaf_hash};
  for (std::string& c : cells) c = NeutraliseCell(Cell(std::move(c)));
  return cells;
}

std::string Row(const std::vector<std::string>& cells, char delimiter) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    const std::string& cell = cells[i];
    if (i > 0) row += delimiter;
    // Quoted whenever it holds any delimiter a spreadsheet might split on,
    // not only this file's: a ";" export opened as "," (or the other way
    // round) still reads each cell whole, and no piece of one can start a
    // formula.
    if (cell.find_first_of(std::string("\",;\t|") + delimiter) == std::string::npos) {
      row += cell;
      continue;
    }
    row += '"';
    for (char ch : cell) row += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    row += '"';
  }
  return row + "\r\n";  // RFC 4180
}

// Splits one CSV record (RFC 4180 quoting) starting at `pos`; advances
// `pos`. A CR before the line end is dropped (either line ending reads).
std::optional<std::vector<std::string>> ReadRow(std::string_view text, size_t& pos, char delimiter) {
  std::vector<std::string> cells{""};
  bool quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        cells.back() += '"';
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      cells.emplace_back();
    } else if (c == '\r' && pos < text.size() && text[pos] == '\n') {
      continue;
    } else if (c == '\n') {
      return cells;
    } else {
      cells.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return cells;
}

// The leaf hash of an exported line (a tombstone keeps the original's).
std::string LeafHex(const std::string& line) {
  Result<Hash> h = StoredLeafHash(line);
  return h ? crypto::HexEncode(h->data(), h->size()) : "";
}

// The CSV of the host results `contents` holds, in its order.
std::string RenderCsv(const ExportContents& contents, char delimiter) {
  std::string csv;
  for (size_t i = 0; i < kColumnCount; ++i) csv += (i ? std::string(1, delimiter) : "") + kColumns[i];
  csv += "\r\n";
  for (const std::string& line : contents.lines) {
    Json record = *ParseCanonical(line);
    if (Str(record, "type") != kHostResult) continue;  // the carried begins (a tombstone keeps its type)
    auto begin = contents.begins.find(Str(record, "intervention"));
    csv += Row(Cells(record, begin == contents.begins.end() ? Json() : begin->second, LeafHex(line)), delimiter);
  }
  return csv;
}

// What a spreadsheet may change without changing the export: a byte order
// mark, CRLF or LF line ends, blank lines at the end.
std::string Normalised(std::string_view text) {
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out += text[i];
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

bool IsCsvDelimiter(char c) { return c == ',' || c == ';' || c == '\t' || c == '|'; }

Result<CsvExport> ExportCsv(const JournalFiles& files, const ExportOptions& options, const NoteSigner& signer) {
  ExportOptions results = options;
  if (results.filter.type.empty()) results.filter.type = std::string(kHostResult);
  Result<std::string> proof = ExportJsonl(files, results, signer);
  if (!proof) return std::move(proof).error();
  // Read back through the checker: the rows are made from exactly what a
  // reader of the proof will find.
  Result<NoteVerifier> self = ParseVerifierKey(FormatVerifierKey(signer));
  if (!self) return std::move(self).error();
  ExportContents contents;
  if (Result<ExportCheck> checked = CheckExport(*proof, {*self}, &contents); !checked) return std::move(checked).error();
  if (!IsCsvDelimiter(options.delimiter)) return MakeError(ErrorCode::kInvalidInput, "a CSV delimiter is one of , ; | or a tab");
  return CsvExport{RenderCsv(contents, options.delimiter), std::move(*proof)};
}

Result<ExportCheck> CheckCsvExport(std::string_view csv, std::string_view proof, const std::vector<NoteVerifier>& vkeys) {
  ExportContents contents;
  Result<ExportCheck> checked = CheckExport(proof, vkeys, &contents);
  if (!checked) return std::move(checked).error().WithContext("the proof");
  std::map<int64_t, std::string> results;  // seq -> line, every host result the proof holds
  for (const std::string& line : contents.lines) {
    Json record = *ParseCanonical(line);
    if (Str(record, "type") == kHostResult) results[IntField(record, "seq").value_or(-1)] = line;
  }
  std::string_view text = csv;
  if (StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte order mark a spreadsheet may add
  char delimiter = text.size() > 3 && IsCsvDelimiter(text[3]) ? text[3] : ',';
  csv = text;
  size_t pos = 0;
  std::optional<std::vector<std::string>> header = ReadRow(csv, pos, delimiter);
  if (!header || !std::equal(header->begin(), header->end(), std::begin(kColumns), std::end(kColumns))) {
    return Bad("the first line is not the header row (" + Join(std::vector<std::string>(std::begin(kColumns), std::end(kColumns)), ",") + ")");
  }
  std::set<int64_t> seen;
  for (size_t row_number = 2; pos < csv.size(); ++row_number) {
    std::optional<std::vector<std::string>> row = ReadRow(csv, pos, delimiter);
    if (!row) return Bad("row " + std::to_string(row_number) + ": an unterminated quote");
    if (row->size() == 1 && row->front().empty()) continue;  // a blank line at the end
    if (row->size() != kColumnCount) return Bad("row " + std::to_string(row_number) + ": " + std::to_string(row->size()) + " cells, not " + std::to_string(kColumnCount));
    std::optional<int64_t> seq;
    try {
      seq = std::stoll(row->front());
    } catch (...) {
    }
    auto found = seq ? results.find(*seq) : results.end();
    if (found == results.end()) return Bad("row " + std::to_string(row_number) + ": no host result " + Quoted(row->front()) + " in the proof");
    if (!seen.insert(*seq).second) return Bad("row " + std::to_string(row_number) + ": record " + row->front() + " appears twice");
    Json record = *ParseCanonical(found->second);
    auto begin = contents.begins.find(Str(record, "intervention"));
    std::vector<std::string> expected = Cells(record, begin == contents.begins.end() ? Json() : begin->second, LeafHex(found->second));
    for (size_t i = 0; i < kColumnCount; ++i) {
      if ((*row)[i] != expected[i]) {
        return Bad("row " + std::to_string(row_number) + " (record " + row->front() + "): " + kColumns[i] + " differs from the record");
      }
    }
  }
  for (const auto& [seq, line] : results) {
    if (!seen.count(seq)) return Bad("record " + std::to_string(seq) + " is in the proof but not in the CSV (a row was removed)");
  }
  // Cells right is not enough: a spreadsheet reads the bytes, and quoting
  // or order that parse the same here could read otherwise there. The file
  // must be the export the proof makes, byte for byte (but for BOM and
  // line ends).
  std::string want = Normalised(RenderCsv(contents, delimiter)), got = Normalised(csv);
  if (want != got) {
    size_t at = 0;
    while (at < want.size() && at < got.size() && want[at] == got[at]) ++at;
    size_t line = 1 + static_cast<size_t>(std::count(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    return Bad("line " + std::to_string(line) + " is not what the proof's records make (quoting, spacing or row order differ)");
  }
  return checked;
}

}  // namespace daybook::journal
