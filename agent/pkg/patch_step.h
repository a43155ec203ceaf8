// The patch step of an intervention on the agent: the manifest's [patch]
// (policy, exclude, reboot, allow_other_origins) planned and applied through
// the host's PackageManager, one patch intervention at a time.
//   patch.plan answer: {type: "patch.plan", backend, plan | error,
//     findings [{kind, message, fix}]}
//   the "patch" part of apply.result: {status ok|failed|refused, backend,
//     plan, outcome {ok, error, versions [{name, before, after}],
//     reboot_required, reboot_packages}, reboot: none|scheduled, error,
//     findings}
// Broken package state (PackageManager::Findings) is checked first: plan
// answers it as findings plus an error, apply refuses before anything runs.
// Policy "none" touches no package and needs no backend: with reboot
// "always" it is a reboot-only intervention.
#pragma once

#include <memory>
#include <string>

#include "agent/config.h"
#include "agent/pkg/package_manager.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

struct PatchSpec;  // agent/requests.h

// The backend `config` names (auto: the tool found under root); null for none.
std::unique_ptr<PackageManager> MakePackageManager(const AgentConfig& config, Filesystem& fs, exec::ProcessRunner& runner);

class PatchStep {
 public:
  PatchStep(const AgentConfig& config, Filesystem& fs, exec::ProcessRunner& runner)
      : config_(config), fs_(fs), runner_(runner) {}

  protocol::Json Plan(const PatchSpec& patch);
  // Applies the patch; `reboot` says whether the manifest's reboot policy
  // asks for one now (the caller reboots after its result is on disk).
  protocol::Json Apply(const PatchSpec& patch, bool& reboot);

 private:
  // A parsed request, its backend, and the host's patch lock, held while
  // the session lives.
  struct Session {
    PatchRequest request;
    std::unique_ptr<PackageManager> manager;
    std::unique_ptr<Filesystem::Lock> lock;
  };
  Result<Session> Begin(const PatchSpec& patch);
  Result<std::vector<PackageFinding>> Check(Session& session);

  const AgentConfig& config_;
  Filesystem& fs_;
  exec::ProcessRunner& runner_;
};

}  // namespace daybook::agent
