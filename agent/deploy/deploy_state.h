// What an agent remembers about each deploy, one JSON file per deploy name
// under <state_dir>/deploys/, replaced atomically: which releases it keeps,
// which one is the last known good (never pruned), which failed (kept aside
// until the next success), and the hook to run again on a rollback. The
// `current` symlink stays the truth about what is live.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/filesystem.h"
#include "core/base/result.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

struct Release {
  std::string commit;
  std::string tree;
  std::string deployed_at;  // RFC 3339 UTC
};

struct DeployState {
  std::string name;
  std::string path;       // as the manifest names it
  std::string live;       // commit `current` was last switched to ("" = none)
  std::string last_good;  // the release a rollback goes back to ("" = none)
  std::vector<Release> releases;  // under releases/, oldest first
  std::vector<Release> failed;    // under failed/
  std::vector<std::string> after;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};

  const Release* FindRelease(const std::string& commit) const;
};

protocol::Json StateToJson(const DeployState& state);
Result<DeployState> StateFromJson(const protocol::Json& json);

// The releases to delete so that at most `keep` remain, newest kept first;
// the live and the last-known-good releases are never chosen.
std::vector<std::string> ReleasesToPrune(const DeployState& state, int keep);

// <state_dir>/deploys/<name>.json
class DeployStateStore {
 public:
  DeployStateStore(Filesystem& fs, std::filesystem::path state_dir) : fs_(fs), dir_(std::move(state_dir) / "deploys") {}
  // nullopt when the deploy is new on this host.
  Result<std::optional<DeployState>> Load(const std::string& name);
  Status Save(const DeployState& state);
  // Every deploy this agent knows, sorted by name.
  Result<std::vector<DeployState>> LoadAll();
  // Serialises interventions on one deploy name and on one directory (two
  // names must not race for one path): kFailed at once, saying the deploy
  // is busy, when another intervention holds either. `identity` names the
  // directory itself ("dev:inode"), not a path that could lead to it.
  Result<std::unique_ptr<Filesystem::Lock>> LockName(const std::string& name);
  Result<std::unique_ptr<Filesystem::Lock>> LockPath(const std::string& identity, const std::string& name);

 private:
  Filesystem& fs_;
  std::filesystem::path dir_;
};

}  // namespace daybook::agent
