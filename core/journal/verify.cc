#include "core/journal/verify.h"

#include <map>

#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"
#include "core/journal/canonical.h"
#include "core/journal/lines.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

struct Failure {
  VerifyCode code;
  int64_t seq;
  int64_t offset;
  std::string message;
};

struct PruneRecord {
  int64_t seq;
  TimePoint cutoff;
  int64_t upto_seq;
};

// Checks one record's signatures (operator SSHSIG, agent Ed25519).
std::optional<Failure> CheckSignatures(const Json& record, int64_t seq, int64_t offset, const VerifyOptions& options,
                                       VerifyReport& report) {
  const std::string& type = record["type"].get_ref<const std::string&>();
  if (type == kInterventionBegin) {
    Json unsigned_record = record;
    unsigned_record.erase("op_sig");
    Result<crypto::SshsigVerified> sig = crypto::SshsigVerify(record["op_sig"].get<std::string>(),
                                                              kOperatorNamespace, Canonical(unsigned_record));
    if (!sig) return Failure{VerifyCode::kBadOperatorSig, seq, offset, sig.error().message};
    if (sig->fingerprint != record["operator"]) {
      return Failure{VerifyCode::kBadOperatorSig, seq, offset, "signed by " + sig->fingerprint + ", not by the operator named"};
    }
    if (options.allowed_signers) {
      TimePoint at = *ParseTimestamp(record["ts"].get<std::string>());
      if (!crypto::FindAllowedPrincipal(*options.allowed_signers, sig->key, std::string(kOperatorNamespace), at)) {
        return Failure{VerifyCode::kBadOperatorSig, seq, offset, sig->fingerprint + " is not in allowed_signers"};
      }
    }
    ++report.operator_signatures;
  }
  if (type == kHostResult && record.contains("agent") && record["agent"].contains("sig")) {
    const Json& agent = record["agent"];
    bool shaped = agent.is_object() && agent.contains("key") && agent["key"].is_string() && agent["sig"].is_string() &&
                  agent.contains("response") && agent["response"].is_object();
    if (!shaped) return Failure{VerifyCode::kBadAgentSig, seq, offset, "agent signature needs key, sig, response"};
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(agent["key"].get<std::string>());
    std::optional<crypto::Bytes> sig = crypto::Base64Decode(agent["sig"].get<std::string>());
    if (!key || !sig || !crypto::Ed25519Verify(*key, Canonical(agent["response"]), *sig)) {
      return Failure{VerifyCode::kBadAgentSig, seq, offset, "the agent's signature does not verify"};
    }
    ++report.agent_signatures;
  }
  return std::nullopt;
}

// Pass 1, cheap: every line in order (canonical form, seq, schema, time
// order, leaf hashes). Fills `hashes`, the prune bookkeeping and the list of
// records whose signatures pass 4 checks.
std::optional<Failure> CheckRecords(const SplitRecords& split, MemoryHashes& hashes, std::vector<PruneRecord>& prunes,
                                    std::map<int64_t, TimePoint>& tombstones, std::vector<size_t>& signed_records) {
  std::optional<TimePoint> last_ts;
  for (size_t i = 0; i < split.lines.size(); ++i) {
    const LineRef& ref = split.lines[i];
    auto seq = static_cast<int64_t>(i);
    auto offset = static_cast<int64_t>(ref.offset);
    Result<Json> record = ParseCanonical(ref.text);
    if (!record) return Failure{VerifyCode::kBadCanonical, seq, offset, record.error().message};
    if (!record->contains("seq") || !(*record)["seq"].is_number_integer() || (*record)["seq"] != seq) {
      return Failure{VerifyCode::kSeqGap, seq, offset, "seq does not match the record's position"};
    }
    bool tombstone = IsTombstone(*record);
    if (!tombstone) {
      if (Status schema = CheckRecordSchema(*record); !schema) {
        return Failure{VerifyCode::kBadRecord, seq, offset, schema.error().message};
      }
    }
    std::optional<TimePoint> ts = record->contains("ts") && (*record)["ts"].is_string()
                                      ? ParseTimestamp((*record)["ts"].get<std::string>())
                                      : std::nullopt;
    if (!ts) return Failure{VerifyCode::kBadRecord, seq, offset, "missing or bad ts"};
    if (last_ts && *ts < *last_ts) return Failure{VerifyCode::kTimeOrder, seq, offset, "ts goes backwards"};
    last_ts = ts;
    Result<Hash> leaf = StoredLeafHash(ref.text);
    if (!leaf) return Failure{VerifyCode::kBadRecord, seq, offset, leaf.error().message};
    if (Status s = hashes.AppendRecord(seq, *leaf); !s) return Failure{VerifyCode::kBadRecord, seq, offset, s.error().message};
    if (tombstone) {
      tombstones[seq] = *ts;
      continue;
    }
    const std::string& type = (*record)["type"].get_ref<const std::string&>();
    if (type == kInterventionBegin || (type == kHostResult && record->contains("agent"))) signed_records.push_back(i);
    if (type == kRetentionPrune) {
      TimePoint cutoff = *ParseTimestamp((*record)["cutoff"].get<std::string>());
      if (cutoff > *ts - std::chrono::days((*record)["window_days"].get<int64_t>())) {
        return Failure{VerifyCode::kPrunedOutsidePolicy, seq, offset, "prune cutoff inside its retention window"};
      }
      prunes.push_back({seq, cutoff, (*record)["upto_seq"].get<int64_t>()});
    }
  }
  return std::nullopt;
}

// Every tombstone must be older than the cutoff of a later prune record that covers it.
std::optional<Failure> CheckTombstones(const std::map<int64_t, TimePoint>& tombstones,
                                       const std::vector<PruneRecord>& prunes, const SplitRecords& split) {
  for (const auto& [seq, ts] : tombstones) {
    bool covered = false;
    for (const PruneRecord& p : prunes) covered = covered || (p.seq > seq && seq <= p.upto_seq && ts < p.cutoff);
    if (!covered) {
      return Failure{VerifyCode::kPrunedOutsidePolicy, seq, static_cast<int64_t>(split.lines[static_cast<size_t>(seq)].offset),
                     "payload pruned without a covering retention_prune record"};
    }
  }
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

// Pass 4, costly: operator and agent signatures.
std::optional<Failure> CheckAllSignatures(const SplitRecords& split, const std::vector<size_t>& signed_records,
                                          const VerifyOptions& options, VerifyReport& report) {
  for (size_t i : signed_records) {
    const LineRef& ref = split.lines[i];
    Json record = *ParseCanonical(ref.text);  // parsed fine in pass 1
    if (auto f = CheckSignatures(record, static_cast<int64_t>(i), static_cast<int64_t>(ref.offset), options, report)) {
      return f;
    }
  }
  return std::nullopt;
}

void Fail(VerifyReport& report, const Failure& f) {
  report.code = f.code;
  report.seq = f.seq;
  report.offset = f.offset;
  report.message = f.message;
}

// Compares with the auditor's last verified checkpoint.
void CheckState(const VerifierState& state, const MemoryHashes& hashes, VerifyReport& report) {
  report.previous_checkpoint = state.checkpoint;
  if (state.size > report.sealed) {
    report.code = VerifyCode::kRollback;
    report.message = "the journal is sealed at " + std::to_string(report.sealed) + " records; it was verified at " +
                     std::to_string(state.size) + " before";
    return;
  }
  Result<Hash> then = TreeHash(state.size, hashes);
  if (!then || *then != state.root) {
    report.code = VerifyCode::kFork;
    report.message = "the first " + std::to_string(state.size) +
                     " records no longer hash to the root verified before: history was rewritten";
  }
  if (state.size > 0 && state.size <= report.sealed) {
    if (Result<Proof> proof = ConsistencyProof(state.size, report.sealed, hashes)) report.consistency = *proof;
  }
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
    case VerifyCode::kBadOperatorSig: return "BAD_OPERATOR_SIG";
    case VerifyCode::kBadAgentSig: return "BAD_AGENT_SIG";
    case VerifyCode::kPrunedOutsidePolicy: return "PRUNED_OUTSIDE_POLICY";
    case VerifyCode::kRollback: return "ROLLBACK";
    case VerifyCode::kFork: return "FORK";
  }
  return "UNKNOWN";
}

int VerifyReport::ExitCode() const {
  if (code == VerifyCode::kOk) return 0;
  if (code == VerifyCode::kFork || code == VerifyCode::kRollback) return 3;
  return 1;
}

std::string FormatState(const VerifierState& state) {
  return Canonical(Json{{"origin", state.origin}, {"size", state.size},
                        {"root", crypto::Base64Encode(state.root.data(), state.root.size())},
                        {"checkpoint", state.checkpoint}}) + "\n";
}

Result<VerifierState> ParseState(std::string_view text) {
  try {
    Json doc = Json::parse(text);
    VerifierState state{doc.at("origin").get<std::string>(), doc.at("size").get<int64_t>(), {},
                        doc.at("checkpoint").get<std::string>()};
    std::optional<crypto::Bytes> root = crypto::Base64Decode(doc.at("root").get<std::string>());
    if (!root || root->size() != 32 || state.size < 0) throw std::runtime_error("bad root or size");
    std::copy(root->begin(), root->end(), state.root.begin());
    return state;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInvalidInput, std::string("malformed state file: ") + e.what());
  }
}

VerifyReport VerifyJournal(const JournalFiles& files, const VerifyOptions& options) {
  VerifyReport report;
  SplitRecords split = SplitRecordLines(files.records);
  report.records = static_cast<int64_t>(split.lines.size());

  // Cheap integrity first (every tampered byte is caught here or at the
  // checkpoint), signatures last: same verdicts, much faster to refuse.
  // 1. Records: canonical, seq, schema, time order, leaf hashes.
  MemoryHashes hashes;
  std::vector<PruneRecord> prunes;
  std::map<int64_t, TimePoint> tombstones;
  std::vector<size_t> signed_records;
  if (auto f = CheckRecords(split, hashes, prunes, tombstones, signed_records)) return Fail(report, *f), report;
  report.tombstones = static_cast<int64_t>(tombstones.size());
  if (auto f = CheckTombstones(tombstones, prunes, split)) return Fail(report, *f), report;

  // 2. The stored hashes must agree with the records.
  size_t stored_count = 0;
  if (auto f = CheckStoredHashes(hashes, files.hashes, stored_count)) return Fail(report, *f), report;

  // 3. The checkpoint: signature, then the root at its size.
  if (files.checkpoint.empty()) {
    if (report.records > 0 || split.torn) {
      Fail(report, {VerifyCode::kUnsealedTail, 0, 0, std::to_string(report.records) + " records and no checkpoint"});
    }
    return report;  // an empty journal: nothing to sign
  }
  Result<std::string> text = OpenNote(files.checkpoint, options.vkeys);
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
  Result<Hash> root = TreeHash(checkpoint->size, hashes);
  if (!root || *root != checkpoint->root) {
    Fail(report, {VerifyCode::kRootMismatch, -1, -1,
                  "the first " + std::to_string(checkpoint->size) + " records do not hash to the checkpoint's root"});
    return report;
  }
  report.sealed = checkpoint->size;
  report.root = checkpoint->root;
  report.checkpoint = files.checkpoint;

  // 4. Against what this auditor verified before.
  if (options.state) {
    CheckState(*options.state, hashes, report);
    if (!report.ok()) return report;
  }

  // 5. Who signed what.
  if (auto f = CheckAllSignatures(split, signed_records, options, report)) return Fail(report, *f), report;

  // 6. Records after the checkpoint are unsealed (a crash, or a tail added without the key).
  if ((report.records > report.sealed || split.torn || !hashes_complete) && options.require_sealed) {
    int64_t seq = report.sealed;
    int64_t offset = seq < report.records ? static_cast<int64_t>(split.lines[static_cast<size_t>(seq)].offset)
                                          : static_cast<int64_t>(split.complete_bytes);
    Fail(report, {VerifyCode::kUnsealedTail, seq, offset,
                  std::to_string(report.records - report.sealed) + " record(s) after the last checkpoint"});
  }
  return report;
}

}  // namespace daybook::journal
