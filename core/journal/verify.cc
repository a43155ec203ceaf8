#include "core/journal/verify.h"

#include <set>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/journal/agent_binding.h"
#include "core/journal/canonical.h"
#include "core/journal/intent.h"
#include "core/journal/lines.h"
#include "core/journal/record.h"
#include "core/journal/verify_internal.h"
#include "core/schema/json_reader.h"

namespace daybook::journal {
namespace {

using internal::Failure;
using internal::PruneRecord;
using internal::Scan;

std::optional<Failure> NoteRecord(const Json& record, int64_t seq, int64_t offset, TimePoint ts, Scan& scan) {
  const std::string type = *StringField(record, "type");  // schema-checked
  // An operator's signature is checked wherever it is (an intervention.end
  // carries one since issue 15), not only where it is required.
  if (IsOperatorSigned(type) || type == kHostKeyPinned || (type == kHostResult && record.contains("agent")) ||
      type == kHostObserved || type == kHostAccess || record.contains("op_sig")) {
    scan.signed_records.push_back(static_cast<size_t>(seq));
  }
  if (type == kInterventionBegin) {
    scan.begin_ids[seq] = *StringField(record, "intervention");
    scan.begin_answers[seq] = BeginAnswerType(record);
  }
  if (type == kInterventionEnd) scan.end_seqs.emplace(*StringField(record, "intervention"), seq);
  if (type == kKeyRotation) scan.rotations.emplace_back(seq, *StringField(record, "vkey"));
  if (type == kRetentionPrune) {
    TimePoint cutoff = *ParseTimestamp(*StringField(record, "cutoff"));
    if (cutoff > ts - std::chrono::days(*IntField(record, "window_days"))) {
      return Failure{VerifyCode::kPrunedOutsidePolicy, seq, offset, "prune cutoff inside its retention window"};
    }
    std::vector<int64_t> pruned = *ParseSeqRanges(*StringField(record, "pruned_seqs"), seq);  // schema-checked
    scan.prunes.push_back({seq, ts, cutoff, *IntField(record, "upto_seq"), static_cast<int>(*IntField(record, "v")),
                           std::set<int64_t>(pruned.begin(), pruned.end())});
  }
  return std::nullopt;
}

// Pass 1, cheap: every line in order (canonical form, seq, schema, version,
// time order, leaf hashes), noting what later passes need.
std::optional<Failure> CheckRecords(const SplitRecords& split, Scan& scan) {
  std::optional<TimePoint> last_ts;
  bool seen_v2 = false;
  for (size_t i = 0; i < split.lines.size(); ++i) {
    const LineRef& ref = split.lines[i];
    auto seq = static_cast<int64_t>(i);
    auto offset = static_cast<int64_t>(ref.offset);
    Result<Json> record = ParseCanonical(ref.text);
    if (!record) return Failure{VerifyCode::kBadCanonical, seq, offset, record.error().message};
    if (IntField(*record, "seq") != seq) return Failure{VerifyCode::kSeqGap, seq, offset, "seq does not match the record's position"};
    bool tombstone = IsTombstone(*record);
    if (!tombstone) {
      if (Status schema = CheckRecordSchema(*record); !schema) {
        return Failure{VerifyCode::kBadRecord, seq, offset, schema.error().message};
      }
    }
    std::optional<int64_t> version = IntField(*record, "v");
    if (version == kRecordVersion) seen_v2 = true;
    if (version != kRecordVersion) {
      if (seen_v2) return Failure{VerifyCode::kBadRecord, seq, offset, "a version 1 record after version 2 ones"};
      ++scan.legacy;
    }
    std::optional<std::string> ts_text = StringField(*record, "ts");
    std::optional<TimePoint> ts = ts_text ? ParseTimestamp(*ts_text) : std::nullopt;
    if (!ts) return Failure{VerifyCode::kBadRecord, seq, offset, "missing or bad ts"};
    if (last_ts && *ts < *last_ts) return Failure{VerifyCode::kTimeOrder, seq, offset, "ts goes backwards"};
    last_ts = ts;
    scan.last_ts = ts;
    if (!tombstone) scan.day_starts.emplace(ts_text->substr(0, 10), seq);  // a tombstone's ts is its own word
    Result<Hash> leaf = StoredLeafHash(ref.text);
    if (!leaf) return Failure{VerifyCode::kBadRecord, seq, offset, leaf.error().message};
    if (Status s = scan.hashes.AppendRecord(seq, *leaf); !s) return Failure{VerifyCode::kBadRecord, seq, offset, s.error().message};
    scan.types.push_back(StringField(*record, "type").value_or(""));
    if (tombstone) {
      scan.tombstones[seq] = *ts;
      if (scan.types.back() == kHostAccess) scan.access_tombstones.push_back(seq);
      continue;
    }
    if (auto f = NoteRecord(*record, seq, offset, *ts, scan)) return f;
  }
  return std::nullopt;
}

// The start of the latest UTC day whose first seq is at or before `seq`.
std::optional<TimePoint> DayLowerBound(const std::map<std::string, int64_t>& day_starts, int64_t seq) {
  std::optional<TimePoint> bound;
  for (const auto& [day, first] : day_starts) {  // days sort as text
    if (first > seq) break;
    bound = ParseTimestamp(day + "T00:00:00.000Z");
  }
  return bound;
}

int64_t OffsetOf(const SplitRecords& split, int64_t seq) {
  return seq < static_cast<int64_t>(split.lines.size()) ? static_cast<int64_t>(split.lines[static_cast<size_t>(seq)].offset)
                                                         : static_cast<int64_t>(split.complete_bytes);
}

// Every tombstone must lie under a sealed prune record (signed by an
// operator, checked with the signatures) whose cutoff respects both its own
// window and the auditor's minimum retention; and a payload present when the
// auditor last verified may only have gone under a prune made since.
std::optional<Failure> CheckRetention(const Scan& scan, const SplitRecords& split, const VerifyOptions& options,
                                      VerifyReport& report) {
  for (const PruneRecord& p : scan.prunes) {
    if (p.cutoff > p.ts - std::chrono::days(options.min_retention_days)) {
      return Failure{VerifyCode::kPrunedOutsidePolicy, p.seq, OffsetOf(split, p.seq),
                     "prune cutoff " + FormatTimestamp(p.cutoff) + " is inside the minimum retention of " +
                         std::to_string(options.min_retention_days) + " days this audit requires"};
    }
  }
  std::set<int64_t> pruned_before;
  if (options.state) {
    if (std::optional<std::vector<int64_t>> seqs = ParseSeqRanges(options.state->pruned, options.state->size)) {
      pruned_before.insert(seqs->begin(), seqs->end());
    }
  }
  // The sealed prunes that list each seq (unsealed ones cover nothing):
  // indexed once, so the cost is what the signed lists hold, not
  // tombstones x prunes.
  std::map<int64_t, std::vector<const PruneRecord*>> listing;
  for (const PruneRecord& p : scan.prunes) {
    if (p.seq >= report.sealed) continue;
    for (int64_t seq : p.pruned) listing[seq].push_back(&p);
  }
  std::vector<int64_t> pruned;
  for (const auto& [seq, ts] : scan.tombstones) {
    pruned.push_back(seq);
    // A state file from before issue 14 (no retention in it) does not say which payloads it saw.
    bool state_knows = options.state && options.state->min_retention_days > 0;
    bool was_present = state_knows && seq < options.state->size && !pruned_before.count(seq);
    // When the auditor saw the payload: no earlier than the day it fell in.
    std::optional<TimePoint> seen_no_earlier;
    if (was_present) seen_no_earlier = DayLowerBound(options.state->day_starts, seq);
    bool covered = false;
    auto listed = listing.find(seq);
    for (const PruneRecord* p : listed == listing.end() ? std::vector<const PruneRecord*>{} : listed->second) {
      // A tombstone's own ts and type are not covered by any hash: only the
      // signed list of the prune says which payload it removed.
      bool valid = p->seq > seq && seq <= p->upto_seq && ts < p->cutoff;
      if (valid && was_present && p->seq < options.state->size) valid = false;  // the auditor saw it after that prune
      if (valid && seen_no_earlier && *seen_no_earlier >= p->cutoff) valid = false;  // it was younger than the cutoff
      covered = covered || valid;
    }
    if (!covered && was_present) {
      report.previous_checkpoint = options.state->checkpoint;
      return Failure{VerifyCode::kPrunedOutsidePolicy, seq, OffsetOf(split, seq),
                     "the payload of this record was present when this journal was last verified (checkpoint in the "
                     "state file, size " + std::to_string(options.state->size) +
                         ") and is gone, with no sealed prune record made since whose cutoff is after the day it was "
                         "seen in; its leaf hash " +
                         crypto::HexEncode(scan.Leaf(seq).data(), 32) + " is all that is left"};
    }
    if (!covered) {
      return Failure{VerifyCode::kPrunedOutsidePolicy, seq, OffsetOf(split, seq),
                     "payload pruned without a covering, sealed retention_prune record that lists it"};
    }
    if (was_present) ++report.newly_pruned;
  }
  report.tombstones = static_cast<int64_t>(pruned.size());
  report.pruned = FormatSeqRanges(pruned);
  return std::nullopt;
}

// The stored hashes must be a prefix of the ones the records give: a crash
// between a record's append and its hashes' append leaves them short (or a
// hash torn), which is allowed beyond the checkpoint only (checked later).
std::optional<Failure> CheckStoredHashes(const MemoryHashes& hashes, const std::string& stored, size_t& stored_count) {
  const std::vector<Hash>& expected = hashes.all();
  stored_count = stored.size() / 32;
  if (stored_count > expected.size()) {
    return Failure{VerifyCode::kLeafMismatch, -1, -1,
                   "the hashes file holds " + std::to_string(stored_count) + " hashes, the records give " +
                       std::to_string(expected.size())};
  }
  for (size_t j = 0; j < stored_count; ++j) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(stored.data()) + j * 32;
    if (std::equal(expected[j].begin(), expected[j].end(), bytes)) continue;
    int64_t seq = 0;
    while (StoredHashCount(seq + 1) <= static_cast<int64_t>(j)) ++seq;
    return Failure{VerifyCode::kLeafMismatch, seq, -1, "stored hash " + std::to_string(j) + " differs from the records"};
  }
  return std::nullopt;
}

void Fail(VerifyReport& report, const Failure& f) {
  report.code = f.code;
  report.seq = f.seq;
  report.offset = f.offset;
  report.message = f.message;
}

// The key and origin the auditor pinned: a change is reported like a fork,
// unless a journal.key_rotation the auditor already verified names the new key.
void CheckStateKey(const VerifierState& state, const Scan& scan, VerifyReport& report) {
  if (!state.origin.empty() && state.origin != report.origin) {
    report.code = VerifyCode::kKeyChanged;
    report.message = "the checkpoint origin is " + Quoted(report.origin) + "; it was " + Quoted(state.origin) + " before";
    return;
  }
  if (state.vkey.empty() || state.vkey == report.vkey) return;
  for (const auto& [seq, vkey] : scan.rotations) {
    if (seq < state.size && vkey == report.vkey) {
      report.warnings.push_back("the checkpoint key changed to " + report.vkey + ", as the journal.key_rotation record " +
                                std::to_string(seq) + " announced");
      return;
    }
  }
  report.code = VerifyCode::kKeyChanged;
  report.message = "the checkpoint is signed by " + report.vkey + "; this auditor verified it under " + state.vkey +
                   " before, and no rotation record they verified announced the new key";
}

// Compares with the auditor's last verified checkpoint.
void CheckState(const VerifierState& state, const Scan& scan, VerifyReport& report) {
  report.previous_checkpoint = state.checkpoint;
  CheckStateKey(state, scan, report);
  if (!report.ok()) return;
  if (state.size > report.sealed) {
    report.code = VerifyCode::kRollback;
    report.message = "the journal is sealed at " + std::to_string(report.sealed) + " records; it was verified at " +
                     std::to_string(state.size) + " before";
    return;
  }
  Result<Hash> then = TreeHash(state.size, scan.hashes);
  if (!then || *then != state.root) {
    report.code = VerifyCode::kFork;
    report.message = "the first " + std::to_string(state.size) +
                     " records no longer hash to the root verified before: history was rewritten";
  }
  if (state.size > 0 && state.size <= report.sealed) {
    if (Result<Proof> proof = ConsistencyProof(state.size, report.sealed, scan.hashes)) report.consistency = *proof;
  }
}

// Records after the checkpoint: the writer's (named by its signed intent,
// left by a crash, sealed by its next write) or foreign (never sealed).
std::optional<Failure> CheckTail(const JournalFiles& files, const SplitRecords& split, const Scan& scan,
                                 bool hashes_complete, const VerifyOptions& options, VerifyReport& report) {
  int64_t tail = report.records - report.sealed;
  if (tail == 0 && !split.torn && hashes_complete) return std::nullopt;
  std::vector<Hash> leaves;
  for (int64_t seq = report.sealed; seq < report.records; ++seq) leaves.push_back(scan.Leaf(seq));
  int64_t ours = 0;
  if (Result<Intent> intent = OpenIntent(files.intent, options.vkeys)) {
    ours = IntendedPrefix(*intent, report.origin, report.sealed, leaves);
  }
  if (ours < tail) {
    int64_t first = report.sealed + ours;
    return Failure{VerifyCode::kForeignRecords, first, OffsetOf(split, first),
                   std::to_string(tail - ours) + " record(s) after the last checkpoint (seq " + std::to_string(first) +
                       (tail - ours > 1 ? "-" + std::to_string(report.records - 1) : std::string()) +
                       ") were not written by the journal writer: no intent signed with the journal key names them. "
                       "They are not part of the journal and the writer will not seal them; remove them"};
  }
  if (!options.crashed) {
    return Failure{VerifyCode::kUnsealedTail, report.sealed, OffsetOf(split, report.sealed),
                   tail > 0 ? std::to_string(tail) + " record(s) after the last checkpoint, which the writer's signed "
                                  "intent names (an append interrupted by a crash): pass --crashed to inspect a "
                                  "crashed journal; the next write seals them"
                            : "a torn or unhashed tail after the last checkpoint (an interrupted append): pass --crashed"};
  }
  report.crash_tail = tail;
  report.warnings.push_back(std::to_string(tail) + " record(s) after the last checkpoint, written by the journal writer "
                            "before a crash (its signed intent names them): the next write seals them");
  return std::nullopt;
}

}  // namespace

std::string_view CodeName(VerifyCode code) {
  switch (code) {
    case VerifyCode::kOk: return "OK";
    case VerifyCode::kBadCanonical: return "BAD_CANONICAL";
    case VerifyCode::kBadRecord: return "BAD_RECORD";
    case VerifyCode::kSeqGap: return "SEQ_GAP";
    case VerifyCode::kTimeOrder: return "TIME_ORDER";
    case VerifyCode::kLeafMismatch: return "LEAF_MISMATCH";
    case VerifyCode::kRootMismatch: return "ROOT_MISMATCH";
    case VerifyCode::kBadCheckpointSig: return "BAD_CHECKPOINT_SIG";
    case VerifyCode::kBadCheckpoint: return "BAD_CHECKPOINT";
    case VerifyCode::kUnsealedTail: return "UNSEALED_TAIL";
    case VerifyCode::kForeignRecords: return "FOREIGN_RECORDS";
    case VerifyCode::kBadOperatorSig: return "BAD_OPERATOR_SIG";
    case VerifyCode::kSignerNotAllowed: return "SIGNER_NOT_ALLOWED";
    case VerifyCode::kBadAgentSig: return "BAD_AGENT_SIG";
    case VerifyCode::kPrunedOutsidePolicy: return "PRUNED_OUTSIDE_POLICY";
    case VerifyCode::kRollback: return "ROLLBACK";
    case VerifyCode::kFork: return "FORK";
    case VerifyCode::kKeyChanged: return "KEY_CHANGED";
  }
  return "UNKNOWN";
}

int VerifyReport::ExitCode() const {
  if (code == VerifyCode::kOk) return 0;
  if (code == VerifyCode::kFork || code == VerifyCode::kRollback || code == VerifyCode::kKeyChanged) return 3;
  return 1;
}

std::string FormatSeqRanges(const std::vector<int64_t>& seqs) {
  std::string out;
  for (size_t i = 0; i < seqs.size();) {
    size_t j = i;
    while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(seqs[i]) + (j > i ? "-" + std::to_string(seqs[j]) : "");
    i = j + 1;
  }
  return out;
}

std::optional<std::vector<int64_t>> ParseSeqRanges(std::string_view text, int64_t below) {
  std::vector<int64_t> out;
  if (text.empty()) return out;
  for (const std::string& part : Split(text, ',')) {
    size_t dash = part.find('-');
    std::string a = part.substr(0, dash), b = dash == std::string::npos ? a : part.substr(dash + 1);
    auto number = [](const std::string& s) -> std::optional<int64_t> {
      if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
      return std::stoll(s);
    };
    std::optional<int64_t> from = number(a), to = number(b);
    if (!from || !to || *to < *from || *to >= below || (!out.empty() && *from <= out.back())) return std::nullopt;
    for (int64_t s = *from; s <= *to; ++s) out.push_back(s);
  }
  return out;
}

std::string FormatState(const VerifierState& state) {
  return Canonical(Json{{"origin", state.origin}, {"size", state.size},
                        {"root", crypto::Base64Encode(state.root.data(), state.root.size())},
                        {"checkpoint", state.checkpoint}, {"vkey", state.vkey},
                        {"min_retention_days", state.min_retention_days}, {"pruned", state.pruned},
                        {"day_starts", state.day_starts}}) + "\n";
}

Result<VerifierState> ParseState(std::string_view text) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInvalidInput, std::string("malformed state file: ") + e.what());
  }
  Result<schema::JsonReader> r = schema::JsonReader::Of(doc, "state");
  if (!r) return std::move(r).error();
  Result<std::string> origin = r->String("origin"), checkpoint = r->String("checkpoint"), root = r->String("root");
  Result<int64_t> size = r->Int("size", 0, INT64_MAX);
  // Fields added by issue 14: absent in older state files.
  Result<std::string> vkey = r->String("vkey", ""), pruned = r->String("pruned", "");
  Result<int64_t> retention = r->Int("min_retention_days", 0, 36500, 0);
  auto malformed = [](const Error& e) { return MakeError(ErrorCode::kInvalidInput, "malformed state file: " + e.message); };
  if (!origin) return malformed(origin.error());
  if (!checkpoint) return malformed(checkpoint.error());
  if (!root) return malformed(root.error());
  if (!size) return malformed(size.error());
  if (!vkey) return malformed(vkey.error());
  if (!pruned) return malformed(pruned.error());
  if (!retention) return malformed(retention.error());
  std::optional<crypto::Bytes> root_bytes = crypto::Base64Decode(*root);
  if (!root_bytes || root_bytes->size() != 32) return MakeError(ErrorCode::kInvalidInput, "malformed state file: bad root");
  if (!ParseSeqRanges(*pruned, *size)) return MakeError(ErrorCode::kInvalidInput, "malformed state file: bad pruned list");
  VerifierState state{*origin, *size, {}, *checkpoint, *vkey, static_cast<int>(*retention), *pruned, {}};
  const Json& days = MemberOr(doc, "day_starts");
  if (!days.is_null() && !days.is_object()) return MakeError(ErrorCode::kInvalidInput, "malformed state file: bad day_starts");
  if (days.is_object()) {
    for (const auto& [day, first] : days.items()) {
      bool ok = ParseTimestamp(day + "T00:00:00.000Z") && first.is_number_integer() && first.get<int64_t>() >= 0 &&
                first.get<int64_t>() < *size;
      if (!ok) return MakeError(ErrorCode::kInvalidInput, "malformed state file: bad day_starts entry " + Quoted(day));
      state.day_starts[day] = first.get<int64_t>();
    }
  }
  std::copy(root_bytes->begin(), root_bytes->end(), state.root.begin());
  return state;
}

VerifyReport VerifyJournal(const JournalFiles& files, const VerifyOptions& options) {
  VerifyReport report;
  SplitRecords split = SplitRecordLines(files.records);
  report.records = static_cast<int64_t>(split.lines.size());
  report.operators_checked = options.allowed_signers.has_value();

  // Cheap integrity first (every tampered byte is caught here or at the
  // checkpoint), signatures last: same verdicts, much faster to refuse.
  // 1. Records: canonical, seq, schema, version, time order, leaf hashes.
  Scan scan;
  if (auto f = CheckRecords(split, scan)) return Fail(report, *f), report;
  report.legacy_records = scan.legacy;
  if (options.now && scan.last_ts && *scan.last_ts > *options.now + std::chrono::hours(24)) {
    auto last = static_cast<int64_t>(split.lines.size()) - 1;
    Fail(report, {VerifyCode::kTimeOrder, last, OffsetOf(split, last),
                  "the last record is dated " + FormatTimestamp(*scan.last_ts) + ", more than a day after this verification (" +
                      FormatTimestamp(*options.now) + ")"});
    return report;
  }

  // 2. The stored hashes must agree with the records.
  size_t stored_count = 0;
  if (auto f = CheckStoredHashes(scan.hashes, files.hashes, stored_count)) return Fail(report, *f), report;

  // 3. The checkpoint: signature (and which key), then the root at its size.
  if (files.checkpoint.empty()) {
    if (report.records > 0 || split.torn) {
      Fail(report, {VerifyCode::kUnsealedTail, 0, 0, std::to_string(report.records) + " records and no checkpoint"});
    }
    return report;  // an empty journal: nothing to sign
  }
  size_t key_index = 0;
  Result<std::string> text = OpenNote(files.checkpoint, options.vkeys, &key_index);
  if (!text) return Fail(report, {VerifyCode::kBadCheckpointSig, -1, -1, text.error().message}), report;
  Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
  if (!checkpoint) return Fail(report, {VerifyCode::kBadCheckpoint, -1, -1, checkpoint.error().message}), report;
  if (checkpoint->size > report.records) {
    Fail(report, {VerifyCode::kRootMismatch, report.records, static_cast<int64_t>(split.complete_bytes),
                  "the checkpoint covers " + std::to_string(checkpoint->size) + " records, the journal has " +
                      std::to_string(report.records) + ": records were removed"});
    return report;
  }
  if (static_cast<int64_t>(stored_count) < StoredHashCount(checkpoint->size)) {
    Fail(report, {VerifyCode::kLeafMismatch, -1, -1, "the hashes file does not cover the sealed records"});
    return report;
  }
  bool hashes_complete = static_cast<int64_t>(stored_count) == StoredHashCount(report.records) &&
                         files.hashes.size() % 32 == 0;
  Result<Hash> root = TreeHash(checkpoint->size, scan.hashes);
  if (!root || *root != checkpoint->root) {
    Fail(report, {VerifyCode::kRootMismatch, -1, -1,
                  "the first " + std::to_string(checkpoint->size) + " records do not hash to the checkpoint's root"});
    return report;
  }
  report.sealed = checkpoint->size;
  report.root = checkpoint->root;
  // The day index for the next state: what this auditor saw before wins
  // (those payloads may be gone now); the rest from the records as sealed.
  int64_t known = options.state && !options.state->day_starts.empty() ? options.state->size : 0;
  if (options.state) report.day_starts = options.state->day_starts;
  for (const auto& [day, first] : scan.day_starts) {
    if (first >= known && first < report.sealed) report.day_starts.emplace(day, first);
  }
  report.checkpoint = files.checkpoint;
  report.origin = checkpoint->origin;
  report.vkey = FormatVerifierKey(options.vkeys[key_index]);

  // 4. Against what this auditor verified before: key, origin, history.
  if (options.state) {
    CheckState(*options.state, scan, report);
    if (!report.ok()) return report;
  }

  // 5. Retention: tombstones under sealed prunes, the auditor's minimum, payloads gone.
  if (auto f = CheckRetention(scan, split, options, report)) return Fail(report, *f), report;

  // 6. Records after the checkpoint: foreign ones are the story, whatever
  //    they claim to be signed by.
  if (auto f = CheckTail(files, split, scan, hashes_complete, options, report)) return Fail(report, *f), report;

  // 7. Who signed what, and what each agent signature binds.
  if (auto f = internal::CheckAllSignatures(split, scan, options, report)) return Fail(report, *f), report;
  return report;
}

}  // namespace daybook::journal
