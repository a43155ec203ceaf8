#include "core/journal/observation.h"

#include <algorithm>
#include <map>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

Error Bad(const std::string& message) { return MakeError(ErrorCode::kFailed, std::string(kHostObserved) + ": " + message); }

bool IsObservedType(const std::string& type) {
  return std::any_of(std::begin(kObservedAnswerTypes), std::end(kObservedAnswerTypes),
                     [&](const char* t) { return type == t; });
}

std::string Text(const Json& object, std::string_view key) { return StringField(object, key).value_or(""); }

int64_t Count(const Json& counts, std::string_view key) {
  const Json& value = MemberOr(counts, key);
  return value.is_number_integer() ? value.get<int64_t>() : 0;
}

void ReadPlan(const Json& response, Observed& out) {
  const Json& findings = MemberOr(response, "findings");
  if (findings.is_array() && !findings.empty()) return;  // broken package state: no plan to read
  const Json& changes = MemberOr(MemberOr(response, "plan"), "changes");
  if (!changes.is_array()) return;
  out.patch_known = true;
  for (const Json& c : changes) {
    const Json& security = MemberOr(c, "security");
    out.pending.push_back({Text(c, "name"), Text(c, "from"), Text(c, "to"), Text(c, "origin"),
                           security.is_boolean() && security.get<bool>()});
  }
}

void ReadDeploys(const Json& response, Observed& out) {
  const Json& deploys = MemberOr(response, "deploys");
  for (size_t i = 0; deploys.is_array() && i < deploys.size(); ++i) {
    const Json& d = deploys[i];
    if (std::optional<std::string> tree = StringField(d, "tree")) out.live.emplace_back(Text(d, "name"), *tree);
    const Json& drift = MemberOr(d, "drift");
    const Json& identical = MemberOr(drift, "identical");
    if (!drift.is_object() || !identical.is_boolean() || identical.get<bool>()) continue;
    const Json& counts = MemberOr(drift, "counts");
    out.drift.push_back({Text(d, "name"), Count(counts, "added"), Count(counts, "modified"), Count(counts, "removed")});
  }
}

}  // namespace

Status CheckObservationSchema(const Json& r) {
  std::optional<std::string> source = StringField(r, "source"), observe = StringField(r, "observe");
  if (!StringField(r, "host")) return Bad("missing host");
  if (source != "status" && source != "plan") return Bad("source must be status or plan");
  if (!observe || !IsLowerHex(*observe, 32)) return Bad("observe must be 32 lowercase hex digits");
  const Json& agent = MemberOr(r, "agent");
  const Json& answers = MemberOr(agent, "answers");
  if (!StringField(agent, "key") || !answers.is_array() || answers.empty()) return Bad("agent needs key and answers");
  for (const Json& a : answers) {
    if (!MemberOr(a, "response").is_object() || !StringField(a, "sig")) return Bad("each answer needs response and sig");
  }
  return OkStatus();
}

Status CheckPinnedAgent(const Json& record, const crypto::Ed25519Public& pinned) {
  Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(Text(MemberOr(record, "agent"), "key"));
  if (key && *key == pinned) return OkStatus();
  return MakeError(ErrorCode::kFailed, "signed by " + (key ? crypto::SshFingerprint(*key) : std::string("?")) +
                                           ", but the journal pins " + crypto::SshFingerprint(pinned) + " for host " +
                                           Text(record, "host"));
}

Status CheckEchoedAnswer(const Json& response, const std::string& sig, const crypto::Ed25519Public& pinned,
                         const std::string& observe, const std::string& origin, const std::string& journaled_at) {
  auto fail = [](const std::string& message) { return MakeError(ErrorCode::kFailed, message); };
  std::optional<crypto::Bytes> bytes = crypto::Base64Decode(sig);
  if (!bytes || !crypto::Ed25519Verify(pinned, Canonical(response), *bytes)) return fail("an answer's signature does not verify");
  if (Text(response, "observe") != observe) return fail("an answer was given to another question (observe differs)");
  if (Text(response, "journal") != origin) {
    return fail("an answer was given for the journal " + Quoted(Text(response, "journal")) + ", not this one (" + Quoted(origin) + ")");
  }
  std::optional<TimePoint> at = ParseTimestamp(Text(response, "observed_at"));
  std::optional<TimePoint> ts = ParseTimestamp(journaled_at);
  if (!at) return fail("an answer has no observed_at");
  if (!ts) return fail("bad ts");
  if (*at > *ts + kObservationSkew || *at < *ts - kObservationSkew) {
    return fail("answered at " + Text(response, "observed_at") + " but journaled at " + journaled_at + ": more than " +
                std::to_string(kObservationSkew.count()) + " minutes apart");
  }
  return OkStatus();
}

Status CheckObservationAnswers(const Json& record, const crypto::Ed25519Public& pinned, const std::string& origin) {
  if (Status s = CheckObservationSchema(record); !s) return s;
  if (Status s = CheckPinnedAgent(record, pinned); !s) return Bad(s.error().message);
  std::map<std::string, const Json*> by_type;
  for (const Json& a : MemberOr(MemberOr(record, "agent"), "answers")) {
    const Json& response = MemberOr(a, "response");
    if (Status s = CheckEchoedAnswer(response, Text(a, "sig"), pinned, Text(record, "observe"), origin, Text(record, "ts")); !s) {
      return Bad(s.error().message);
    }
    if (!IsObservedType(Text(response, "type"))) return Bad("an answer of type " + Quoted(Text(response, "type")) + " is no observation");
    if (!by_type.emplace(Text(response, "type"), &response).second) return Bad("two " + Text(response, "type") + " answers");
  }
  // Complete for its source: no answer left out.
  auto missing = [&](const char* type) { return Bad("a " + Text(record, "source") + " observation without its " + type + " answer"); };
  if (!by_type.count("deploy.status")) return missing("deploy.status");
  if (Text(record, "source") == "status") {
    auto facts = by_type.find("facts");
    if (facts == by_type.end()) return missing("facts");
    std::optional<std::string> backend = StringField(MemberOr(*facts->second, "facts"), "package_backend");
    if (backend.value_or("none") != "none" && !by_type.count("patch.plan")) return missing("patch.plan");
  }
  if (Text(record, "source") == "plan" && by_type.count("facts")) return Bad("a plan observation with a facts answer");
  return OkStatus();
}

Result<Observed> ReadObservation(const Json& record) {
  if (Status s = CheckObservationSchema(record); !s) return std::move(s).error();
  Observed out;
  out.host = Text(record, "host");
  out.source = Text(record, "source");
  bool dated = false;
  for (const Json& a : MemberOr(MemberOr(record, "agent"), "answers")) {
    const Json& response = MemberOr(a, "response");
    std::optional<TimePoint> at = ParseTimestamp(Text(response, "observed_at"));
    if (at && !dated) {
      out.at = *at;
      dated = true;
    }
    const std::string type = Text(response, "type");
    if (type == "patch.plan") ReadPlan(response, out);
    if (type == "deploy.status") ReadDeploys(response, out);
    if (type == "facts") {
      const Json& reboot = MemberOr(MemberOr(response, "facts"), "reboot_required");
      if (reboot.is_boolean()) out.reboot_required = reboot.get<bool>();
    }
  }
  if (!dated) return Bad("no answer says when it was observed");
  return out;
}

std::string ObservationSummary(const Observed& o) {
  std::vector<std::string> parts;
  if (o.patch_known) {
    size_t security = static_cast<size_t>(std::count_if(o.pending.begin(), o.pending.end(), [](const PendingUpdate& p) { return p.security; }));
    parts.push_back(std::to_string(security) + " pending security update" + (security == 1 ? "" : "s") +
                    (o.pending.size() > security ? " (" + std::to_string(o.pending.size()) + " in all)" : ""));
  }
  if (o.reboot_required) parts.push_back(*o.reboot_required ? "reboot required" : "no reboot required");
  for (const auto& [deploy, tree] : o.live) parts.push_back(deploy + " tree " + tree.substr(0, 8));
  for (const DriftSeen& d : o.drift) {
    parts.push_back("drift " + d.deploy + " +" + std::to_string(d.added) + " ~" + std::to_string(d.modified) + " -" +
                    std::to_string(d.removed));
  }
  return o.source + ": " + (parts.empty() ? std::string("nothing to report") : Join(parts, ", "));
}

}  // namespace daybook::journal
