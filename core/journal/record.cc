#include "core/journal/record.h"

#include "core/journal/access_record.h"
#include "core/journal/observation.h"

#include <date/date.h>

#include <set>
#include "core/journal/verify.h"

namespace daybook::journal {
namespace {

Error Bad(const std::string& why) { return MakeError(ErrorCode::kFailed, why); }

bool IsString(const Json& r, const char* key) { return r.contains(key) && r[key].is_string() && !r[key].get<std::string>().empty(); }
bool IsInt(const Json& r, const char* key) { return r.contains(key) && r[key].is_number_integer(); }


Status Require(bool ok, const std::string& what) { return ok ? OkStatus() : Status(Bad(what)); }


}  // namespace

bool IsOperatorSigned(std::string_view type) {
  return type == kInterventionBegin || type == kHostKeyPinned || type == kRetentionPrune;
}

const Json& MemberOr(const Json& object, std::string_view key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::optional<std::string> StringField(const Json& record, std::string_view key) {
  if (!record.is_object()) return std::nullopt;
  auto it = record.find(key);
  if (it == record.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool IsLowerHex(const std::string& text, size_t size) {
  return text.size() == size && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::optional<int64_t> IntField(const Json& record, std::string_view key) {
  if (!record.is_object()) return std::nullopt;
  auto it = record.find(key);
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::string FormatTimestamp(TimePoint t) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", date::floor<std::chrono::milliseconds>(t));
}

std::optional<TimePoint> ParseTimestamp(std::string_view text) {
  // Exactly YYYY-MM-DDTHH:MM:SS.mmmZ: one spelling per instant.
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (text.size() != kShape.size()) return std::nullopt;
  for (size_t i = 0; i < kShape.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  date::year_month_day ymd{date::year{num(0, 4)}, date::month{static_cast<unsigned>(num(5, 2))},
                           date::day{static_cast<unsigned>(num(8, 2))}};
  if (!ymd.ok()) return std::nullopt;
  TimePoint t = date::sys_days{ymd} + std::chrono::hours{num(11, 2)} + std::chrono::minutes{num(14, 2)} +
                std::chrono::seconds{num(17, 2)} + std::chrono::milliseconds{num(20, 3)};
  if (FormatTimestamp(t) != text) return std::nullopt;  // 25:00, 23:60 ...
  return t;
}

Status CheckRecordSchema(const Json& r) {
  if (!r.is_object()) return Bad("a record must be an object");
  std::optional<int64_t> version = IntField(r, "v");
  if (!version || (*version != kRecordVersion && *version != kLegacyRecordVersion)) return Bad("unsupported record version");
  const bool v2 = *version == kRecordVersion;
  if (!IsInt(r, "seq") || r["seq"].get<int64_t>() < 0) return Bad("missing or bad seq");
  if (!IsString(r, "ts") || !ParseTimestamp(r["ts"].get<std::string>())) return Bad("missing or bad ts");
  if (!IsString(r, "type")) return Bad("missing type");
  if (!IsString(r, "nonce") || !IsLowerHex(r["nonce"].get<std::string>(), 32)) return Bad("missing or bad nonce");
  const std::string type = r["type"];
  if (v2 && IsOperatorSigned(type)) {
    if (Status s = Require(IsString(r, "operator") && IsString(r, "op_sig"), type + ": missing operator or op_sig"); !s) return s;
    if (Status s = Require(IsString(r, "origin"), type + ": missing origin (the journal the operator signed for)"); !s) return s;
  }
  if (type == kInterventionBegin) {
    if (Status s = Require(IsString(r, "intervention"), "begin: missing intervention id"); !s) return s;
    if (Status s = Require(IsString(r, "operator"), "begin: missing operator"); !s) return s;
    if (Status s = Require(IsString(r, "op_sig"), "begin: missing op_sig"); !s) return s;
    bool manifest = r.contains("manifest") && r["manifest"].is_object() && IsString(r["manifest"], "commit") &&
                    IsString(r["manifest"], "path");
    // A rollback has no manifest: it names the deploy it takes back.
    bool rollback = r.contains("rollback") && r["rollback"].is_object() && IsString(r["rollback"], "deploy");
    // A bootstrap names the agent package it installs on the hosts.
    bool bootstrap = r.contains("bootstrap") && r["bootstrap"].is_object() && IsString(r["bootstrap"], "package") &&
                     IsString(r["bootstrap"], "version") && IsString(r["bootstrap"], "sha256");
    if (Status s = Require(manifest || rollback || bootstrap, "begin: missing manifest {commit, path}"); !s) return s;
    return Require(r.contains("targets") && r["targets"].is_array(), "begin: missing targets");
  }
  if (type == kHostResult) {
    // unknown: a host the operator gave up on (journal reconcile --abandon-host), or
    // one whose agent restarted while it carried the intervention out.
    static const std::set<std::string> kStatus{"ok", "failed", "skipped", "unreachable", "refused", "unknown"};
    if (Status s = Require(IsString(r, "intervention") && IsString(r, "host"), "host.result: missing intervention or host"); !s) return s;
    if (Status s = Require(IsString(r, "status") && kStatus.count(r["status"]), "host.result: bad status"); !s) return s;
    if (!v2) return OkStatus();
    if (Status s = Require(IsInt(r, "begin_seq") && r["begin_seq"].get<int64_t>() >= 0, "host.result: missing begin_seq"); !s) return s;
    // An "ok" is the agent's word, so it carries the agent's signature.
    return Require(r["status"] != "ok" || (r.contains("agent") && r["agent"].is_object()),
                   "host.result: an ok result needs the agent's signed answer");
  }
  if (type == kInterventionEnd) {
    static const std::set<std::string> kOutcome{"completed", "halted", "interrupted", "failed"};
    if (Status s = Require(IsString(r, "intervention"), "end: missing intervention id"); !s) return s;
    return Require(IsString(r, "outcome") && kOutcome.count(r["outcome"]), "end: bad outcome");
  }
  if (type == kHostKeyPinned) {
    return Require(IsString(r, "host") && IsString(r, "key") && IsString(r, "fingerprint"),
                   "host.key_pinned: needs host, key, fingerprint");
  }
  if (type == kHostObserved) return CheckObservationSchema(r);
  if (type == kHostAccess) return CheckAccessSchema(r);
  if (type == kKeyRotation) return Require(IsString(r, "vkey"), "key_rotation: missing vkey");
  if (type == kRetentionPrune) {
    bool ok = IsString(r, "cutoff") && ParseTimestamp(r["cutoff"].get<std::string>()) && IsInt(r, "upto_seq") &&
              IsInt(r, "window_days") && r.contains("pruned_seqs") && r["pruned_seqs"].is_string() && IsInt(r, "seq") &&
              ParseSeqRanges(r["pruned_seqs"].get<std::string>(), r["seq"].get<int64_t>());
    return Require(ok, "retention_prune: needs cutoff, upto_seq, window_days, pruned_seqs");
  }
  return Bad("unknown record type " + type);
}

bool IsPrunableType(std::string_view type) {
  return type == kInterventionBegin || type == kHostResult || type == kInterventionEnd || type == kHostObserved ||
         type == kHostAccess;
}

bool IsTombstone(const Json& record) {
  // Exactly what MakeTombstone writes, and only for a type retention
  // prunes: nothing but the leaf hash is covered by a hash in a tombstone,
  // so a line with any other field (an operator, a status...) is no
  // tombstone, and its own leaf hash is what it must match.
  if (!record.is_object() || record.size() != 6) return false;
  for (const char* key : {"v", "seq", "ts", "type", "pruned", "leaf_hash"}) {
    if (!record.contains(key)) return false;
  }
  const Json& type = record["type"];
  return record["pruned"] == true && record["leaf_hash"].is_string() && record["seq"].is_number_integer() &&
         record["ts"].is_string() && type.is_string() && IsPrunableType(type.get<std::string>());
}

Json MakeTombstone(const Json& record, const std::string& leaf_hash_hex) {
  return Json{{"v", MemberOr(record, "v")}, {"seq", MemberOr(record, "seq")}, {"ts", MemberOr(record, "ts")},
              {"type", MemberOr(record, "type")}, {"pruned", true}, {"leaf_hash", leaf_hash_hex}};
}

}  // namespace daybook::journal
