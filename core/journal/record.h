// Journal records: one canonical JSON object per leaf. Version 2 (written
// since the journal was hardened, issue 14) binds agent answers to their
// host, intervention and begin record and has the operator sign every record
// they cause; version 1 records (older journals) still verify, with the
// older guarantees, and may not follow a version 2 record. Common fields:
// v, seq (= leaf index), type, ts (RFC 3339 UTC, milliseconds), nonce (128
// random bits, so a pruned payload cannot be guessed back from its hash).
// Per type:
//   intervention.begin      intervention, operator (SHA256 fingerprint), op_sig
//                           (SSHSIG over the record without op_sig), manifest
//                           {commit, path} (or, for `daybook rollback`,
//                           rollback {deploy, to}), targets [hosts]; ticket optional
//   host.result             intervention, host, status ok|failed|skipped|unreachable;
//                           v2: begin_seq, and agent {key, sig, response} (required
//                           when status is ok; agent_binding.h)
//   intervention.end        intervention, outcome completed|halted|interrupted|failed
//   host.key_pinned         host, address, port, key (an agent host key trusted on
//                           first contact with --accept-new-host-keys), fingerprint;
//                           v2: operator, op_sig
//   host.observed           host, source status|plan, observe, agent {key, answers}: what
//                           an agent answered `status` or `plan`, as it signed it (observation.h)
//   host.access             host, observe, after, gap (optional), agent {key, response, sig}:
//                           lines of an agent's access log, as it signed them (access_record.h)
//   journal.key_rotation    vkey (the new checkpoint verifier key)
// v2 operator-signed records (begin, pin, prune) also carry `origin`: the
// journal's checkpoint origin, under the operator's signature.
//   journal.retention_prune cutoff (ts), upto_seq, window_days, pruned_seqs (the
//                          seq ranges whose payloads it removes); v2: operator, op_sig
// Other fields are free (changes, errors, agent signatures...) and covered by the hash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/journal/canonical.h"

namespace daybook::journal {

constexpr int kRecordVersion = 2;        // what the writer writes
constexpr int kLegacyRecordVersion = 1;  // journals written before issue 14
constexpr std::string_view kOperatorNamespace = "daybook-journal@v1";

constexpr std::string_view kInterventionBegin = "intervention.begin";
constexpr std::string_view kHostResult = "host.result";
constexpr std::string_view kInterventionEnd = "intervention.end";
constexpr std::string_view kHostKeyPinned = "host.key_pinned";
constexpr std::string_view kHostObserved = "host.observed";
constexpr std::string_view kHostAccess = "host.access";
constexpr std::string_view kKeyRotation = "journal.key_rotation";
constexpr std::string_view kRetentionPrune = "journal.retention_prune";

// The records an operator causes, which carry operator + op_sig (v2; in v1
// only intervention.begin did).
bool IsOperatorSigned(std::string_view type);

// The member `key` when it is a string, else nullopt: a checked read for
// untrusted records.
std::optional<std::string> StringField(const Json& record, std::string_view key);
std::optional<int64_t> IntField(const Json& record, std::string_view key);
// `text` is exactly `size` lowercase hex digits (nonces, observe ids).
bool IsLowerHex(const std::string& text, size_t size);
// The member `key`, or a null value when absent or `object` is no object.
const Json& MemberOr(const Json& object, std::string_view key);

// "2026-11-28T05:10:00.123Z"
std::string FormatTimestamp(TimePoint t);
std::optional<TimePoint> ParseTimestamp(std::string_view text);

// Checks the common and per-type fields of a parsed record. kFailed with
// the first problem.
Status CheckRecordSchema(const Json& record);

// A pruned record's stored line: the original leaf hash stands in for the
// payload, with seq, ts and type kept for reading. Not canonical-checked
// against its leaf (the leaf is the original record).
bool IsTombstone(const Json& record);
// The record types retention may replace by a tombstone: the payloads of
// interventions. Pins, prunes and key rotations stay whole.
bool IsPrunableType(std::string_view type);
Json MakeTombstone(const Json& record, const std::string& leaf_hash_hex);

}  // namespace daybook::journal
