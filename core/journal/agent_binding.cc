#include "core/journal/agent_binding.h"

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/journal/merkle.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

Error Unbound(const std::string& why) { return MakeError(ErrorCode::kFailed, "the agent's answer " + why); }


// The answer's entry for the deploy named `name`: one of apply.result's
// deploys, or a rollback's deploy.result itself.
const Json* FindDeploy(const Json& response, const std::string& name) {
  if (StringField(response, "type") == "deploy.result") {
    return StringField(response, "name") == name ? &response : nullptr;
  }
  const Json& deploys = MemberOr(response, "deploys");
  if (!deploys.is_array()) return nullptr;
  for (const Json& d : deploys) {
    if (StringField(d, "name") == name) return &d;
  }
  return nullptr;
}

// Every deploy the record reports must be the agent's, field for field.
Status CheckDeploys(const Json& record, const Json& response) {
  const Json& deploys = MemberOr(record, "deploys");
  if (deploys.is_null()) return OkStatus();
  if (!deploys.is_array()) return Unbound("cannot be matched: deploys is not a list");
  for (const Json& entry : deploys) {
    std::optional<std::string> name = StringField(entry, "name");
    if (!name) return Unbound("cannot be matched: a deploy has no name");
    const Json* signed_entry = FindDeploy(response, *name);
    if (signed_entry == nullptr) return Unbound("does not report deploy " + *name);
    for (const char* key : {"status", "from", "to", "tree"}) {
      if (entry.contains(key) && MemberOr(*signed_entry, key) != MemberOr(entry, key)) {
        return Unbound("says deploy " + *name + " " + key + " " + MemberOr(*signed_entry, key).dump() + ", the record " +
                       MemberOr(entry, key).dump());
      }
    }
  }
  return OkStatus();
}

Status CheckPatch(const Json& record, const Json& response) {
  const Json& patch = MemberOr(response, "patch");
  if (record.contains("packages") && MemberOr(record, "packages") != MemberOr(MemberOr(patch, "outcome"), "versions")) {
    return Unbound("reports other package versions than the record");
  }
  const Json& recorded = MemberOr(record, "patch");
  if (recorded.is_object()) {
    if (MemberOr(recorded, "status") != MemberOr(patch, "status")) return Unbound("reports another patch status");
    if (recorded.contains("reboot") && MemberOr(recorded, "reboot") != MemberOr(response, "reboot")) {
      return Unbound("reports another reboot");
    }
  }
  return OkStatus();
}

}  // namespace

std::string BeginHash(std::string_view begin_line) {
  Hash h = LeafHash(begin_line);
  return crypto::HexEncode(h.data(), h.size());
}

std::string ApplyContentHash(const Json& apply_request) {
  Json content = {{"deploys", MemberOr(apply_request, "deploys")}, {"patch", MemberOr(apply_request, "patch")}};
  crypto::Sha256Digest digest = crypto::Sha256(Canonical(content));
  return crypto::HexEncode(digest.data(), digest.size());
}

std::string BeginAnswerType(const Json& begin) {
  if (MemberOr(begin, "manifest").is_object()) return "apply.result";
  if (MemberOr(begin, "rollback").is_object()) return "deploy.result";
  if (MemberOr(begin, "bootstrap").is_object()) return "facts";
  return "";
}

Status CheckBoundAnswer(const Json& record, const Json& response, const std::string& begin_hash) {
  std::optional<std::string> type = StringField(response, "type");
  if (type != "apply.result" && type != "deploy.result" && type != "facts") {
    return Unbound("is not an apply, rollback or bootstrap (facts) result");
  }
  // A bootstrap's result names the agent version the host answered with.
  if (type == "facts" && record.contains("agent_version") &&
      MemberOr(record, "agent_version") != MemberOr(MemberOr(response, "facts"), "agent_version")) {
    return Unbound("reports another agent version than the record");
  }
  for (const char* key : {"host", "intervention"}) {
    std::optional<std::string> said = StringField(response, key);
    if (!said || said != StringField(record, key)) {
      return Unbound("names " + std::string(key) + " " + (said ? Quoted(*said) : std::string("(none)")) +
                     ", the record " + Quoted(StringField(record, key).value_or("")));
    }
  }
  if (StringField(response, "begin") != begin_hash) {
    return Unbound("is bound to another intervention.begin record than the one at begin_seq");
  }
  // "ok" in the journal only when the agent said so.
  std::optional<std::string> status = StringField(response, "status");
  if (StringField(record, "status") == "ok" && status != "ok" && status != "unchanged") {
    return Unbound("says " + status.value_or("nothing") + ", the record says ok");
  }
  if (Status s = CheckDeploys(record, response); !s) return s;
  return CheckPatch(record, response);
}

}  // namespace daybook::journal
