#include "agent/requests.h"

#include "core/base/strings.h"
#include "core/schema/json_reader.h"

namespace daybook::agent {
namespace {

using schema::JsonReader;

Error Bad(std::string message) { return MakeError(ErrorCode::kInvalidInput, std::move(message)); }

Error TooMany(const JsonReader& r) {
  return Bad(r.where() + ".deploys: more than " + std::to_string(kMaxDeploysPerRequest) + " deploys in one request");
}

Result<DeployRequest> ParseDeploy(const JsonReader& r) {
  DeployRequest request;
  Result<std::string> name = r.String("name");
  if (!name) return name.error();
  Result<std::string> path = r.String("path");
  if (!path) return path.error();
  Result<std::string> commit = r.String("commit");
  if (!commit) return commit.error();
  Result<int64_t> keep = r.Int("keep", 1, kMaxKeep);
  if (!keep) return keep.error();
  Result<std::vector<std::string>> after = r.Has("after") ? r.StringArray("after") : std::vector<std::string>{};
  if (!after) return after.error();
  Result<int64_t> timeout = r.Int("timeout_ms", 1, kMaxHookTimeout.count());
  if (!timeout) return timeout.error();
  request.name = std::move(*name);
  request.path = std::move(*path);
  request.commit = std::move(*commit);
  request.keep = static_cast<int>(*keep);
  request.after = std::move(*after);
  request.timeout = std::chrono::milliseconds(*timeout);
  return request;
}

Result<std::string> InterventionId(const JsonReader& r) {
  Result<std::string> id = r.String("intervention");
  if (!id) return id.error();
  if (!IsValidName(*id)) return Bad(r.where() + ".intervention: bad intervention id " + Quoted(*id));
  return id;
}

}  // namespace

Result<StatusRequest> ParseStatusRequest(const protocol::Json& request) {
  Result<JsonReader> r = JsonReader::Of(request, "deploy.status");
  if (!r) return r.error();
  StatusRequest out;
  Result<bool> drift = r->Bool("drift", false);
  if (!drift) return drift.error();
  out.drift = *drift;
  Result<const protocol::Json*> deploys = r->OptionalArray("deploys");
  if (!deploys) return deploys.error();
  if (*deploys != nullptr && (*deploys)->size() > kMaxDeploysPerRequest) return TooMany(*r);
  for (size_t i = 0; *deploys != nullptr && i < (*deploys)->size(); ++i) {
    Result<JsonReader> d = r->Element(**deploys, i, "deploys");
    if (!d) return d.error();
    Result<std::string> name = d->String("name");
    if (!name) return name.error();
    Result<std::string> path = d->String("path", "");
    if (!path) return path.error();
    out.deploys.push_back({std::move(*name), std::move(*path)});
  }
  return out;
}

Result<PatchSpec> ParsePatchSpec(const protocol::Json& patch, const std::string& where) {
  Result<JsonReader> r = JsonReader::Of(patch, where);
  if (!r) return r.error();
  PatchSpec spec;
  Result<std::string> policy = r->String("policy");
  if (!policy) return policy.error();
  // "none": no package is touched (a reboot-only intervention).
  if (*policy != "security" && *policy != "all" && *policy != "none") {
    return Bad("patch policy must be security, all or none, not " + Quoted(*policy));
  }
  spec.request.policy = *policy;
  if (r->Has("exclude")) {
    Result<std::vector<std::string>> exclude = r->StringArray("exclude");
    if (!exclude) return exclude.error();
    spec.request.exclude = std::move(*exclude);
  }
  Result<bool> other = r->Bool("allow_other_origins", true);
  if (!other) return other.error();
  spec.request.allow_other_origins = *other;
  Result<std::string> reboot = r->String("reboot", "never");
  if (!reboot) return reboot.error();
  if (*reboot != "never" && *reboot != "if-required" && *reboot != "always") {
    return Bad(where + ".reboot: never, if-required or always expected, not " + Quoted(*reboot));
  }
  spec.reboot = *reboot;
  return spec;
}

Result<ApplyRequest> ParseApplyRequest(const protocol::Json& request) {
  Result<JsonReader> r = JsonReader::Of(request, "apply");
  if (!r) return r.error();
  ApplyRequest out;
  Result<std::string> id = InterventionId(*r);
  if (!id) return id.error();
  out.intervention = std::move(*id);
  Result<const protocol::Json*> deploys = r->Array("deploys");
  if (!deploys) return deploys.error();
  if ((*deploys)->size() > kMaxDeploysPerRequest) return TooMany(*r);
  for (size_t i = 0; i < (*deploys)->size(); ++i) {
    Result<JsonReader> d = r->Element(**deploys, i, "deploys");
    if (!d) return d.error();
    Result<DeployRequest> deploy = ParseDeploy(*d);
    if (!deploy) return deploy.error();
    out.deploys.push_back(std::move(*deploy));
  }
  if (r->Has("patch")) {
    Result<PatchSpec> patch = ParsePatchSpec(*r->Any("patch").value(), "apply.patch");
    if (!patch) return patch.error();
    out.patch = std::move(*patch);
  }
  return out;
}

Result<RollbackRequest> ParseRollbackRequest(const protocol::Json& request) {
  Result<JsonReader> r = JsonReader::Of(request, "deploy.rollback");
  if (!r) return r.error();
  RollbackRequest out;
  Result<std::string> id = InterventionId(*r);
  if (!id) return id.error();
  Result<std::string> name = r->String("name");
  if (!name) return name.error();
  Result<std::string> to = r->String("to", "");
  if (!to) return to.error();
  out.intervention = std::move(*id);
  out.name = std::move(*name);
  out.to = std::move(*to);
  return out;
}

}  // namespace daybook::agent
