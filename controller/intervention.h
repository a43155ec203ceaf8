// One journaled intervention (DESIGN.md §7), shared by push and rollback:
// `intervention.begin` signed by the operator is durable before any host is
// touched (if it cannot be written, nothing happens), then one
// `host.result` per host carrying the agent's signed answer, then
// `intervention.end` with the outcome.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "controller/agent_client.h"
#include "controller/fleet_session.h"

namespace daybook::controller {

// What one host did, as journaled.
struct HostOutcome {
  std::string status = "ok";  // ok | failed | unreachable | skipped
  std::string error;
  protocol::Json details = protocol::Json::object();  // extra record fields (deploys, shipped...)
  std::optional<SignedAnswer> answer;                 // the agent's signed answer, when there is one
};

class Intervention {
 public:
  // Writes the begin record: `fields` (manifest or rollback, targets,
  // ticket...) plus the intervention id, signed by the operator.
  static Result<std::unique_ptr<Intervention>> Begin(Env& env, const GlobalOptions& global, FleetSession& session,
                                                     protocol::Json fields);

  const std::string& id() const { return id_; }

  // The host.result fields of one host, with the agent's signed answer. The
  // signature is checked against the pinned key before it gets here
  // (AgentClient::CallSigned).
  protocol::Json HostFields(const inventory::Host& host, const HostOutcome& outcome,
                            const std::optional<crypto::Ed25519Public>& agent_key) const;

  // Thread-safe. Writes the host.result records in one group commit.
  Status RecordHosts(std::vector<protocol::Json> results);
  Status RecordHost(const inventory::Host& host, const HostOutcome& outcome,
                    const std::optional<crypto::Ed25519Public>& agent_key) {
    return RecordHosts({HostFields(host, outcome, agent_key)});
  }

  // outcome: completed | halted | interrupted | failed.
  Status End(const std::string& outcome, protocol::Json summary);

 private:
  Intervention(FleetSession& session, std::string id) : session_(session), id_(std::move(id)) {}
  FleetSession& session_;
  std::string id_;
};

// "20261128T065312Z-3f9a01c2": sortable, unique enough per fleet.
std::string NewInterventionId(const Clock& clock);

}  // namespace daybook::controller
