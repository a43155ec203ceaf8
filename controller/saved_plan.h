// A saved plan (`plan --save FILE`, `push --plan FILE`): the manifest
// commit, the deploy commits, the hosts in their batches, and per host a
// digest of the state the plan was computed from, so a push can apply
// exactly what was reviewed and refuse a host that changed since.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/filesystem.h"
#include "core/base/result.h"
#include "core/protocol/messages.h"
#include "core/repo/git.h"

namespace daybook::controller {

constexpr const char* kPlanFormat = "daybook-plan/1";

// The state of a host a plan depends on, from the agent's deploy.status
// (with drift) and patch.plan answers: per deploy the live commit and
// whether `current` is intact; the package transaction (name, from, to)
// or its error. Null answers are left out.
protocol::Json HostState(const protocol::Json& deploy_status, const protocol::Json& patch_plan);

// "sha256:<hex>" of the canonical JSON of `value`.
std::string Digest(const protocol::Json& value);

struct SavedPlanHost {
  std::string host;
  std::string digest;  // "" when the host was unreachable at plan time
};

struct SavedPlanDeploy {
  std::string name, commit, tree;
};

struct SavedPlan {
  std::string file_digest;  // "sha256:<hex>" of the file as read
  std::string manifest_path, manifest_commit;
  std::vector<SavedPlanDeploy> deploys;
  std::vector<SavedPlanHost> hosts;
};

// Writes `document` (built by plan) to `path`, atomically, mode 0644.
Status WriteSavedPlan(Filesystem& fs, const std::filesystem::path& path, const protocol::Json& document);

// Reads and checks a saved plan; kInvalidInput naming the file otherwise.
Result<SavedPlan> ReadSavedPlan(Filesystem& fs, const std::filesystem::path& path);

// kInvalidInput "the plan is stale" when the fleet files (daybook.toml,
// the inventory, inventory/known_hosts, allowed_signers) were changed by a
// commit made since the plan's: HEAD of the fleet repository at `root` is
// not the plan's commit, and those files differ from it. Pushing would
// need a working tree that holds the plan's commit; the fix is a new plan.
// OK otherwise, including when git cannot say (the fleet load that follows
// reports that, and any uncommitted edit). `shown` names the plan file.
Status CheckPlanNotStale(repo::Git& git, const std::filesystem::path& root, const SavedPlan& saved,
                         const std::string& shown);

struct PreparedManifest;

// Pins a push to a saved plan: the manifest must be the plan's, each deploy
// ships the plan's commit (its tree checked), and the targets are the
// plan's hosts in its order. kInvalidInput when they cannot be.
Status PinToSavedPlan(const SavedPlan& saved, repo::Git& git, PreparedManifest& prepared);

}  // namespace daybook::controller
