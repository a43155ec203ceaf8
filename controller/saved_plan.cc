#include "controller/saved_plan.h"

#include "core/schema/json_reader.h"

#include "controller/fleet_commit.h"
#include "controller/prepared_manifest.h"
#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/journal/canonical.h"

#include <algorithm>
#include <set>

namespace daybook::controller {

using protocol::Json;

namespace {

std::string Sha256Text(std::string_view bytes) {
  crypto::Sha256Digest digest = crypto::Sha256(bytes);
  return "sha256:" + crypto::HexEncode(digest.data(), digest.size());
}

bool IsString(const Json& j, const char* key) { return j.is_object() && j.contains(key) && j[key].is_string(); }

std::string Joined(const std::vector<std::string>& items) {
  std::string list;
  for (const std::string& item : items) list += (list.empty() ? "" : ", ") + item;
  return list;
}

}  // namespace

Json HostState(const Json& deploy_status, const Json& patch_plan) {
  Json state = Json::object();
  if (deploy_status.is_object()) {
    Json deploys = Json::array();
    const Json& listed = schema::MemberOr(deploy_status, "deploys");
    for (const Json& d : listed.is_array() ? listed : Json::array()) {
      if (!d.is_object()) continue;
      const Json& drift = d.value("drift", Json(nullptr));
      deploys.push_back({{"name", d.value("name", Json(nullptr))}, {"live", d.value("live", Json(nullptr))},
                         {"error", d.value("error", Json(nullptr))},
                         {"drift", drift.is_object() ? Json{{"identical", schema::BoolOr(drift, "identical", true)},
                                                            {"counts", drift.value("counts", Json(nullptr))}}
                                                     : Json(nullptr)}});
    }
    state["deploys"] = deploys;
  }
  if (!patch_plan.is_null()) {
    if (IsString(patch_plan, "error")) {
      state["packages"] = {{"error", patch_plan["error"]}};
    } else {
      Json packages = Json::array();
      const Json& changes = schema::MemberOr(schema::MemberOr(patch_plan, "plan"), "changes");
      for (const Json& c : changes.is_array() ? changes : Json::array()) {
        if (!c.is_object()) continue;
        packages.push_back({{"name", c.value("name", Json(nullptr))}, {"from", c.value("from", Json(nullptr))},
                            {"to", c.value("to", Json(nullptr))}});
      }
      state["packages"] = packages;
    }
  }
  return state;
}

std::string Digest(const Json& value) { return Sha256Text(journal::Canonical(value)); }

Status WriteSavedPlan(Filesystem& fs, const std::filesystem::path& path, const Json& document) {
  Status written = fs.WriteFileAtomic(path, document.dump(2) + "\n", 0644);
  if (!written) return std::move(written).error().WithContext("--save " + path.string());
  return OkStatus();
}

Result<SavedPlan> ReadSavedPlan(Filesystem& fs, const std::filesystem::path& path) {
  auto bad = [&](const std::string& why) { return MakeError(ErrorCode::kInvalidInput, "--plan " + path.string() + ": " + why); };
  Result<std::string> text = fs.ReadFile(path);
  if (!text) return bad(text.error().message);
  Json doc = Json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON document");
  if (schema::StringOr(doc, "format") != kPlanFormat) return bad(std::string("not a saved plan (format is not ") + kPlanFormat + ")");
  SavedPlan plan;
  plan.file_digest = Sha256Text(*text);
  const Json& manifest = doc["manifest"];
  if (!IsString(manifest, "path") || !IsString(manifest, "commit")) return bad("missing manifest {path, commit}");
  plan.manifest_path = manifest["path"];
  plan.manifest_commit = manifest["commit"];
  for (const Json& d : doc.value("deploys", Json::array())) {
    if (!IsString(d, "name") || !IsString(d, "commit") || !IsString(d, "tree")) return bad("a deploy lacks name, commit or tree");
    plan.deploys.push_back({d["name"], d["commit"], d["tree"]});
  }
  if (!doc.contains("hosts") || !doc["hosts"].is_array() || doc["hosts"].empty()) return bad("no hosts");
  std::set<std::string> seen;
  for (const Json& h : doc["hosts"]) {
    if (!IsString(h, "host")) return bad("a host entry lacks its name");
    if (!seen.insert(h["host"].get<std::string>()).second) return bad("host " + h["host"].get<std::string>() + " is listed twice");
    plan.hosts.push_back({h["host"], IsString(h, "digest") ? h["digest"].get<std::string>() : ""});
  }
  return plan;
}

Status CheckPlanNotStale(repo::Git& git, const std::filesystem::path& root, const SavedPlan& saved,
                         const std::string& shown) {
  // A full commit id, as `plan --save` writes: a name ("HEAD", a branch)
  // would follow the repository and make any plan look fresh.
  if (saved.manifest_commit.size() != 40 || saved.manifest_commit.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidInput, "--plan " + shown + ": its commit " + Quoted(saved.manifest_commit) +
                                                   " is not a full commit id (was the plan file edited?)");
  }
  Result<repo::CommitRef> head = git.Resolve(root, "HEAD");
  if (!head || head->commit == saved.manifest_commit) return OkStatus();
  // The working tree must be HEAD's first: then "differs from the plan's
  // commit" is what HEAD changed since, whatever was restored by hand.
  Result<std::vector<std::string>> edited = git.DiffersFrom(root, head->commit, FleetStatePathspecs());
  if (edited && !edited->empty()) {
    return MakeError(ErrorCode::kInvalidInput, "--plan " + shown + ": the working tree differs from HEAD (" + Short(head->commit) +
                                                   ") in the fleet files: " + Joined(*edited) +
                                                   ". Commit or restore them; if HEAD changed them since the plan (made at " +
                                                   Short(saved.manifest_commit) + "), run `daybook plan " +
                                                   saved.manifest_path + " --save " + shown + "` again");
  }
  Result<std::vector<std::string>> since_plan = git.DiffersFrom(root, saved.manifest_commit, FleetStatePathspecs());
  if (!since_plan || since_plan->empty()) return OkStatus();  // the plan's fleet files are still the ones in force
  std::string message = "--plan " + shown + ": the plan is stale: it was made at commit " + Short(saved.manifest_commit) +
                        ", and HEAD (" + Short(head->commit) + ") has changed the fleet files since: " + Joined(*since_plan) +
                        ". Run `daybook plan " + saved.manifest_path + " --save " + shown +
                        "` again, review the new plan, and push that";
  return MakeError(ErrorCode::kInvalidInput, message);
}

Status PinToSavedPlan(const SavedPlan& saved, repo::Git& git, PreparedManifest& prepared) {
  auto bad = [](const std::string& why) { return Status(MakeError(ErrorCode::kInvalidInput, "--plan: " + why)); };
  if (prepared.manifest.path != saved.manifest_path) {
    return bad("the plan is for " + saved.manifest_path + ", not " + prepared.manifest.path);
  }
  if (saved.deploys.size() != prepared.deploys.size()) return bad("the plan's deploys are not the manifest's");
  for (ResolvedDeploy& deploy : prepared.deploys) {
    auto it = std::find_if(saved.deploys.begin(), saved.deploys.end(), [&](const SavedPlanDeploy& d) { return d.name == deploy.spec.name; });
    if (it == saved.deploys.end()) return bad("deploy " + deploy.spec.name + " is not in the plan");
    if (it->commit == deploy.target.commit) continue;
    // The ref moved since the plan was made: ship what was planned.
    Result<repo::CommitRef> pinned = git.Resolve(deploy.repo, it->commit);
    if (!pinned) return bad("deploy " + deploy.spec.name + ": planned commit " + it->commit + ": " + pinned.error().message);
    if (pinned->tree != it->tree) return bad("deploy " + deploy.spec.name + ": planned commit " + it->commit + " has tree " + pinned->tree + ", not " + it->tree);
    deploy.target = *pinned;
  }
  const inventory::Inventory& inventory = prepared.session->fleet.inventory;
  std::vector<std::string> hosts;
  for (const SavedPlanHost& h : saved.hosts) {
    if (inventory.FindHost(h.host) == nullptr) return bad("host " + h.host + " is no longer in the inventory");
    hosts.push_back(h.host);
  }
  prepared.session->hosts = std::move(hosts);
  return OkStatus();
}

}  // namespace daybook::controller
