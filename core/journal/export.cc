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

struct Covered {
  std::string note;
  Checkpoint checkpoint;
  std::vector<JournalEntry> entries;  // the first checkpoint.size records
};

Result<Covered> Cover(const JournalFiles& files) {
  if (files.checkpoint.empty()) return MakeError(ErrorCode::kFailed, "the journal has no checkpoint: nothing to export");
  size_t split = files.checkpoint.rfind("\n\n");
  if (split == std::string::npos) return MakeError(ErrorCode::kFailed, "malformed checkpoint");
  Result<Checkpoint> checkpoint = ParseCheckpoint(files.checkpoint.substr(0, split + 1));
  if (!checkpoint) return std::move(checkpoint).error();
  Result<std::vector<JournalEntry>> entries = ReadEntries(files);
  if (!entries) return std::move(entries).error();
  if (static_cast<int64_t>(entries->size()) < checkpoint->size) {
    return MakeError(ErrorCode::kFailed, "the journal is shorter than its checkpoint; run `daybook journal verify`");
  }
  entries->resize(static_cast<size_t>(checkpoint->size));
  return Covered{files.checkpoint, *checkpoint, std::move(*entries)};
}

std::string SelectionText(const Checkpoint& c, const std::string& format, const Json& filters,
                          const std::string& describe, const std::set<int64_t>& exported) {
  return std::string(kExportFormat) + "\n" + c.origin + "\nsize " + std::to_string(c.size) + "\nroot " +
         crypto::Base64Encode(c.root.data(), c.root.size()) + "\nformat " + format + "\nfilters " + Canonical(filters) +
         "\ndescribe " + describe + "\nexported " +
         FormatSeqRanges(std::vector<int64_t>(exported.begin(), exported.end())) + "\n";
}

// The selection the journal key signed must be what this export shows.
Status CheckSelection(const std::string& note, const std::vector<NoteVerifier>& vkeys, const std::string& format,
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
  return OkStatus();
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
  Json header, trailer;
  try {
    header = Json::parse(lines.front()).at("daybook_export");
    trailer = Json::parse(lines.back()).at("daybook_export_leaves");
  } catch (const std::exception&) {
    return Bad("missing header or leaf list");
  }
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
  if (Status s = CheckSelection(Str(header, "selection"), vkeys, "jsonl", Canonical(filters), Str(header, "describe"),
                                *leaves, checkpoint); !s) {
    return std::move(s).error();
  }
  // The begin records the exported lines refer to: exported, or carried.
  std::set<int64_t> seen, carried;
  std::map<std::string, int64_t> begins;  // intervention -> begin seq
  const Json& carried_lines = header.contains("begins") ? header["begins"] : Json::array();
  if (!carried_lines.is_array()) return Bad("malformed begins");
  std::vector<Json> records;
  for (const Json& b : carried_lines) {
    if (!b.is_string()) return Bad("malformed begins");
    if (Status s = CheckLine(b.get<std::string>(), *leaves, false, carried); !s) return std::move(s).error();
    Json begin = *ParseCanonical(b.get<std::string>());
    begins[Str(begin, "intervention")] = IntField(begin, "seq").value_or(-1);
  }
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    if (Status s = CheckLine(lines[i], *leaves, true, seen); !s) return std::move(s).error();
    records.push_back(*ParseCanonical(lines[i]));
    if (Str(records.back(), "type") == kInterventionBegin) {
      begins[Str(records.back(), "intervention")] = IntField(records.back(), "seq").value_or(-1);
    }
  }
  for (const Json& r : records) {
    std::string type = Str(r, "type");
    if ((type != kHostResult && type != kInterventionEnd) || IsTombstone(r)) continue;
    auto it = begins.find(Str(r, "intervention"));
    if (it == begins.end() || it->second >= IntField(r, "seq").value_or(-1)) {
      return Bad("record " + std::to_string(IntField(r, "seq").value_or(-1)) + " needs the intervention.begin of " +
                 Quoted(Str(r, "intervention")) + ", which the export does not carry");
    }
  }
  if (Status s = CheckAllExportedSeen(*leaves, seen); !s) return std::move(s).error();
  auto size = static_cast<int64_t>(leaves->size());
  auto exported = static_cast<int64_t>(seen.size());
  return ExportCheck{size, exported, size - exported, Str(header, "describe")};
}

Result<ExportCheck> CheckCsv(std::string_view text, const std::vector<NoteVerifier>& vkeys) {
  std::string note, filters, filters_json, selection;
  std::vector<std::string> leaves;
  std::map<std::string, Json> begins;  // by intervention id
  std::vector<std::vector<std::string>> rows;
  char delimiter = ',';
  size_t pos = 0;
  bool header_seen = false;
  while (pos < text.size()) {
    if (text[pos] == '#') {
      size_t end = text.find('\n', pos);
      std::string line(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
      pos = end == std::string_view::npos ? text.size() : end + 1;
      if (StartsWith(line, "# filters: ")) filters = line.substr(11);
      if (StartsWith(line, "# filters-json ")) filters_json = line.substr(15);
      if (StartsWith(line, "# selection ")) {
        std::optional<crypto::Bytes> raw = crypto::Base64Decode(line.substr(12));
        if (!raw) return Bad("malformed selection line");
        selection = crypto::ToString(*raw);
      }
      if (StartsWith(line, "# checkpoint-note ")) {
        std::optional<crypto::Bytes> raw = crypto::Base64Decode(line.substr(18));
        if (!raw) return Bad("malformed checkpoint line");
        note = crypto::ToString(*raw);
      }
      if (StartsWith(line, "# leaves ")) leaves = Split(line.substr(9), ',');
      if (StartsWith(line, "# begin ")) {
        Result<Json> begin = ParseCanonical(line.substr(8));
        if (!begin) return Bad("malformed begin record");
        begins[Str(*begin, "intervention")] = *begin;
      }
      continue;
    }
    if (!header_seen) {
      delimiter = text.substr(pos, 4) == "seq;" ? ';' : ',';
      header_seen = true;
    }
    std::optional<std::vector<std::string>> row = ReadCsvRow(text, pos, delimiter);
    if (!row || row->size() != kColumnCount) return Bad("malformed CSV row");
    if ((*row)[0] != "seq") rows.push_back(std::move(*row));
  }
  Checkpoint checkpoint;
  Result<std::map<int64_t, std::pair<Hash, bool>>> checked = CheckTrailer(leaves, note, vkeys, checkpoint);
  if (!checked) return std::move(checked).error();
  if (Status s = CheckSelection(selection, vkeys, "csv", filters_json, filters, *checked, checkpoint); !s) {
    return std::move(s).error();
  }
  std::set<int64_t> seen, begin_seqs;
  for (const auto& [id, begin] : begins) {
    if (Status s = CheckLine(Canonical(begin), *checked, false, begin_seqs); !s) return std::move(s).error();
  }
  for (const std::vector<std::string>& row : rows) {
    if (Status s = CheckLine(row.back(), *checked, true, seen); !s) return std::move(s).error();
    // Every other cell must be what the record (and its begin record) say.
    JournalEntry e{0, row.back(), *ParseCanonical(row.back()), nullptr, *StoredLeafHash(row.back())};
    e.seq = IntField(e.record, "seq").value_or(-1);
    auto it = begins.find(Str(e.record, "intervention"));
    bool has_begin = it != begins.end() && IntField(it->second, "seq").value_or(e.seq) < e.seq;
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
  auto size = static_cast<int64_t>(checked->size());
  auto exported = static_cast<int64_t>(seen.size());
  return ExportCheck{size, exported, size - exported, filters};
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
  std::set<int64_t> exported;
  std::map<std::string, std::string> needed;  // intervention -> begin line, for records whose begin is not exported
  for (const JournalEntry& e : c->entries) {
    if (!Matches(options.filter, e)) continue;
    body += e.line + "\n";
    exported.insert(e.seq);
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
  std::string selection = SignNote(SelectionText(c->checkpoint, "jsonl", filters, options.filter.Describe(), exported), signer);
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
  std::set<int64_t> exported;
  std::map<std::string, std::string> begins;
  for (const JournalEntry& e : c->entries) {
    if (Str(e.record, "type") != kHostResult || !Matches(options.filter, e)) continue;
    rows += CsvRow(CsvCells(e), options.delimiter);
    exported.insert(e.seq);
    if (e.intervention.is_object()) begins[Str(e.record, "intervention")] = Canonical(e.intervention);
  }
  std::string out = "# " + std::string(kExportFormat) + ": one row per host result, times in UTC\n";
  out += "# filters: " + options.filter.Describe() + "\n";
  out += "# filters-json " + Canonical(options.filter.ToJson()) + "\n";
  out += "# checkpoint: size " + std::to_string(c->checkpoint.size) + " root " +
         crypto::Base64Encode(c->checkpoint.root.data(), 32) + "\n";
  out += "# checkpoint-note " + crypto::Base64Encode(crypto::ToBytes(c->note)) + "\n";
  std::string selection = SignNote(SelectionText(c->checkpoint, "csv", options.filter.ToJson(), options.filter.Describe(), exported), signer);
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
