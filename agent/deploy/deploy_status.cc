// Deployer::Report: what each deploy runs, what it keeps, and (on request)
// whether `current` still holds exactly its commit's tree.
#include "agent/deploy/confine.h"
#include "agent/deploy/deployer.h"
#include "agent/deploy/release_dir.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {

// deployer.cc
protocol::Json DriftJson(const repo::TreeComparison& c);
Result<repo::TreeComparison> CompareRelease(repo::ObjectStore& store, const ReleaseDir& dir, const std::string& commit,
                                            std::string& note);
Result<ReleaseDir> OpenDeploy(const AgentConfig& config, const std::string& path, Access access);

namespace {

using protocol::Json;

Json Commits(const std::vector<Release>& releases) {
  Json list = Json::array();
  for (const Release& r : releases) list.push_back(r.commit);
  return list;
}

Json OrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

}  // namespace

Json Deployer::Report(repo::ObjectStore& store, const std::vector<DeployQuery>& queries, bool drift) {
  Json deploys = Json::array();
  Result<std::vector<DeployState>> all = states_.LoadAll();
  std::vector<DeployQuery> wanted = queries;
  if (wanted.empty() && all) {
    for (const DeployState& s : *all) wanted.push_back({s.name, s.path});
  }
  size_t listed = 0;  // bytes of drift lists in the answer so far
  for (const DeployQuery& query : wanted) {
    Json entry = {{"name", query.name}, {"path", query.path}, {"live", nullptr}, {"tree", nullptr}, {"last_good", nullptr},
                  {"releases", Json::array()}, {"failed", Json::array()}, {"drift", nullptr}, {"error", nullptr}};
    const DeployState* state = nullptr;
    if (all) {
      for (const DeployState& s : *all) {
        if (s.name == query.name) state = &s;
      }
    } else {
      entry["error"] = all.error().message;
    }
    std::string path = state != nullptr ? state->path : query.path;
    entry["path"] = path;
    if (state != nullptr && !query.path.empty() && query.path != state->path) {
      entry["error"] = "deploy " + query.name + " lives at " + state->path + " on this host, not " + query.path;
    }
    if (state != nullptr) {
      entry["last_good"] = OrNull(state->last_good);
      entry["releases"] = Commits(state->releases);
      entry["failed"] = Commits(state->failed);
    }
    // Read only: nothing is created, and no link below the deploy root is
    // followed (one in the way is reported as the error).
    Result<ReleaseDir> dir = OpenDeploy(config_, path, Access::kRead);
    if (!dir) {
      if (dir.error().code != ErrorCode::kNotFound) entry["error"] = ReadableText(dir.error().message);
      deploys.push_back(entry);
      continue;
    }
    // Reading through handles is safe whoever owns the directory, but a
    // deploy there would be refused: said now, with the drift still shown.
    std::vector<std::string> problems;
    if (entry["error"].is_string()) problems.push_back(entry["error"].get<std::string>());
    if (Status owned = dir->CheckOwnership(); !owned) problems.push_back(owned.error().message);
    if (Result<size_t> held = dir->QuarantineSize(); !held) {
      problems.push_back(held.error().message);
    } else if (*held > 0) {
      problems.push_back((dir->path() / "quarantine").string() + " holds " + std::to_string(*held) +
                         " director" + (*held == 1 ? "y" : "ies") + " a removal would not empty (they may come from outside the deploy roots): look at them, then delete them by hand");
    }
    Result<std::optional<std::string>> live = dir->LiveCommit();
    if (!live) {
      problems.push_back(live.error().message);
    } else if (*live) {
      entry["live"] = **live;
      Result<std::string> tree = store.TreeOf(**live);
      if (tree) entry["tree"] = *tree;
      if (drift) {
        std::string note;
        Result<repo::TreeComparison> compared = CompareRelease(store, *dir, **live, note);
        if (compared) {
          entry["drift"] = DriftJson(*compared);
          listed += entry["drift"].dump().size();
          if (listed > kMaxListedAnswerBytes) {
            for (const char* key : {"modified", "added", "removed", "writable"}) entry["drift"][key] = Json::array();
          }
          if (!note.empty()) problems.push_back(note);
        } else {
          problems.push_back(compared.error().message);
        }
      }
    }
    if (!problems.empty()) entry["error"] = ReadableText(Join(problems, "; "));
    deploys.push_back(entry);
  }
  Json have = Json::array();
  if (Result<std::vector<std::string>> kept = store.KeptCommits(); kept) have = *kept;
  return {{"type", "deploy.status"}, {"deploys", deploys}, {"have", have}};
}

}  // namespace daybook::agent
