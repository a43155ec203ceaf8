#include "core/journal/export.h"

#include <map>
#include <set>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/journal/lines.h"
#include "core/journal/record.h"
#include "core/journal/verify.h"

namespace daybook::journal {
namespace {

constexpr const char* kColumns[] = {"seq", "ts", "intervention", "operator", "ticket", "manifest",
                                    "host", "status", "leaf_hash", "record"};
constexpr size_t kColumnCount = std::size(kColumns);

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, "export check failed: " + why); }

std::string Str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string HexOf(const Hash& h) { return crypto::HexEncode(h.data(), h.size()); }

std::string CsvTitle() { return "# " + std::string(kExportFormat) + ": one row per host result, times in UTC"; }

// The human-readable checkpoint line of a CSV export.
std::string CheckpointSummary(const Checkpoint& c) {
  return "size " + std::to_string(c.size) + " root " + crypto::Base64Encode(c.root.data(), c.root.size());
}

struct Covered {
  std::string note;
  Checkpoint checkpoint;
  std::vector<JournalEntry> entries;  // the first checkpoint.size records
};

Result<Covered> Cover(const JournalFiles& files) {
  if (files.checkpoint.empty()) return MakeError(ErrorCode::kFailed, "the journal has no checkpoint: nothing to export");
  Result<Checkpoint> checkpoint = UnverifiedCheckpoint(files.checkpoint);
  if (!checkpoint) return std::move(checkpoint).error().WithContext("malformed checkpoint");
  Result<std::vector<JournalEntry>> entries = ReadEntries(files);
  if (!entries) return std::move(entries).error();
  if (static_cast<int64_t>(entries->size()) < checkpoint->size) {
    return MakeError(ErrorCode::kFailed, "the journal is shorter than its checkpoint; run `daybook journal verify`");
  }
  entries->resize(static_cast<size_t>(checkpoint->size));
  return Covered{files.checkpoint, *checkpoint, std::move(*entries)};
}

// `pruned`: the exported seqs that were tombstones when exported. A
// tombstone keeps only the leaf hash (its ts and type are covered by
// nothing), so an export may carry one only where the exporter did.
std::string SelectionText(const Checkpoint& c, const std::string& format, const Json& filters,
                          const std::string& describe, const std::set<int64_t>& exported, const std::set<int64_t>& pruned) {
  return std::string(kExportFormat) + "\n" + c.origin + "\nsize " + std::to_string(c.size) + "\nroot " +
         crypto::Base64Encode(c.root.data(), c.root.size()) + "\nformat " + format + "\nfilters " + Canonical(filters) +
         "\ndescribe " + describe + "\nexported " +
         FormatSeqRanges(std::vector<int64_t>(exported.begin(), exported.end())) + "\npruned " +
         FormatSeqRanges(std::vector<int64_t>(pruned.begin(), pruned.end())) + "\n";
}

// The selection the journal key signed must be what this export shows.
// Returns the seqs it says were exported as tombstones.
Result<std::set<int64_t>> CheckSelection(const std::string& note, const std::vector<NoteVerifier>& vkeys, const std::string& format,
                      const std::string& filters_json, const std::string& describe,
                      const std::map<int64_t, std::pair<Hash, bool>>& leaves, const Checkpoint& checkpoint) {
  if (note.empty()) return Bad("the export carries no signed selection (an export made before format v2?): export again");
  Result<std::string> text = OpenNote(note, vkeys);
  if (!text) return Bad("selection: " + text.error().message);
  std::set<int64_t> marked;
  for (const auto& [seq, leaf] : leaves) {
    if (leaf.second) marked.insert(seq);
  }
  std::vector<std::string> lines = Split(*text, '\n');
  auto line = [&](size_t i, const std::string& prefix) {
    return i < lines.size() && StartsWith(lines[i], prefix) ? lines[i].substr(prefix.size()) : std::string("\x01");
  };
  if (lines.empty() || lines[0] != kExportFormat || line(1, "") != checkpoint.origin ||
      line(2, "size ") != std::to_string(checkpoint.size) ||
      line(3, "root ") != crypto::Base64Encode(checkpoint.root.data(), checkpoint.root.size())) {
    return Bad("the signed selection is for another checkpoint");
  }
  if (line(4, "format ") != format) return Bad("the signed selection is for another format");
  if (line(5, "filters ") != filters_json || line(6, "describe ") != describe) {
    return Bad("the filters differ from the ones the journal key signed (" + line(6, "describe ") + ")");
  }
  if (line(7, "exported ") != FormatSeqRanges(std::vector<int64_t>(marked.begin(), marked.end()))) {
    return Bad("the records marked exported differ from the signed selection (" + line(7, "exported ") + ")");
  }
  std::optional<std::vector<int64_t>> pruned = ParseSeqRanges(line(8, "pruned "), checkpoint.size);
  if (!pruned) return Bad("the signed selection lists no pruned records (an export made before this check?): export again");
  return std::set<int64_t>(pruned->begin(), pruned->end());
}

// A tombstone in an export only where the signed selection says the
// exporter put one; a carried begin only a real intervention.begin.
Status CheckTombstones(const std::set<int64_t>& signed_pruned, const std::set<int64_t>& seen_pruned) {
  for (int64_t seq : seen_pruned) {
    if (!signed_pruned.count(seq)) {
      return Bad("record " + std::to_string(seq) + " was replaced by a tombstone (payload withheld) that the export did not carry");
    }
  }
  for (int64_t seq : signed_pruned) {
    if (!seen_pruned.count(seq)) return Bad("record " + std::to_string(seq) + " was exported pruned and is not a tombstone here");
  }
  return OkStatus();
}

Status CheckCarriedBegin(const Json& begin) {
  if (IsTombstone(begin) || StringField(begin, "type") != kInterventionBegin) {
    return Bad("a carried begin record (seq " + std::to_string(IntField(begin, "seq").value_or(-1)) +
               ") is not an intervention.begin");
  }
  return OkStatus();
}

// The begin a result or end refers to: before it, and the one its
// begin_seq names when it names one.
bool BeginFits(const Json& record, int64_t begin_seq) {
  int64_t seq = IntField(record, "seq").value_or(-1);
  std::optional<int64_t> named = IntField(record, "begin_seq");
  return begin_seq >= 0 && begin_seq < seq && (!named || *named == begin_seq);
}

// "<hex>+" or "<hex>-" per leaf.
std::vector<std::string> Leaves(const Covered& c, const std::set<int64_t>& exported) {
  std::vector<std::string> out;
  for (const JournalEntry& e : c.entries) out.push_back(HexOf(e.leaf_hash) + (exported.count(e.seq) ? "+" : "-"));
  return out;
}

std::vector<std::string> CsvCells(const JournalEntry& e) {
  const Json& begin = e.intervention;
  std::string manifest = begin.is_object() && begin.contains("manifest")
                             ? Str(begin["manifest"], "commit") + ":" + Str(begin["manifest"], "path")
                             : std::string();
  // "alice@devteam (SHA256:...)": the person and the key; the fingerprint
  // alone for records written before principals were recorded.
  std::string who = Str(begin, "principal").empty() ? Str(begin, "operator")
                                                    : Str(begin, "principal") + " (" + Str(begin, "operator") + ")";
  return {std::to_string(e.seq), Str(e.record, "ts"), Str(e.record, "intervention"), who,
          Str(begin, "ticket"), manifest, Str(e.record, "host"), Str(e.record, "status"), HexOf(e.leaf_hash), e.line};
}

std::string CsvRow(const std::vector<std::string>& cells, char delimiter) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string cell = NeutraliseCell(cells[i]);
    bool quote = cell.find_first_of(std::string("\"\r\n") + delimiter) != std::string::npos;
    if (i > 0) row += delimiter;
    if (!quote) {
      row += cell;
      continue;
    }
    row += '"';
    for (char ch : cell) row += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    row += '"';
  }
  return row + "\n";
}

// Splits one CSV record (RFC 4180 quoting) starting at `pos`; advances `pos`.
std::optional<std::vector<std::string>> ReadCsvRow(std::string_view text, size_t& pos, char delimiter) {
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
    } else if (c == '\n') {
      return cells;
    } else {
      cells.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return cells;
}

// Rebuilds the tree from the trailer and checks it against the signed checkpoint.
Result<std::map<int64_t, std::pair<Hash, bool>>> CheckTrailer(const std::vector<std::string>& leaves,
                                                              const std::string& note,
                                                              const std::vector<NoteVerifier>& vkeys,
                                                              Checkpoint& verified) {
  Result<std::string> text = OpenNote(note, vkeys);
  if (!text) return Bad("checkpoint: " + text.error().message);
  Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
  if (!checkpoint) return Bad(checkpoint.error().message);
  verified = *checkpoint;
  if (static_cast<int64_t>(leaves.size()) != checkpoint->size) return Bad("the leaf list does not cover the checkpoint");
  MemoryHashes hashes;
  std::map<int64_t, std::pair<Hash, bool>> out;
  for (size_t i = 0; i < leaves.size(); ++i) {
    const std::string& leaf = leaves[i];
    std::optional<crypto::Bytes> bytes = leaf.size() == 65 ? crypto::HexDecode(leaf.substr(0, 64)) : std::nullopt;
    if (!bytes || (leaf[64] != '+' && leaf[64] != '-')) return Bad("malformed leaf entry " + std::to_string(i));
    Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    if (!hashes.AppendRecord(static_cast<int64_t>(i), h)) return Bad("leaf list");
    out[static_cast<int64_t>(i)] = {h, leaf[64] == '+'};
  }
  if (*TreeHash(checkpoint->size, hashes) != checkpoint->root) return Bad("the leaf list does not hash to the checkpoint's root");
  return out;
}

// One exported leaf line: its hash must be the listed one, marked exported.
Status CheckLine(std::string_view line, const std::map<int64_t, std::pair<Hash, bool>>& leaves, bool must_be_exported,
                 std::set<int64_t>& seen) {
  Result<Json> record = ParseCanonical(line);
  if (!record || !record->contains("seq") || !(*record)["seq"].is_number_integer()) return Bad("a line is not a record");
  int64_t seq = (*record)["seq"];
  auto it = leaves.find(seq);
  Result<Hash> hash = StoredLeafHash(line);
  if (it == leaves.end() || !hash || *hash != it->second.first) return Bad("record " + std::to_string(seq) + " was altered");
  if (must_be_exported && (!it->second.second || !seen.insert(seq).second)) {
    return Bad("record " + std::to_string(seq) + " is not listed as exported, or appears twice");
  }
  return OkStatus();
}

Status CheckAllExportedSeen(const std::map<int64_t, std::pair<Hash, bool>>& leaves, const std::set<int64_t>& seen) {
  for (const auto& [seq, leaf] : leaves) {
    if (leaf.second && !seen.count(seq)) return Bad("record " + std::to_string(seq) + " was removed from the export");
  }
  return OkStatus();
}

Result<ExportCheck> CheckJsonl(std::string_view text, const std::vector<NoteVerifier>& vkeys) {
  std::vector<std::string> lines = Split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() < 2) return Bad("too short");
  // Canonical (as written), which also caps nesting: the header is
  // untrusted input like every line.
  Result<Json> header_line = ParseCanonical(lines.front()), trailer_line = ParseCanonical(lines.back());
  if (!header_line || !trailer_line || header_line->size() != 1 || trailer_line->size() != 1) {
    return Bad("missing header or leaf list");
  }
  const Json& header = MemberOr(*header_line, "daybook_export");
  const Json& trailer = MemberOr(*trailer_line, "daybook_export_leaves");
  if (!header.is_object()) return Bad("missing header or leaf list");
  if (Str(header, "format") != kExportFormat) return Bad("unknown format " + Quoted(Str(header, "format")) + ": export again");
  const Json& leaf_list = trailer;
  std::vector<std::string> leaf_texts;
  if (!leaf_list.is_array()) return Bad("malformed leaf list");
  for (const Json& l : leaf_list) {
    if (!l.is_string()) return Bad("malformed leaf list");
    leaf_texts.push_back(l.get<std::string>());
  }
  Checkpoint checkpoint;
  Result<std::map<int64_t, std::pair<Hash, bool>>> leaves = CheckTrailer(leaf_texts, Str(header, "checkpoint"), vkeys, checkpoint);
  if (!leaves) return std::move(leaves).error();
  const Json& filters = header.is_object() && header.contains("filters") ? header["filters"] : Json();
  Result<std::set<int64_t>> signed_pruned = CheckSelection(Str(header, "selection"), vkeys, "jsonl", Canonical(filters),
                                                           Str(header, "describe"), *leaves, checkpoint);
  if (!signed_pruned) return std::move(signed_pruned).error();
  // The begin records the exported lines refer to: exported, or carried.
  std::set<int64_t> seen, carried, seen_pruned;
  std::map<std::string, int64_t> begins;  // intervention -> begin seq
  const Json& carried_lines = header.contains("begins") ? header["begins"] : Json::array();
  if (!carried_lines.is_array()) return Bad("malformed begins");
  std::vector<Json> records;
  for (const Json& b : carried_lines) {
    if (!b.is_string()) return Bad("malformed begins");
    if (Status s = CheckLine(b.get<std::string>(), *leaves, false, carried); !s) return std::move(s).error();
    Json begin = *ParseCanonical(b.get<std::string>());
    if (Status s = CheckCarriedBegin(begin); !s) return std::move(s).error();
    begins[Str(begin, "intervention")] = IntField(begin, "seq").value_or(-1);
  }
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    if (Status s = CheckLine(lines[i], *leaves, true, seen); !s) return std::move(s).error();
    records.push_back(*ParseCanonical(lines[i]));
    if (IsTombstone(records.back())) {
      seen_pruned.insert(IntField(records.back(), "seq").value_or(-1));
      continue;
    }
    if (Str(records.back(), "type") == kInterventionBegin) {
      begins[Str(records.back(), "intervention")] = IntField(records.back(), "seq").value_or(-1);
    }
  }
  for (const Json& r : records) {
    std::string type = Str(r, "type");
    if ((type != kHostResult && type != kInterventionEnd) || IsTombstone(r)) continue;
    auto it = begins.find(Str(r, "intervention"));
    if (it == begins.end() || !BeginFits(r, it->second)) {
      return Bad("record " + std::to_string(IntField(r, "seq").value_or(-1)) + " needs the intervention.begin of " +
                 Quoted(Str(r, "intervention")) + ", which the export does not carry");
    }
  }
  if (Status s = CheckAllExportedSeen(*leaves, seen); !s) return std::move(s).error();
  if (Status s = CheckTombstones(*signed_pruned, seen_pruned); !s) return std::move(s).error();
  auto size = static_cast<int64_t>(leaves->size());
  auto exported = static_cast<int64_t>(seen.size());
  return ExportCheck{size, exported, size - exported, Str(header, "describe"), static_cast<int64_t>(seen_pruned.size())};
}

// The parts of a CSV export. Its framing is strict: each `#` line is one the
// exporter writes, in its place, once (a `# begin` once per intervention);
// the header row comes once, before every data row. Anything else -- a
// second checkpoint, a comment an editor added, a repeated header -- is
// refused, so what a reader sees is exactly what was verified.
struct CsvExport {
  std::string note, filters, filters_json, selection, checkpoint_line;
  std::vector<std::string> leaves;
  std::map<std::string, Json> begins;  // by intervention id
  std::vector<std::vector<std::string>> rows;
};

Status ReadCsvFraming(const std::string& line, bool after_rows, CsvExport& out, std::set<std::string>& keys) {
  static const char* const kKeys[] = {"# ", "# filters: ", "# filters-json ", "# checkpoint: ",
                                      "# checkpoint-note ", "# selection ", "# begin ", "# leaves "};
  std::string key;
  for (const char* prefix : kKeys) {
    if (StartsWith(line, prefix) && std::string(prefix).size() > key.size()) key = prefix;
  }
  if (key.empty()) return Bad("unexpected line " + Quoted(line.substr(0, 80)));
  if (key == "# ") {  // only the title line may be a bare comment, exactly as written
    if (line != CsvTitle() || !keys.empty()) return Bad("unexpected line " + Quoted(line.substr(0, 80)));
  }
  bool trailing = key == "# begin " || key == "# leaves ";
  if (trailing != after_rows) return Bad("line out of place: " + Quoted(line.substr(0, 80)));
  if (key != "# begin " && !keys.insert(key).second) return Bad("repeated line " + Quoted(key));
  std::string value = line.substr(key.size());
  auto decoded = [&](std::string& into, const char* what) -> Status {
    std::optional<crypto::Bytes> raw = crypto::Base64Decode(value);
    if (!raw) return Bad(std::string("malformed ") + what + " line");
    into = crypto::ToString(*raw);
    return OkStatus();
  };
  if (key == "# filters: ") out.filters = value;
  if (key == "# filters-json ") out.filters_json = value;
  if (key == "# checkpoint: ") out.checkpoint_line = value;
  if (key == "# selection ") return decoded(out.selection, "selection");
  if (key == "# checkpoint-note ") return decoded(out.note, "checkpoint");
  if (key == "# leaves ") out.leaves = Split(value, ',');
  if (key == "# begin ") {
    Result<Json> begin = ParseCanonical(value);
    if (!begin) return Bad("malformed begin record");
    if (!out.begins.emplace(Str(*begin, "intervention"), *begin).second) return Bad("repeated begin record");
  }
  return OkStatus();
}

Result<CsvExport> ReadCsvExport(std::string_view raw) {
  // A spreadsheet or a Windows editor may save CRLF line ends: the same
  // export. (A record's own text never holds a raw CR: it is canonical JSON.)
  std::string text;
  text.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (!(raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')) text += raw[i];
  }
  CsvExport out;
  std::set<std::string> keys;
  char delimiter = ',';
  size_t pos = 0;
  bool header_seen = false, trailer_started = false;
  while (pos < text.size()) {
    if (text[pos] == '#') {
      size_t end = text.find('\n', pos);
      std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? text.size() : end + 1;
      trailer_started = trailer_started || StartsWith(line, "# begin ") || StartsWith(line, "# leaves ");
      if (Status s = ReadCsvFraming(line, header_seen, out, keys); !s) return std::move(s).error();
      continue;
    }
    if (trailer_started) return Bad("a row after the trailer");
    bool header = !header_seen;
    if (header) {
      delimiter = std::string_view(text).substr(pos, 4) == "seq;" ? ';' : ',';
      header_seen = true;
    }
    std::optional<std::vector<std::string>> row = ReadCsvRow(text, pos, delimiter);
    if (!row || row->size() != kColumnCount) return Bad("malformed CSV row");
    bool is_header = std::equal(row->begin(), row->end(), std::begin(kColumns));
    if (header != is_header) return Bad(header ? "missing header row" : "a repeated header row");
    if (!header) out.rows.push_back(std::move(*row));
  }
  if (!header_seen) return Bad("missing header row");
  if (keys.size() != 7) return Bad("framing lines are missing (" + std::to_string(keys.size()) + " of 7 present)");
  return out;
}

Result<ExportCheck> CheckCsv(std::string_view text, const std::vector<NoteVerifier>& vkeys) {
  Result<CsvExport> csv = ReadCsvExport(text);
  if (!csv) return std::move(csv).error();
  auto& [note, filters, filters_json, selection, checkpoint_line, leaves, begins, rows] = *csv;
  Checkpoint checkpoint;
  Result<std::map<int64_t, std::pair<Hash, bool>>> checked = CheckTrailer(leaves, note, vkeys, checkpoint);
  if (!checked) return std::move(checked).error();
  Result<std::set<int64_t>> signed_pruned = CheckSelection(selection, vkeys, "csv", filters_json, filters, *checked, checkpoint);
  if (!signed_pruned) return std::move(signed_pruned).error();
  if (checkpoint_line != CheckpointSummary(checkpoint)) return Bad("the checkpoint line differs from the signed checkpoint");
  std::set<int64_t> seen, begin_seqs, seen_pruned;
  for (const auto& [id, begin] : begins) {
    if (Status s = CheckLine(Canonical(begin), *checked, false, begin_seqs); !s) return std::move(s).error();
    if (Status s = CheckCarriedBegin(begin); !s) return std::move(s).error();
  }
  for (const std::vector<std::string>& row : rows) {
    if (Status s = CheckLine(row.back(), *checked, true, seen); !s) return std::move(s).error();
    // Every other cell must be what the record (and its begin record) say.
    JournalEntry e{0, row.back(), *ParseCanonical(row.back()), nullptr, *StoredLeafHash(row.back())};
    e.seq = IntField(e.record, "seq").value_or(-1);
    if (IsTombstone(e.record)) seen_pruned.insert(e.seq);
    auto it = begins.find(Str(e.record, "intervention"));
    bool has_begin = it != begins.end() && BeginFits(e.record, IntField(it->second, "seq").value_or(-1));
    if (!has_begin && !IsTombstone(e.record)) {  // a pruned row has no intervention left to show
      return Bad("record " + std::to_string(e.seq) + " needs the intervention.begin of " +
                 Quoted(Str(e.record, "intervention")) + ", which the export does not carry");
    }
    if (has_begin) e.intervention = it->second;
    std::vector<std::string> expected = CsvCells(e);
    for (size_t i = 0; i + 1 < kColumnCount; ++i) {
      if (NeutraliseCell(expected[i]) != row[i]) {
        return Bad("record " + std::to_string(e.seq) + ": cell " + kColumns[i] + " differs from the record");
      }
    }
  }
  if (Status s = CheckAllExportedSeen(*checked, seen); !s) return std::move(s).error();
  if (Status s = CheckTombstones(*signed_pruned, seen_pruned); !s) return std::move(s).error();
  auto size = static_cast<int64_t>(checked->size());
  auto exported = static_cast<int64_t>(seen.size());
  return ExportCheck{size, exported, size - exported, filters, static_cast<int64_t>(seen_pruned.size())};
}

}  // namespace

std::string NeutraliseCell(const std::string& cell) {
  if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos) return "'" + cell;
  return cell;
}

Result<std::string> ExportJsonl(const JournalFiles& files, const ExportOptions& options, const NoteSigner& signer) {
  Result<Covered> c = Cover(files);
  if (!c) return std::move(c).error();
  std::string body;
  std::set<int64_t> exported, pruned;
  std::map<std::string, std::string> needed;  // intervention -> begin line, for records whose begin is not exported
  for (const JournalEntry& e : c->entries) {
    if (!Matches(options.filter, e)) continue;
    body += e.line + "\n";
    exported.insert(e.seq);
    if (IsTombstone(e.record)) pruned.insert(e.seq);
    if (Str(e.record, "type") != kInterventionBegin && e.intervention.is_object()) {
      needed[Str(e.record, "intervention")] = Canonical(e.intervention);
    }
  }
  Json begins = Json::array();
  for (const auto& [id, line] : needed) {
    Result<Json> begin = ParseCanonical(line);
    if (begin && !exported.count(IntField(*begin, "seq").value_or(-1))) begins.push_back(line);
  }
  Json filters = options.filter.ToJson();
  std::string selection = SignNote(SelectionText(c->checkpoint, "jsonl", filters, options.filter.Describe(), exported, pruned), signer);
  Json header = {{"daybook_export", {{"format", kExportFormat}, {"filters", filters}, {"describe", options.filter.Describe()},
                                     {"checkpoint", c->note}, {"size", c->checkpoint.size},
                                     {"records", exported.size()}, {"selection", selection}, {"begins", begins}}}};
  Json trailer = {{"daybook_export_leaves", Leaves(*c, exported)}};
  return Canonical(header) + "\n" + body + Canonical(trailer) + "\n";
}

Result<std::string> ExportCsv(const JournalFiles& files, const ExportOptions& options, const NoteSigner& signer) {
  Result<Covered> c = Cover(files);
  if (!c) return std::move(c).error();
  std::string rows;
  std::set<int64_t> exported, pruned;
  std::map<std::string, std::string> begins;
  for (const JournalEntry& e : c->entries) {
    if (Str(e.record, "type") != kHostResult || !Matches(options.filter, e)) continue;
    rows += CsvRow(CsvCells(e), options.delimiter);
    exported.insert(e.seq);
    if (IsTombstone(e.record)) pruned.insert(e.seq);
    if (e.intervention.is_object()) begins[Str(e.record, "intervention")] = Canonical(e.intervention);
  }
  std::string out = CsvTitle() + "\n";
  out += "# filters: " + options.filter.Describe() + "\n";
  out += "# filters-json " + Canonical(options.filter.ToJson()) + "\n";
  out += "# checkpoint: " + CheckpointSummary(c->checkpoint) + "\n";
  out += "# checkpoint-note " + crypto::Base64Encode(crypto::ToBytes(c->note)) + "\n";
  std::string selection = SignNote(SelectionText(c->checkpoint, "csv", options.filter.ToJson(), options.filter.Describe(), exported, pruned), signer);
  out += "# selection " + crypto::Base64Encode(crypto::ToBytes(selection)) + "\n";
  std::vector<std::string> header(std::begin(kColumns), std::end(kColumns));
  std::string header_row;
  for (size_t i = 0; i < header.size(); ++i) header_row += (i ? std::string(1, options.delimiter) : "") + header[i];
  out += header_row + "\n" + rows;
  for (const auto& [id, line] : begins) out += "# begin " + line + "\n";
  out += "# leaves " + Join(Leaves(*c, exported), ",") + "\n";
  return out;
}

Result<ExportCheck> CheckExport(std::string_view text, const std::vector<NoteVerifier>& vkeys) {
  if (StartsWith(text, "{")) return CheckJsonl(text, vkeys);
  if (StartsWith(text, "#")) return CheckCsv(text, vkeys);
  return Bad("not a daybook journal export");
}

}  // namespace daybook::journal
