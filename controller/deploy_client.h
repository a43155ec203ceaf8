// The controller's half of the deploy messages (agent/intervention_session.h)
// over one pinned connection: ask what the agent has, ship a pack of only
// the missing objects in bounded chunks, apply, roll back.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "controller/agent_client.h"
#include "controller/manifest_source.h"
#include "controller/pack_cache.h"
#include "core/repo/git.h"
#include "core/transport/ssh_client.h"

namespace daybook::controller {

// deploy.status for `deploys` ({name, path} each; empty = all the agent knows).
protocol::Json DeployStatusRequest(const protocol::Json& deploys, bool drift);
Result<protocol::Json> QueryDeploys(transport::Connection& connection, const protocol::Json& deploys, bool drift);

struct Shipped {
  size_t objects = 0;
  size_t bytes = 0;  // pack bytes sent (0 when the agent had everything)
  int64_t build_ms = 0;  // packing on the controller
  int64_t send_ms = 0;   // streaming and indexing on the agent
};

// Sends what the agent lacks of `deploy.target.commit` (`haves` = the
// agent's kept commits, from QueryDeploys). Nothing when it has the commit.
Result<Shipped> ShipCommit(transport::Connection& connection, PackCache& packs, const ResolvedDeploy& deploy,
                           const std::vector<std::string>& haves);

// The apply request for a host: the patch (null: none), then every deploy
// in manifest order.
protocol::Json ApplyRequest(const std::string& intervention, const protocol::Json& patch,
                            const std::vector<ResolvedDeploy>& deploys, std::chrono::milliseconds timeout);

// Raw pack bytes per pack.data message.
constexpr size_t kShipChunk = 1u << 20;

}  // namespace daybook::controller
