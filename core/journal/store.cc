#include "core/journal/store.h"

#include <unistd.h>

#include <algorithm>

#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/intent.h"
#include "core/journal/lines.h"
#include "core/journal/record.h"
#include "core/journal/verify.h"

namespace daybook::journal {
namespace {

namespace fs = std::filesystem;

constexpr unsigned kFileMode = 0644;
constexpr size_t kIntentLogBytes = 64 * 1024;  // the intent log is compacted past this

Error Damaged(const std::string& what) {
  return MakeError(ErrorCode::kFailed, "journal damaged: " + what + "; run `daybook journal verify` for details");
}

std::string Nonce() {
  uint8_t bytes[16];
  if (!crypto::RandomBytes(bytes, sizeof bytes)) std::abort();  // no randomness: nothing safe to do
  return crypto::HexEncode(bytes, sizeof bytes);
}

Result<std::string> ReadOptional(Filesystem& fs, const fs::path& path) {
  Result<std::string> text = fs.ReadFile(path);
  if (!text && text.error().code == ErrorCode::kNotFound) return std::string();
  return text;
}

}  // namespace

JournalPaths::JournalPaths(fs::path d)
    : dir(d),
      records(d / "records.jsonl"),
      hashes(d / "hashes"),
      checkpoint(d / "checkpoint"),
      intent(d / "intent"),
      lock(d / "lock") {}

Result<JournalFiles> ReadJournalFiles(Filesystem& fs, const fs::path& dir) {
  if (!fs.Exists(dir)) {
    return MakeError(ErrorCode::kNotFound, "no journal at " + dir.string() +
                                               " (nothing has been recorded yet, or --journal points elsewhere)");
  }
  JournalPaths paths(dir);
  JournalFiles files;
  for (auto [path, into] : {std::pair{&paths.records, &files.records}, std::pair{&paths.hashes, &files.hashes},
                            std::pair{&paths.checkpoint, &files.checkpoint}, std::pair{&paths.intent, &files.intent}}) {
    Result<std::string> text = ReadOptional(fs, *path);
    if (!text) return std::move(text).error();
    *into = std::move(*text);
  }
  return files;
}

JournalWriter::JournalWriter(Filesystem& fs, const Clock& clock, WriterOptions options,
                             std::unique_ptr<Filesystem::Lock> lock)
    : fs_(fs), clock_(clock), options_(std::move(options)), paths_(options_.dir), lock_(std::move(lock)) {}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Open(Filesystem& fs, const Clock& clock, WriterOptions options) {
  if (Status made = fs.CreateDirectories(options.dir); !made) return std::move(made).error();
  Result<std::unique_ptr<Filesystem::Lock>> lock = fs.LockFile(JournalPaths(options.dir).lock);
  if (!lock) return std::move(lock).error().WithContext("journal");
  (void)(*lock)->SetHolder("daybook (pid " + std::to_string(::getpid()) + ") since " + FormatTimestamp(clock.Now()));
  std::unique_ptr<JournalWriter> writer(new JournalWriter(fs, clock, std::move(options), std::move(*lock)));
  if (Status recovered = writer->Recover(); !recovered) return std::move(recovered).error();
  return writer;
}

Status JournalWriter::Recover() {
  Result<std::string> records = ReadOptional(fs_, paths_.records);
  Result<std::string> stored = ReadOptional(fs_, paths_.hashes);
  Result<std::string> note = ReadOptional(fs_, paths_.checkpoint);
  if (!records) return std::move(records).error();
  if (!stored) return std::move(stored).error();
  if (!note) return std::move(note).error();

  // 1. The checkpoint, if any, must be ours and well formed.
  Checkpoint sealed{options_.origin, 0, EmptyTreeHash()};
  if (!note->empty()) {
    NoteVerifier self{options_.signer.name, options_.signer.key_id, options_.signer.key.public_key()};
    Result<std::string> text = OpenNote(*note, {self});
    if (!text) return Damaged("checkpoint: " + text.error().message);
    Result<Checkpoint> parsed = ParseCheckpoint(*text);
    if (!parsed) return Damaged(parsed.error().message);
    sealed = *parsed;
  }

  // 2. Complete lines: at least what the checkpoint covers. (A torn last
  //    line is cut in step 6, once the tail is known to be the writer's.)
  SplitRecords split = SplitRecordLines(*records);
  int64_t n = static_cast<int64_t>(split.lines.size());
  if (n < sealed.size) return Damaged("the checkpoint covers " + std::to_string(sealed.size) + " records, " +
                                      std::to_string(n) + " are complete");
  records_bytes_ = split.complete_bytes;

  // 3. Stored hashes: keep the prefix that belongs to sealed records (the
  //    root check below covers it), recompute the rest from their lines:
  //    the tail is judged by its bytes, never by hashes stored beside it.
  hashes_.Load(*stored);
  int64_t have = 0;
  while (have < std::min(n, sealed.size) && StoredHashCount(have + 1) <= static_cast<int64_t>(hashes_.all().size())) ++have;
  size_t keep = static_cast<size_t>(StoredHashCount(have));
  bool rewrite = keep != stored->size() / 32 || stored->size() % 32 != 0;
  hashes_.Truncate(keep);
  for (int64_t i = have; i < n; ++i) {
    Result<Hash> leaf = StoredLeafHash(split.lines[static_cast<size_t>(i)].text);
    if (!leaf) return Damaged("record " + std::to_string(i) + ": " + leaf.error().message);
    if (Status s = hashes_.AppendRecord(i, *leaf); !s) return s;
    rewrite = true;
  }
  size_ = n;

  // 4. What the checkpoint sealed must still hash to its root.
  Result<Hash> root = TreeHash(sealed.size, hashes_);
  if (!root) return std::move(root).error();
  if (*root != sealed.root) return Damaged("the records no longer hash to the checkpoint's root");
  checkpoint_ = *note;
  for (const LineRef& ref : split.lines) {
    NotePins(ref.text);
    NoteAccess(ref.text);
  }
  if (!split.lines.empty()) NoteTime(split.lines.back().text);

  // 5. Complete records after the checkpoint: sealed only if ours. Nothing
  //    has been written yet: a refusal leaves the evidence as it is.
  std::vector<Hash> tail;
  for (int64_t i = sealed.size; i < n; ++i) tail.push_back(hashes_.all()[static_cast<size_t>(StoredHashIndex(0, i))]);
  if (Status s = RecoverTail(tail, sealed.size, split); !s) return s;

  // 6. Repairs: cut a torn last line, store the recomputed hashes, seal.
  if (split.torn) {
    if (Status cut = fs_.TruncateFile(paths_.records, split.complete_bytes); !cut) return cut;
  }
  if (rewrite) {
    if (Status s = fs_.WriteFileAtomic(paths_.hashes, hashes_.Bytes(0), kFileMode); !s) return s;
  }
  if (note->empty() || sealed.size < size_) return Seal();
  return OkStatus();
}

Status JournalWriter::RecoverTail(const std::vector<Hash>& tail, int64_t sealed, const SplitRecords& split) {
  if (tail.empty()) return OkStatus();
  Result<std::string> note = ReadOptional(fs_, paths_.intent);
  if (!note) return std::move(note).error();
  int64_t ours = 0;
  if (!note->empty()) {
    NoteVerifier self{options_.signer.name, options_.signer.key_id, options_.signer.key.public_key()};
    Result<Intent> intent = OpenIntent(*note, {self});
    if (intent) ours = IntendedPrefix(*intent, options_.origin, sealed, tail);
  }
  if (ours < static_cast<int64_t>(tail.size())) {
    return MakeError(ErrorCode::kFailed,
                     "journal holds " + std::to_string(tail.size() - static_cast<size_t>(ours)) +
                         " record(s) after its checkpoint that this writer did not write (from seq " +
                         std::to_string(sealed + ours) + ", byte " +
                         std::to_string(split.lines[static_cast<size_t>(sealed + ours)].offset) +
                         " of records.jsonl); nothing will be written until an operator looks: run "
                         "`daybook journal verify --crashed`, which names them, then remove them");
  }
  return OkStatus();
}

void JournalWriter::NotePins(std::string_view line) {
  // Pins are rare: parse only the lines that can be one. Only an operator-
  // signed (v2) pin counts: a v1 pin vouches for nothing (verify ignores it
  // for v2 results), so a host pinned by v1 alone is pinned again, signed.
  if (line.find("\"host.key_pinned\"") == std::string_view::npos) return;
  Result<Json> record = ParseCanonical(line);
  if (!record || IsTombstone(*record) || IntField(*record, "v") != kRecordVersion) return;
  std::optional<std::string> host = StringField(*record, "host"), key = StringField(*record, "key");
  if (StringField(*record, "type") == kHostKeyPinned && host && key) pinned_[*host] = *key;
}

void JournalWriter::NoteAccess(std::string_view line) {
  if (line.find("\"host.access\"") == std::string_view::npos) return;
  Result<Json> record = ParseCanonical(line);
  if (record) access_.Note(*record);
}

void JournalWriter::NoteTime(std::string_view line) {
  // The ts of a record this writer reads or writes is near the line's
  // start; a full parse is cheap next to the fsync that follows.
  Result<Json> record = ParseCanonical(line);
  std::optional<std::string> text = record ? StringField(*record, "ts") : std::nullopt;
  std::optional<TimePoint> ts = text ? ParseTimestamp(*text) : std::nullopt;
  if (ts && (!last_ts_ || *ts > *last_ts_)) last_ts_ = ts;
}

std::optional<std::string> JournalWriter::PinnedKey(const std::string& host) const {
  auto it = pinned_.find(host);
  if (it == pinned_.end()) return std::nullopt;
  return it->second;
}

Status JournalWriter::WriteIntent(const std::vector<std::string>& lines) {
  Intent intent{options_.origin, size_, {}};
  for (const std::string& line : lines) intent.leaves.push_back(LeafHash(line));
  std::string note = SignIntent(intent, options_.signer);
  // Appended (one fdatasync; the last note is the one that counts), and
  // compacted to that note now and then. A torn or lost intent can only
  // precede records that were not written yet.
  Result<std::string> log = ReadOptional(fs_, paths_.intent);
  if (log && log->size() + note.size() <= kIntentLogBytes) return fs_.AppendFile(paths_.intent, note, kFileMode);
  return fs_.WriteFileAtomic(paths_.intent, note, kFileMode);
}

Status JournalWriter::Seal() {
  Result<Hash> root = TreeHash(size_, hashes_);
  if (!root) return std::move(root).error();
  std::string note = SignNote(FormatCheckpoint({options_.origin, size_, *root}), options_.signer);
  if (Status s = fs_.WriteFileAtomic(paths_.checkpoint, note, kFileMode); !s) return s;
  checkpoint_ = std::move(note);
  return OkStatus();
}

Status JournalWriter::AddRecordLines(const std::vector<std::string>& lines) {
  size_t hashes_before = hashes_.all().size();
  std::string text;
  for (size_t k = 0; k < lines.size(); ++k) {
    if (Status s = hashes_.AppendRecord(size_ + static_cast<int64_t>(k), LeafHash(lines[k])); !s) {
      hashes_.Truncate(hashes_before);
      return s;
    }
    text += lines[k] + "\n";
  }
  std::string hash_bytes = hashes_.Bytes(hashes_before);
  // What is about to be appended, durable and signed first: after a crash,
  // only these bytes may be sealed (see Recover).
  if (Status s = WriteIntent(lines); !s) {
    hashes_.Truncate(hashes_before);
    return s;
  }
  if (Status s = fs_.AppendFile(paths_.records, text, kFileMode); !s) {
    (void)fs_.TruncateFile(paths_.records, records_bytes_);  // best effort; Open cuts a torn line anyway
    hashes_.Truncate(hashes_before);
    return s;
  }
  if (Status s = fs_.AppendFile(paths_.hashes, hash_bytes, kFileMode); !s) {
    (void)fs_.TruncateFile(paths_.hashes, hashes_before * 32);
    (void)fs_.TruncateFile(paths_.records, records_bytes_);
    hashes_.Truncate(hashes_before);
    return s;
  }
  records_bytes_ += text.size();
  size_ += static_cast<int64_t>(lines.size());
  for (const std::string& line : lines) {
    NotePins(line);
    NoteAccess(line);
  }
  if (!lines.empty()) NoteTime(lines.back());
  return OkStatus();
}

Result<std::string> JournalWriter::PrepareRecord(std::string_view type, Json fields, int64_t offset, OperatorSigner* signer) {
  if (!fields.is_object()) return MakeError(ErrorCode::kInvalidInput, "record fields must be an object");
  Json record = std::move(fields);
  record["v"] = kRecordVersion;
  record["seq"] = size_ + offset;
  record["type"] = std::string(type);
  // A clock stepped back must not make every later verify fail on time
  // order: the record keeps the last record's time instead.
  TimePoint ts = clock_.Now();
  if (last_ts_ && ts < *last_ts_) ts = *last_ts_;
  record["ts"] = FormatTimestamp(ts);
  record["nonce"] = Nonce();
  record.erase("op_sig");
  record.erase("origin");
  // Records that must be signed, and any other an operator signs (an
  // intervention.end: the operator whose command closed it).
  if (IsOperatorSigned(type) || signer != nullptr) {
    // The journal's origin under the signature: an operator's record from
    // another fleet (same people, other journal) cannot be replayed here.
    record["origin"] = options_.origin;
    if (signer == nullptr) {
      return MakeError(ErrorCode::kInvalidInput, "a " + std::string(type) + " record must be signed by its operator");
    }
    TimePoint now = clock_.Now();
    std::optional<std::string> principal =
        crypto::FindAllowedPrincipal(options_.allowed_signers, signer->public_key(), std::string(kOperatorNamespace), now);
    if (!principal) {
      return MakeError(ErrorCode::kFailed, "operator key " + crypto::SshFingerprint(signer->public_key()) +
                                               " is not in allowed_signers: it cannot act on this fleet");
    }
    record["operator"] = crypto::SshFingerprint(signer->public_key());
    // Who, as allowed_signers names them when the signature is made: under
    // the signature, so auditors read a person, not a hash (issue 15).
    record["principal"] = *principal;
    Result<std::string> sig = signer->Sign(Canonical(record));
    if (!sig) return std::move(sig).error().WithContext("operator signature");
    record["op_sig"] = *sig;
  }
  if (Status schema = CheckRecordSchema(record); !schema) {
    return MakeError(ErrorCode::kInvalidInput, "refusing a malformed record: " + schema.error().message);
  }
  // What goes in must read back: a float (or anything else ParseCanonical
  // refuses) would make the journal unverifiable from this record on.
  std::string line = Canonical(record);
  if (Result<Json> reread = ParseCanonical(line); !reread) {
    return MakeError(ErrorCode::kInvalidInput, "refusing a record that would not read back: " + reread.error().message);
  }
  return line;
}

Result<Appended> JournalWriter::Append(std::string_view type, Json fields, OperatorSigner* signer) {
  Result<std::string> line = PrepareRecord(type, std::move(fields), 0, signer);
  if (!line) return line.error();
  if (Status s = AddRecordLines({*line}); !s) return std::move(s).error().WithContext("journal append");
  if (Status s = Seal(); !s) return std::move(s).error().WithContext("journal record written but not sealed");
  if (type == kInterventionBegin) NoteHolder(*line);
  return Appended{size_ - 1, LeafHash(*line), *line, checkpoint_};
}

// Who now holds the journal, for another daybook that finds it locked:
// the intervention just begun, its operator and start time.
void JournalWriter::NoteHolder(const std::string& begin_line) {
  Result<Json> record = ParseCanonical(begin_line);
  if (!record) return;
  std::string who = StringField(*record, "principal").value_or(StringField(*record, "operator").value_or("?"));
  (void)lock_->SetHolder("intervention " + StringField(*record, "intervention").value_or("?") + " by " + who + ", begun " +
                         StringField(*record, "ts").value_or("?") + " (daybook pid " + std::to_string(::getpid()) + ")");
}

Result<std::vector<Appended>> JournalWriter::AppendAll(std::vector<Pending> records) {
  std::vector<std::string> lines;
  for (size_t k = 0; k < records.size(); ++k) {
    Result<std::string> line = PrepareRecord(records[k].type, std::move(records[k].fields), static_cast<int64_t>(k), nullptr);
    if (!line) return line.error();
    lines.push_back(std::move(*line));
  }
  if (lines.empty()) return std::vector<Appended>{};
  if (Status s = AddRecordLines(lines); !s) return std::move(s).error().WithContext("journal append");
  if (Status s = Seal(); !s) return std::move(s).error().WithContext("journal records written but not sealed");
  std::vector<Appended> appended;
  int64_t first = size_ - static_cast<int64_t>(lines.size());
  for (size_t k = 0; k < lines.size(); ++k) {
    appended.push_back({first + static_cast<int64_t>(k), LeafHash(lines[k]), lines[k], checkpoint_});
  }
  return appended;
}

Result<Appended> JournalWriter::Prune(TimePoint cutoff, int window_days, OperatorSigner* signer) {
  TimePoint limit = clock_.Now() - std::chrono::days(window_days);
  if (cutoff > limit) {
    return MakeError(ErrorCode::kInvalidInput, "cutoff " + FormatTimestamp(cutoff) + " is inside the retention window (" +
                                                   std::to_string(window_days) + " days): nothing before " +
                                                   FormatTimestamp(limit) + " may be pruned");
  }
  // Which prefix expired: records are in time order, so it is a prefix.
  Result<std::string> records = fs_.ReadFile(paths_.records);
  if (!records) return std::move(records).error();
  SplitRecords split = SplitRecordLines(*records);
  int64_t upto = -1;
  std::vector<bool> expired(split.lines.size(), false);
  std::vector<int64_t> expired_seqs;
  for (size_t i = 0; i < split.lines.size(); ++i) {
    const LineRef& ref = split.lines[i];
    Result<Json> record = ParseCanonical(ref.text);
    if (!record) return Damaged("record at byte " + std::to_string(ref.offset) + ": " + record.error().message);
    std::optional<std::string> ts_text = StringField(*record, "ts");
    std::optional<TimePoint> ts = ts_text ? ParseTimestamp(*ts_text) : std::nullopt;
    if (!ts || *ts >= cutoff) break;
    upto = static_cast<int64_t>(i);
    // Only intervention payloads: pins stay (later agent signatures are
    // checked against them), and so do prunes and key rotations.
    expired[i] = !IsTombstone(*record) && IsPrunableType(StringField(*record, "type").value_or(""));
    if (expired[i]) expired_seqs.push_back(static_cast<int64_t>(i));
  }
  // The prune is journaled first: a crash before the payloads are replaced
  // leaves a journal that is merely not pruned yet.
  Result<Appended> appended = Append(kRetentionPrune, {{"cutoff", FormatTimestamp(cutoff)}, {"upto_seq", upto},
                                                       {"window_days", window_days},
                                                       {"pruned_seqs", FormatSeqRanges(expired_seqs)}}, signer);
  if (!appended) return appended;
  std::string rewritten;
  for (size_t i = 0; i < split.lines.size(); ++i) {
    const LineRef& ref = split.lines[i];
    Result<Json> record = ParseCanonical(ref.text);
    if (record && expired[i]) {
      Hash leaf = LeafHash(ref.text);
      rewritten += Canonical(MakeTombstone(*record, crypto::HexEncode(leaf.data(), leaf.size()))) + "\n";
    } else {
      rewritten += std::string(ref.text) + "\n";
    }
  }
  rewritten += appended->line + "\n";
  if (Status s = fs_.WriteFileAtomic(paths_.records, rewritten, kFileMode); !s) return std::move(s).error();
  records_bytes_ = rewritten.size();
  return appended;
}

}  // namespace daybook::journal
