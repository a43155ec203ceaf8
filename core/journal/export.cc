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

Result<ExportCheck> CheckJsonl(std::string_view text, const std::vector<NoteVerifier>& vkeys, ExportContents* contents) {
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
    if (contents != nullptr) contents->begins[Str(begin, "intervention")] = begin;
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
      if (contents != nullptr) contents->begins[Str(records.back(), "intervention")] = records.back();
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
  if (contents != nullptr) {
    for (size_t i = 1; i + 1 < lines.size(); ++i) contents->lines.push_back(lines[i]);
  }
  return ExportCheck{size, exported, size - exported, Str(header, "describe"), static_cast<int64_t>(seen_pruned.size())};
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
    if (Str(e.record, "type") != kInterventionBegin && e.intervention().is_object() &&
        !needed.count(Str(e.record, "intervention"))) {
      needed[Str(e.record, "intervention")] = Canonical(e.intervention());
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

Result<ExportCheck> CheckExport(std::string_view text, const std::vector<NoteVerifier>& vkeys, ExportContents* contents) {
  if (StartsWith(text, "{")) return CheckJsonl(text, vkeys, contents);
  return Bad("not a daybook JSONL export (a CSV export is checked together with the proof written with it: --proof FILE)");
}

}  // namespace daybook::journal
