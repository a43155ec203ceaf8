// Offline verification of a journal: everything is recomputed from the
// records (canonical form, seq, time order, leaf and stored hashes, root at
// the checkpoint, checkpoint signature, operator SSHSIGs, agent signatures
// against the keys the journal pins and every field they bind, retention
// tombstones) and compared with what an auditor saw before (the state file:
// checkpoint, key, origin, retention, which payloads were present), so a
// rewritten or rolled-back history, a changed key or a payload that went
// missing is caught. Read-only: the caller writes the new state, and only
// on success. The report says what was checked and what was not.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/crypto/allowed_signers.h"
#include "core/journal/merkle.h"
#include "core/journal/note.h"
#include "core/journal/store.h"

namespace daybook::journal {

enum class VerifyCode {
  kOk,
  kBadCanonical,          // a line is not canonical JSON
  kBadRecord,             // a record lacks or misuses a field
  kSeqGap,                // seq differs from the line's index
  kTimeOrder,             // ts goes backwards
  kLeafMismatch,          // the stored hashes differ from the records
  kRootMismatch,          // the records do not hash to the checkpoint's root
  kBadCheckpointSig,      // no trusted key verifies the checkpoint
  kBadCheckpoint,         // the checkpoint text is malformed
  kUnsealedTail,          // records not covered by any checkpoint
  kForeignRecords,        // records after the checkpoint the journal writer did not write
  kBadOperatorSig,        // an operator's SSHSIG fails (tampering)
  kSignerNotAllowed,      // a sound operator signature by a key allowed_signers does not list
  kBadAgentSig,           // a host result's agent signature fails or does not bind the record
  kPrunedOutsidePolicy,   // a tombstone no valid prune covers, a prune inside the retention, a payload gone
  kRollback,              // the journal is shorter than the auditor's state
  kFork,                  // the journal disagrees with the auditor's state
  kKeyChanged,            // the checkpoint key or origin differs from the auditor's state
};

std::string_view CodeName(VerifyCode code);  // "BAD_CANONICAL", ...

// What an auditor keeps between runs.
struct VerifierState {
  std::string origin;
  int64_t size = 0;
  Hash root{};
  std::string checkpoint;      // the signed note, kept as evidence
  std::string vkey;            // the key that verified it (name+id+key); empty in old state files
  int min_retention_days = 0;  // the auditor's minimum retention; 0 in old state files (then
                               // `pruned` is unknown, not empty)
  std::string pruned;          // seqs whose payload was already pruned: "0-41,57"
  // The first seq of each UTC day among the records this auditor saw with
  // their payload ("2026-11-01" -> 0): a lower bound on the time of every
  // seq they verified, so a prune cannot later pass a young record off as
  // old (a tombstone's own ts is covered by no hash). Empty in old files.
  std::map<std::string, int64_t> day_starts;
};
std::string FormatState(const VerifierState& state);
Result<VerifierState> ParseState(std::string_view text);

constexpr int kDefaultMinRetentionDays = 365;

struct VerifyOptions {
  std::vector<NoteVerifier> vkeys;                       // at least one
  std::optional<crypto::AllowedSigners> allowed_signers;  // when set, operators must be listed
  // Records after the checkpoint fail verification unless `crashed`: then
  // the ones the writer's signed intent names are reported (the next write
  // seals them) and only foreign ones fail.
  bool crashed = false;
  bool require_sealed = false;  // kept for old callers: sealing is always required now
  int min_retention_days = kDefaultMinRetentionDays;  // no prune may cut younger records
  std::optional<VerifierState> state;
  // This verification's time: a record dated more than a day after it is
  // refused (a prune dated in the future could otherwise cut young records).
  std::optional<TimePoint> now;
};

struct VerifyReport {
  VerifyCode code = VerifyCode::kOk;
  int64_t seq = -1;         // first bad record, when known
  int64_t offset = -1;      // its byte offset in records.jsonl
  std::string message;
  int64_t records = 0;      // complete lines
  int64_t sealed = 0;       // records covered by the checkpoint
  Hash root{};              // root at `sealed`
  std::string checkpoint;   // the verified note
  std::string origin;       // its origin line
  std::string vkey;         // the key that verified it
  int64_t operator_signatures = 0;
  int64_t agent_signatures = 0;
  int64_t tombstones = 0;
  int64_t access_gaps = 0;         // host.access records that flag a gap in a host's access log
  std::string pruned;              // tombstoned seqs, for the next state
  std::map<std::string, int64_t> day_starts;  // for the next state (VerifierState::day_starts)
  int64_t newly_pruned = 0;        // payloads present at the state, pruned since (validly)
  bool operators_checked = false;  // operator keys were checked against allowed_signers
  int64_t legacy_records = 0;      // version 1 records: older guarantees
  int64_t crash_tail = 0;          // records after the checkpoint the writer's intent names
  std::vector<std::string> warnings;
  std::string previous_checkpoint;  // fork/rollback/key evidence: the state's note
  Proof consistency;                // from the state's size to `sealed`, when computable

  bool ok() const { return code == VerifyCode::kOk; }
  // 0 verified, 1 tampered or not allowed, 3 fork, rollback or key change.
  int ExitCode() const;
};

VerifyReport VerifyJournal(const JournalFiles& files, const VerifyOptions& options);

// "0-41,57" from sorted seqs, and back: nullopt when malformed, unsorted,
// or naming a seq >= `below` (a range is expanded, so it must be bounded
// by what it can refer to: "0-999999999999" would be a memory bomb).
std::string FormatSeqRanges(const std::vector<int64_t>& seqs);
std::optional<std::vector<int64_t>> ParseSeqRanges(std::string_view text, int64_t below);

}  // namespace daybook::journal
