// The journal on disk and its single writer. A journal directory holds:
//   records.jsonl  one canonical JSON record per line: the leaves
//   hashes         the stored Merkle hashes (32 bytes each, merkle.h layout)
//   checkpoint     the latest signed checkpoint (note.h), replaced atomically
//   lock           flock'd by the one writer
//
// Append order (write-ahead, fail closed): record line + fdatasync, then its
// hashes + fdatasync, then a new signed checkpoint (temp, fsync, rename,
// directory fsync). A record is durable before Append returns; a failed
// append truncates what it wrote. Open repairs only what a crash can leave:
// a torn last line (no newline) not covered by the checkpoint is cut, missing
// hashes are recomputed from their records, an unsealed tail is sealed.
// Anything else (a damaged record under the checkpoint, a root mismatch)
// makes Open fail and points at `daybook journal verify`.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/crypto/allowed_signers.h"
#include "core/journal/canonical.h"
#include "core/journal/merkle.h"
#include "core/journal/note.h"

namespace daybook::journal {

struct JournalPaths {
  explicit JournalPaths(std::filesystem::path dir);
  std::filesystem::path dir, records, hashes, checkpoint, lock;
};

// Raw contents of a journal directory; missing files read as empty.
struct JournalFiles {
  std::string records;
  std::string hashes;
  std::string checkpoint;
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
  // and for intervention.begin the operator fingerprint and op_sig made by
  // `signer` (required then). Durable and sealed when it returns OK.
  Result<Appended> Append(std::string_view type, Json fields, OperatorSigner* signer = nullptr);

  // Group commit: appends every record (never intervention.begin, which
  // needs its signer) with one write and one sync per file and one
  // checkpoint, all or nothing. Records that arrive together (host results
  // of one batch) cost one round of fsyncs instead of one each.
  struct Pending {
    std::string type;
    Json fields;
  };
  Result<std::vector<Appended>> AppendAll(std::vector<Pending> records);

  // Replaces the payload of every record older than `cutoff` by a tombstone
  // (leaf hash kept) and appends a journal.retention_prune record. Refuses a
  // cutoff inside the retention window (now - window_days).
  Result<Appended> Prune(TimePoint cutoff, int window_days);

  int64_t size() const { return size_; }
  const MemoryHashes& hashes() const { return hashes_; }

 private:
  JournalWriter(Filesystem& fs, const Clock& clock, WriterOptions options, std::unique_ptr<Filesystem::Lock> lock);
  Status Recover();
  Status Seal();  // writes a checkpoint for the current size
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
};

}  // namespace daybook::journal
