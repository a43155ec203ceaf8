// The journal on disk and its single writer. A journal directory holds:
//   records.jsonl  one canonical JSON record per line: the leaves
//   hashes         the stored Merkle hashes (32 bytes each, merkle.h layout)
//   checkpoint     the latest signed checkpoint (note.h), replaced atomically
//   intent         what the writer is about to append, signed (intent.h)
//   lock           flock'd by the one writer
//
// Append order (write-ahead, fail closed): the signed intent (the pending
// lines' leaf hashes) + fsync, then record lines + fdatasync, then their
// hashes + fdatasync, then a new signed checkpoint (temp, fsync, rename,
// directory fsync). A record is durable before Append returns; a failed
// append truncates what it wrote. Open repairs only what a crash can leave:
// a torn last line (no newline) not covered by the checkpoint is cut, missing
// hashes are recomputed from their records, and records after the checkpoint
// are sealed only if the intent names them, byte for byte (their leaf
// hashes). The writer seals nothing it did not write: a record someone added
// by hand makes Open fail until an operator looks (`daybook journal verify`
// names it). So does any other damage (a damaged record under the
// checkpoint, a root mismatch).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/crypto/allowed_signers.h"
#include "core/journal/access_record.h"
#include "core/journal/canonical.h"
#include "core/journal/lines.h"
#include "core/journal/merkle.h"
#include "core/journal/note.h"

namespace daybook::journal {

struct JournalPaths {
  explicit JournalPaths(std::filesystem::path dir);
  std::filesystem::path dir, records, hashes, checkpoint, intent, lock;
};

// Raw contents of a journal directory; missing files read as empty.
struct JournalFiles {
  std::string records;
  std::string hashes;
  std::string checkpoint;
  std::string intent;  // the writer's last signed intent (intent.h)
};
Result<JournalFiles> ReadJournalFiles(Filesystem& fs, const std::filesystem::path& dir);

// Signs an operator's records (SSHSIG, namespace kOperatorNamespace).
class OperatorSigner {
 public:
  virtual ~OperatorSigner() = default;
  virtual const crypto::Ed25519Public& public_key() const = 0;
  virtual Result<std::string> Sign(std::string_view message) = 0;
};

struct Appended {
  int64_t seq = 0;
  Hash leaf_hash{};
  std::string line;        // the canonical record, without newline
  std::string checkpoint;  // the signed checkpoint note after this append
};

struct WriterOptions {
  std::filesystem::path dir;
  NoteSigner signer;        // the journal key
  std::string origin;       // checkpoint origin line
  // Who may open interventions; a begin record by anyone else is refused.
  crypto::AllowedSigners allowed_signers;
};

class JournalWriter {
 public:
  // Takes the lock, recovers from a crash as described above.
  static Result<std::unique_ptr<JournalWriter>> Open(Filesystem& fs, const Clock& clock, WriterOptions options);

  // Appends one record of `type` with `fields`; adds v, seq, ts and nonce,
  // and for the records an operator causes (intervention.begin,
  // host.key_pinned, journal.retention_prune: required; any other record
  // when `signer` is given, like an intervention.end) the operator
  // fingerprint, their principal in allowed_signers and op_sig made by
  // `signer` (the key must be in allowed_signers). Durable and sealed when
  // it returns OK.
  Result<Appended> Append(std::string_view type, Json fields, OperatorSigner* signer = nullptr);

  // Group commit: appends every record (never one an operator signs) with one write and one sync per file and one
  // checkpoint, all or nothing. Records that arrive together (host results
  // of one batch) cost one round of fsyncs instead of one each.
  struct Pending {
    std::string type;
    Json fields;
  };
  Result<std::vector<Appended>> AppendAll(std::vector<Pending> records);

  // Replaces the payload of every record older than `cutoff` by a tombstone
  // (leaf hash kept) and appends a journal.retention_prune record signed by
  // `signer`. Refuses a cutoff inside the retention window (now -
  // window_days). Host key pins are kept (agent signatures are checked
  // against them, and they hold nothing personal).
  Result<Appended> Prune(TimePoint cutoff, int window_days, OperatorSigner* signer);

  // The key (OpenSSH text) the journal pins for `host`, if any: the last
  // host.key_pinned record for it.
  std::optional<std::string> PinnedKey(const std::string& host) const;
  // What the journal holds of `host`'s access log (access_record.h).
  AccessCursor AccessState(const std::string& host) const { return access_.For(host); }

  int64_t size() const { return size_; }
  const MemoryHashes& hashes() const { return hashes_; }

 private:
  void NoteHolder(const std::string& begin_line);
  JournalWriter(Filesystem& fs, const Clock& clock, WriterOptions options, std::unique_ptr<Filesystem::Lock> lock);
  Status Recover();
  // Step 5 of Recover: seals records after the checkpoint the intent names.
  Status RecoverTail(const std::vector<Hash>& tail, int64_t sealed, const SplitRecords& split);
  void NotePins(std::string_view line);  // keeps pinned_ current
  void NoteAccess(std::string_view line);  // keeps access_ current
  void NoteTime(std::string_view line);  // keeps last_ts_ current
  Status Seal();  // writes a checkpoint for the current size
  Status WriteIntent(const std::vector<std::string>& lines);
  // v, seq (size_ + offset), ts, nonce and for a begin the operator's
  // signature; the canonical line, or why the record is refused.
  Result<std::string> PrepareRecord(std::string_view type, Json fields, int64_t offset, OperatorSigner* signer);
  // Writes `lines` (records size_...) with their hashes: all or nothing.
  Status AddRecordLines(const std::vector<std::string>& lines);

  Filesystem& fs_;
  const Clock& clock_;
  WriterOptions options_;
  JournalPaths paths_;
  std::unique_ptr<Filesystem::Lock> lock_;
  int64_t size_ = 0;
  uint64_t records_bytes_ = 0;
  MemoryHashes hashes_;
  std::string checkpoint_;
  std::map<std::string, std::string> pinned_;  // host -> key, from operator-signed (v2) host.key_pinned records
  AccessCursors access_;                       // from host.access records
  std::optional<TimePoint> last_ts_;           // of the last record: new ones never go back in time
};

}  // namespace daybook::journal
