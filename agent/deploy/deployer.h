// The deploy pipeline of one host (DESIGN.md §5): confine the path, check
// out the commit from the object store into a new release, prove its tree
// id, switch `current` atomically, run the `after` hook (switching back if
// it fails), prune to `keep` sparing the live and last-good releases.
// Every answer is a deploy.result body:
//   {type, action: deploy|rollback, name, path, status, from, to, tree,
//    verified, hook, rolled_back_to, repaired, pruned, error}
// status: ok | unchanged | repaired | refused (nothing was touched) |
//         failed (something was tried and undone, or could not be)
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agent/config.h"
#include "agent/deploy/deploy_state.h"
#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"
#include "core/protocol/frame.h"
#include "core/repo/object_store.h"

namespace daybook::agent {

struct DeployRequest {
  std::string name;
  std::string path;
  std::string commit;
  int keep = 5;
  std::vector<std::string> after;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
};

// The deploys a status request asks about ({name, path}; path may be empty).
struct DeployQuery {
  std::string name;
  std::string path;
};

class Deployer {
 public:
  Deployer(const AgentConfig& config, Filesystem& fs, exec::ProcessRunner& runner, const Clock& clock)
      : config_(config), fs_(fs), runner_(runner), clock_(clock), states_(fs, config.state_dir) {}

  protocol::Json Apply(repo::ObjectStore& store, const DeployRequest& request);
  // Back to release `to` (a commit id or a unique prefix), or to the last
  // known good release when `to` is empty.
  protocol::Json Rollback(repo::ObjectStore& store, const std::string& name, const std::string& to);
  // {type: deploy.status, deploys: [...], have: [kept commits]}: every deploy
  // the agent knows when `queries` is empty. With `drift`, `current` is
  // compared with its commit file by file.
  protocol::Json Report(repo::ObjectStore& store, const std::vector<DeployQuery>& queries, bool drift);

 private:
  const AgentConfig& config_;
  Filesystem& fs_;
  exec::ProcessRunner& runner_;
  const Clock& clock_;
  DeployStateStore states_;
};

// Drift lists in answers are capped (the counts are not): per list, and
// for a status answer all deploys together (the lists of the deploys past
// kMaxListedAnswerBytes are left empty), so an answer always fits a frame.
constexpr size_t kMaxListedPaths = 200;
constexpr size_t kMaxListedPathBytes = 16u << 10;
constexpr size_t kMaxListedAnswerBytes = 2u << 20;

}  // namespace daybook::agent
