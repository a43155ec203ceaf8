// Operator and agent signatures, in seq order: a host.key_pinned record
// pins a key for the results that follow it, and a version 2 result must be
// signed by that key and bind its host, intervention, begin record, status
// and changes (agent_binding.h). Version 1 records keep their old check
// (the agent key carried in the record), and are counted as such.
#include <map>
#include <set>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"
#include "core/journal/access_record.h"
#include "core/journal/agent_binding.h"
#include "core/journal/canonical.h"
#include "core/journal/observation.h"
#include "core/journal/record.h"
#include "core/journal/verify_internal.h"

namespace daybook::journal::internal {
namespace {


class SignatureCheck {
 public:
  SignatureCheck(const Scan& scan, const VerifyOptions& options, VerifyReport& report)
      : scan_(scan), options_(options), report_(report) {}

  std::optional<Failure> Check(const Json& record, int64_t seq, int64_t offset) {
    seq_ = seq;
    offset_ = offset;
    const std::string type = StringField(record, "type").value_or("");
    const bool v2 = IntField(record, "v") == kRecordVersion;
    if (type == kInterventionBegin || (v2 && IsOperatorSigned(type)) || record.contains("op_sig")) {
      if (auto f = CheckOperator(record)) return f;
    }
    if (type == kHostKeyPinned) return Pin(record);
    if (type == kHostResult && record.contains("agent")) return v2 ? CheckBoundAgent(record) : CheckLegacyAgent(record);
    if (type == kHostObserved) return CheckObserved(record);
    if (type == kHostAccess) return CheckAccess(record);
    return std::nullopt;
  }

  // The first sound signature by a key allowed_signers does not list.
  const std::optional<Failure>& not_allowed() const { return not_allowed_; }

 private:
  Failure Fail(VerifyCode code, std::string message) const { return {code, seq_, offset_, std::move(message)}; }

  // The key the journal pins for `host` (null: none yet), and the failure
  // of a `what` signed before any pin.
  const crypto::Ed25519Public* Pinned(const std::string& host) const {
    auto pin = pins_.find(host);
    return pin == pins_.end() ? nullptr : &pin->second;
  }
  Failure NoPin(const std::string& host, const std::string& what) const {
    return Fail(VerifyCode::kBadAgentSig, "no operator-signed host.key_pinned record for host " + host + " precedes this " + what +
                                              ": its signing key is not the journal's");
  }

  std::optional<Failure> CheckOperator(const Json& record) {
    std::optional<std::string> op_sig = StringField(record, "op_sig"), ts = StringField(record, "ts");
    if (!op_sig || !ts) return Fail(VerifyCode::kBadOperatorSig, "missing op_sig");
    Json unsigned_record = record;
    unsigned_record.erase("op_sig");
    Result<crypto::SshsigVerified> sig = crypto::SshsigVerify(*op_sig, kOperatorNamespace, Canonical(unsigned_record));
    if (!sig) return Fail(VerifyCode::kBadOperatorSig, sig.error().message);
    if (StringField(record, "operator") != sig->fingerprint) {
      return Fail(VerifyCode::kBadOperatorSig, "signed by " + sig->fingerprint + ", not by the operator named");
    }
    if (IntField(record, "v") == kRecordVersion && StringField(record, "origin") != report_.origin) {
      return Fail(VerifyCode::kBadOperatorSig, "signed for the journal " + Quoted(StringField(record, "origin").value_or("")) +
                                                   ", not this one (" + Quoted(report_.origin) + "): replayed from another fleet");
    }
    ++report_.operator_signatures;
    if (!options_.allowed_signers || not_allowed_) return std::nullopt;
    TimePoint at = *ParseTimestamp(*ts);  // checked in pass 1
    std::optional<std::string> allowed =
        crypto::FindAllowedPrincipal(*options_.allowed_signers, sig->key, std::string(kOperatorNamespace), at);
    if (!allowed) {
      // Not tampering: a sound signature by someone not allowed. Reported
      // after every other check, unless one finds tampering.
      not_allowed_ = Fail(VerifyCode::kSignerNotAllowed,
                          sig->fingerprint + " signed this record but is not in allowed_signers (at " + *ts + ")");
    } else if (std::optional<std::string> named = StringField(record, "principal"); named && *named != *allowed) {
      // The name the record gives its signer is the one allowed_signers gave
      // that key when it signed; the auditor's file names the key otherwise.
      not_allowed_ = Fail(VerifyCode::kSignerNotAllowed, sig->fingerprint + " signed as principal " + *named +
                                                             ", but allowed_signers names that key " + *allowed);
    }
    return std::nullopt;
  }

  std::optional<Failure> Pin(const Json& record) {
    std::optional<std::string> host = StringField(record, "host"), key_text = StringField(record, "key");
    Result<crypto::Ed25519Public> key = key_text ? crypto::ParseSshPublicKey(*key_text)
                                                 : Result<crypto::Ed25519Public>(MakeError(ErrorCode::kFailed, "no key"));
    if (!host || !key) return Fail(VerifyCode::kBadRecord, "host.key_pinned: unreadable host or key");
    if (StringField(record, "fingerprint") != crypto::SshFingerprint(*key)) {
      return Fail(VerifyCode::kBadRecord, "host.key_pinned: the fingerprint is not the key's");
    }
    // Only an operator-signed (v2) pin vouches for a v2 result: a v1 pin
    // carries no signature, so whoever writes the file could have made it.
    if (IntField(record, "v") == kRecordVersion) pins_[*host] = *key;
    return std::nullopt;
  }

  // The agent's Ed25519 signature over the canonical response, by `key`.
  std::optional<Failure> CheckSignature(const Json& agent, const crypto::Ed25519Public& key) {
    std::optional<crypto::Bytes> sig = crypto::Base64Decode(StringField(agent, "sig").value_or("!"));
    if (!sig || !crypto::Ed25519Verify(key, Canonical(MemberOr(agent, "response")), *sig)) {
      return Fail(VerifyCode::kBadAgentSig, "the agent's signature does not verify");
    }
    ++report_.agent_signatures;
    return std::nullopt;
  }

  std::optional<Failure> CheckLegacyAgent(const Json& record) {
    const Json& agent = MemberOr(record, "agent");
    if (!MemberOr(agent, "sig").is_string()) return std::nullopt;  // v1 results could carry no signature
    std::optional<std::string> key_text = StringField(agent, "key");
    Result<crypto::Ed25519Public> key = key_text ? crypto::ParseSshPublicKey(*key_text)
                                                 : Result<crypto::Ed25519Public>(MakeError(ErrorCode::kFailed, "no key"));
    if (!key || !MemberOr(agent, "response").is_object()) {
      return Fail(VerifyCode::kBadAgentSig, "agent signature needs key, sig, response");
    }
    return CheckSignature(agent, *key);
  }

  std::optional<Failure> CheckBoundAgent(const Json& record) {
    const Json& agent = MemberOr(record, "agent");
    std::optional<std::string> host = StringField(record, "host"), key_text = StringField(agent, "key");
    if (!MemberOr(agent, "response").is_object() || !key_text) {
      return Fail(VerifyCode::kBadAgentSig, "agent signature needs key, sig, response");
    }
    const crypto::Ed25519Public* pinned = Pinned(host.value_or(""));
    if (pinned == nullptr) return NoPin(host.value_or(""), "result");
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(*key_text);
    if (!key || *key != *pinned) {
      return Fail(VerifyCode::kBadAgentSig, "signed by " + (key ? crypto::SshFingerprint(*key) : std::string("?")) +
                                                ", but the journal pins " + crypto::SshFingerprint(*pinned) +
                                                " for host " + host.value_or(""));
    }
    if (auto f = CheckSignature(agent, *pinned)) return f;
    int64_t begin_seq = IntField(record, "begin_seq").value_or(-1);  // schema-checked in pass 1
    if (begin_seq < 0 || begin_seq >= seq_ || scan_.types[static_cast<size_t>(begin_seq)] != kInterventionBegin) {
      return Fail(VerifyCode::kBadAgentSig, "begin_seq " + std::to_string(begin_seq) +
                                                " is not an intervention.begin before this result");
    }
    auto id = scan_.begin_ids.find(begin_seq);  // absent when the begin was pruned: its hash still binds
    if (id != scan_.begin_ids.end() && StringField(record, "intervention") != id->second) {
      return Fail(VerifyCode::kBadAgentSig, "begin_seq " + std::to_string(begin_seq) + " opened another intervention");
    }
    // Each kind of intervention has its own proof: facts prove a
    // bootstrap, never a push or a rollback.
    auto kind = scan_.begin_answers.find(begin_seq);
    std::optional<std::string> answer_type = StringField(MemberOr(agent, "response"), "type");
    if (kind != scan_.begin_answers.end() && answer_type != kind->second) {
      return Fail(VerifyCode::kBadAgentSig, "the agent's answer is a " + answer_type.value_or("?") + ", not the " +
                                                kind->second + " its intervention's kind needs");
    }
    Hash begin = scan_.Leaf(begin_seq);
    Status bound = CheckBoundAnswer(record, MemberOr(agent, "response"), crypto::HexEncode(begin.data(), begin.size()));
    if (!bound) return Fail(VerifyCode::kBadAgentSig, bound.error().message);
    // The agent's answer is signed once per host and intervention, and its
    // time is the record's: a copy journaled again, or after the
    // intervention ended, would count twice or move in time.
    const std::string intervention = StringField(record, "intervention").value_or("");
    if (!bound_results_.insert({intervention, host.value_or("")}).second) {
      return Fail(VerifyCode::kBadAgentSig, "a second agent-signed result for host " + host.value_or("") + " in intervention " +
                                                intervention + ": an answer journaled twice");
    }
    if (auto end = scan_.end_seqs.find(intervention); end != scan_.end_seqs.end() && end->second < seq_) {
      return Fail(VerifyCode::kBadAgentSig, "an agent-signed result after its intervention's end (seq " +
                                                std::to_string(end->second) + ")");
    }
    return std::nullopt;
  }

  // An observation: the agent's answers, signed by the key the journal
  // pins for the host, each given to this question alone (observation.h).
  std::optional<Failure> CheckObserved(const Json& record) {
    const std::string host = StringField(record, "host").value_or("");
    const crypto::Ed25519Public* pinned = Pinned(host);
    if (pinned == nullptr) return NoPin(host, "observation");
    if (Status s = CheckObservationAnswers(record, *pinned, report_.origin); !s) {
      return Fail(VerifyCode::kBadAgentSig, s.error().message);
    }
    if (!observed_.insert(StringField(record, "observe").value_or("")).second) {
      return Fail(VerifyCode::kBadAgentSig, "host.observed: the same answers were journaled twice (observe repeats)");
    }
    report_.agent_signatures += static_cast<int64_t>(MemberOr(MemberOr(record, "agent"), "answers").size());
    return std::nullopt;
  }

  // Lines of an agent's access log, signed by the key the journal pins for
  // the host, their gap said as the records before say it (access_record.h).
  std::optional<Failure> CheckAccess(const Json& record) {
    const std::string host = StringField(record, "host").value_or("");
    const crypto::Ed25519Public* pinned = Pinned(host);
    if (pinned == nullptr) return NoPin(host, "access record");
    if (Status s = CheckAccessAnswer(record, *pinned, report_.origin); !s) return Fail(VerifyCode::kBadAgentSig, s.error().message);
    if (!observed_.insert(StringField(record, "observe").value_or("")).second) {
      return Fail(VerifyCode::kBadAgentSig, "host.access: the same answer was journaled twice (observe repeats)");
    }
    while (next_access_tombstone_ < scan_.access_tombstones.size() && scan_.access_tombstones[next_access_tombstone_] < seq_) {
      access_.NotePruned();
      ++next_access_tombstone_;
    }
    AccessCursor before = access_.For(host);
    const Json& response = MemberOr(MemberOr(record, "agent"), "response");
    const std::string stated = StringField(record, "gap").value_or("");
    // After retention, the first record left is checked on its own: its
    // gap was said against records no longer here.
    if (before.known) {
      std::string gap = AccessGap(before, *IntField(record, "after"), response);
      if (gap != stated) {
        return Fail(VerifyCode::kBadRecord, "host.access: the record says " + (stated.empty() ? "no gap" : "gap \"" + stated + "\"") +
                                                 " but its lines say " + (gap.empty() ? "none" : "\"" + gap + "\""));
      }
    }
    if (!stated.empty()) ++report_.access_gaps;
    access_.Note(record);
    ++report_.agent_signatures;
    return std::nullopt;
  }

  const Scan& scan_;
  const VerifyOptions& options_;
  VerifyReport& report_;
  std::map<std::string, crypto::Ed25519Public> pins_;
  std::set<std::string> observed_;  // every observation's and access record's `observe`
  AccessCursors access_;
  size_t next_access_tombstone_ = 0;
  std::set<std::pair<std::string, std::string>> bound_results_;  // (intervention, host) of v2 agent-signed results
  std::optional<Failure> not_allowed_;
  int64_t seq_ = 0, offset_ = 0;
};

}  // namespace

std::optional<Failure> CheckAllSignatures(const SplitRecords& split, const Scan& scan, const VerifyOptions& options,
                                          VerifyReport& report) {
  SignatureCheck check(scan, options, report);
  for (size_t i : scan.signed_records) {
    const LineRef& ref = split.lines[i];
    Json record = *ParseCanonical(ref.text);  // parsed fine in pass 1
    if (auto f = check.Check(record, static_cast<int64_t>(i), static_cast<int64_t>(ref.offset))) return f;
  }
  return check.not_allowed();
}

}  // namespace daybook::journal::internal
