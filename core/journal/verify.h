// Offline verification of a journal: everything is recomputed from the
// records (canonical form, seq, time order, leaf and stored hashes, root at
// the checkpoint, checkpoint signature, operator SSHSIGs, agent signatures,
// retention tombstones) and compared with what an auditor saw before (the
// state file), so a rewritten or rolled-back history is caught.
// Read-only: the caller writes the new state, and only on success.
#pragma once

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
  kBadOperatorSig,        // an intervention's SSHSIG fails or its key is not allowed
  kBadAgentSig,           // a host result's agent signature fails
  kPrunedOutsidePolicy,   // a tombstone no prune record covers, or a prune inside the window
  kRollback,              // the journal is shorter than the auditor's state
  kFork,                  // the journal disagrees with the auditor's state
};

std::string_view CodeName(VerifyCode code);  // "BAD_CANONICAL", ...

// What an auditor keeps between runs: the last checkpoint they verified.
struct VerifierState {
  std::string origin;
  int64_t size = 0;
  Hash root{};
  std::string checkpoint;  // the signed note, kept as evidence
};
std::string FormatState(const VerifierState& state);
Result<VerifierState> ParseState(std::string_view text);

struct VerifyOptions {
  std::vector<NoteVerifier> vkeys;                       // at least one
  std::optional<crypto::AllowedSigners> allowed_signers;  // when set, operators must be listed
  bool require_sealed = false;
  std::optional<VerifierState> state;
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
  int64_t operator_signatures = 0;
  int64_t agent_signatures = 0;
  int64_t tombstones = 0;
  std::string previous_checkpoint;  // fork/rollback evidence: the state's note
  Proof consistency;                // from the state's size to `sealed`, when computable

  bool ok() const { return code == VerifyCode::kOk; }
  // 0 verified, 1 tampered, 3 fork or rollback.
  int ExitCode() const;
};

VerifyReport VerifyJournal(const JournalFiles& files, const VerifyOptions& options);

}  // namespace daybook::journal
