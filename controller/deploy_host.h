// What plan and push do on one host for a manifest's deploys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "controller/deploy_client.h"
#include "controller/intervention.h"
#include "controller/observations.h"

namespace daybook::controller {

// One deploy on one host, as plan shows it.
struct DeployPlan {
  std::string name;
  std::string from;    // live commit ("" = none yet)
  std::string to;
  std::string action;  // install | update | unchanged | repair | refused
  std::optional<repo::ChangeCount> changes;  // files, when the controller knows both commits
  std::string note;    // why refused, drift counts...
};

struct HostPlan {
  bool reachable = false;
  std::string error;
  std::vector<DeployPlan> deploys;
  protocol::Json patch = nullptr;  // the agent's patch.plan answer (null: no [patch])
  protocol::Json state = nullptr;  // HostState of the answers (saved_plan.h); null when unreachable
};

// Asks the host what it runs (with drift) and compares with the targets,
// and what its package transaction would be. Changes nothing on the host.
// With `observations`, the answers are kept there as host `index`'s.
HostPlan PlanHost(AgentClient& client, repo::Git& git, const inventory::Host& host, const protocol::Json& patch,
                  const std::vector<ResolvedDeploy>& deploys, ObservationLog* observations = nullptr, size_t index = 0);

struct HostDeploy {
  HostOutcome outcome;
  std::optional<crypto::Ed25519Public> agent_key;
  size_t bytes_sent = 0;
};

// Ships what the host lacks, then applies the patch (null: none) and every
// deploy in one signed request; waits for a reboot the agent announces
// (new boot id) before the host counts as done. The answer must be bound to
// `binding` and this host (intervention.h), or the host counts as failed.
HostDeploy DeployToHost(AgentClient& client, PackCache& packs, const inventory::Host& host, const AnswerBinding& binding,
                        const protocol::Json& patch, const std::vector<ResolvedDeploy>& deploys,
                        std::chrono::milliseconds timeout);

// The journaled fields of an agent's apply.result into `outcome`: deploys
// (file counts left null: DeployToHost adds them, it has both commits),
// patch and packages; status failed with the first error unless the agent
// said ok. Shared with reconcile, which journals kept answers.
void ReadApplyResult(const protocol::Json& body, HostOutcome& outcome);

// The same for a deploy.rollback's deploy.result.
void ReadRollbackResult(const protocol::Json& body, HostOutcome& outcome);

// The {name, path} list deploy.status takes.
protocol::Json DeployQueries(const std::vector<ResolvedDeploy>& deploys);

}  // namespace daybook::controller
