#include "agent/deploy/deploy_state.h"

#include <algorithm>
#include <set>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"

namespace daybook::agent {
namespace {

using protocol::Json;

Json ReleasesToJson(const std::vector<Release>& releases) {
  Json out = Json::array();
  for (const Release& r : releases) out.push_back({{"commit", r.commit}, {"tree", r.tree}, {"deployed_at", r.deployed_at}});
  return out;
}

std::vector<Release> ReleasesFromJson(const Json& json) {
  std::vector<Release> out;
  for (const Json& r : json) out.push_back({r.at("commit"), r.at("tree"), r.at("deployed_at")});
  return out;
}

}  // namespace

const Release* DeployState::FindRelease(const std::string& commit) const {
  for (const Release& r : releases) {
    if (r.commit == commit) return &r;
  }
  return nullptr;
}

Json StateToJson(const DeployState& state) {
  return {{"name", state.name}, {"path", state.path}, {"live", state.live}, {"last_good", state.last_good},
          {"releases", ReleasesToJson(state.releases)}, {"failed", ReleasesToJson(state.failed)},
          {"after", state.after}, {"timeout_ms", state.timeout.count()}};
}

Result<DeployState> StateFromJson(const Json& json) {
  try {
    DeployState state;
    state.name = json.at("name");
    state.path = json.at("path");
    state.live = json.at("live");
    state.last_good = json.at("last_good");
    state.releases = ReleasesFromJson(json.at("releases"));
    state.failed = ReleasesFromJson(json.at("failed"));
    state.after = json.at("after").get<std::vector<std::string>>();
    state.timeout = std::chrono::milliseconds(json.at("timeout_ms").get<int64_t>());
    return state;
  } catch (const Json::exception& e) {
    return MakeError(ErrorCode::kFailed, std::string("damaged deploy state: ") + e.what());
  }
}

std::vector<std::string> ReleasesToPrune(const DeployState& state, int keep) {
  std::set<std::string> spared = {state.live, state.last_good};
  std::vector<std::string> prune;
  int kept = 0;
  for (auto it = state.releases.rbegin(); it != state.releases.rend(); ++it) {
    if (spared.count(it->commit) != 0) {
      ++kept;
    } else if (kept < keep) {
      ++kept;
    } else {
      prune.push_back(it->commit);
    }
  }
  return prune;
}

Result<std::optional<DeployState>> DeployStateStore::Load(const std::string& name) {
  std::filesystem::path file = dir_ / (name + ".json");
  if (!fs_.Exists(file)) return std::optional<DeployState>();
  Result<std::string> text = fs_.ReadFile(file);
  if (!text) return text.error();
  Json json = Json::parse(*text, nullptr, false);
  if (json.is_discarded()) return MakeError(ErrorCode::kFailed, "damaged deploy state " + file.string());
  Result<DeployState> state = StateFromJson(json);
  if (!state) return std::move(state).error().WithContext(file.string());
  return std::optional<DeployState>(std::move(*state));
}

namespace {

Result<std::unique_ptr<Filesystem::Lock>> TakeLock(Filesystem& fs, const std::filesystem::path& dir,
                                                   const std::string& file, const std::string& name) {
  if (Status s = fs.CreateDirectories(dir); !s) return s.error();
  Result<std::unique_ptr<Filesystem::Lock>> lock = fs.LockFile(dir / file);
  if (!lock && lock.error().code == ErrorCode::kFailed) {
    return MakeError(ErrorCode::kFailed, "deploy " + name + " is busy: another intervention is running on it");
  }
  return lock;
}

}  // namespace

Result<std::unique_ptr<Filesystem::Lock>> DeployStateStore::LockName(const std::string& name) {
  return TakeLock(fs_, dir_, name + ".lock", name);
}

Result<std::unique_ptr<Filesystem::Lock>> DeployStateStore::LockPath(const std::string& identity, const std::string& name) {
  crypto::Sha256Digest digest = crypto::Sha256(identity);
  return TakeLock(fs_, dir_ / "paths", crypto::HexEncode(digest.data(), 8) + ".lock", name);
}

Status DeployStateStore::Save(const DeployState& state) {
  if (Status s = fs_.CreateDirectories(dir_); !s) return s;
  return fs_.WriteFileAtomic(dir_ / (state.name + ".json"), StateToJson(state).dump(2) + "\n", 0600);
}

Result<std::vector<DeployState>> DeployStateStore::LoadAll() {
  std::vector<DeployState> all;
  if (!fs_.Exists(dir_)) return all;
  Result<std::vector<std::filesystem::path>> files = ListFilesWithSuffix(fs_, dir_, ".json");
  if (!files) return files.error();
  for (const std::filesystem::path& file : *files) {
    Result<std::optional<DeployState>> state = Load(file.stem().string());
    if (!state) return state.error();
    if (*state) all.push_back(std::move(**state));
  }
  return all;
}

}  // namespace daybook::agent
