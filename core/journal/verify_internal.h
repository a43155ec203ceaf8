// Shared by verify.cc (the passes over records, hashes, checkpoint, state,
// retention and tail) and verify_signatures.cc (operator and agent
// signatures). Not part of the module's interface.
#pragma once

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "core/journal/lines.h"
#include "core/journal/verify.h"

namespace daybook::journal::internal {

struct Failure {
  VerifyCode code;
  int64_t seq;
  int64_t offset;
  std::string message;
};

struct PruneRecord {
  int64_t seq;
  TimePoint ts;
  TimePoint cutoff;
  int64_t upto_seq;
  int version;
  std::set<int64_t> pruned;  // the seqs whose payloads it removes, as signed
};

// What the cheap first pass learns about the records.
struct Scan {
  MemoryHashes hashes;
  std::vector<PruneRecord> prunes;
  std::map<int64_t, TimePoint> tombstones;
  std::vector<size_t> signed_records;         // begin, pin, prune and agent-signed result records
  std::vector<std::string> types;             // per seq (tombstones keep theirs)
  std::map<int64_t, std::string> begin_ids;   // begin seq -> intervention id (not for tombstones)
  // begin seq -> the answer type that may prove its hosts' "ok": apply.result
  // (a push), deploy.result (a rollback), facts (a bootstrap)
  std::map<int64_t, std::string> begin_answers;
  std::vector<std::pair<int64_t, std::string>> rotations;  // journal.key_rotation: seq, vkey
  std::map<std::string, int64_t> end_seqs;    // intervention id -> the seq of its (first) intervention.end
  std::vector<int64_t> access_tombstones;      // seqs of pruned host.access records, in order
  int64_t legacy = 0;                         // version 1 records
  std::map<std::string, int64_t> day_starts;  // UTC day -> first seq with a payload that day
  std::optional<TimePoint> last_ts;

  Hash Leaf(int64_t seq) const { return hashes.all()[static_cast<size_t>(StoredHashIndex(0, seq))]; }
};

// Pass 4, costly: operator SSHSIGs (allowed or not), host pins in order, and
// every agent signature against the pinned key with the fields it binds.
std::optional<Failure> CheckAllSignatures(const SplitRecords& split, const Scan& scan, const VerifyOptions& options,
                                          VerifyReport& report);

}  // namespace daybook::journal::internal
