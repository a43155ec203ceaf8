// One journaled intervention (DESIGN.md §7), shared by push and rollback:
// `intervention.begin` signed by the operator is durable before any host is
// touched (if it cannot be written, nothing happens), then one
// `host.result` per host carrying the agent's signed answer, then
// `intervention.end` with the outcome. Every request that changes a host
// carries the begin record and the host's name, and the agent's signed
// answer binds both (core/journal/agent_binding.h): an answer is journaled
// only if it names this host, this intervention and this begin record, and
// its signing key is journaled as pinned for the host before it.
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

// What binds an agent's answer to one intervention.
struct AnswerBinding {
  std::string intervention;
  std::string begin_line;  // the canonical intervention.begin record
  std::string begin_hash;  // its leaf hash, hex (journal::BeginHash)
};

// `request` with host, intervention and begin added, for the agent to bind.
protocol::Json BindRequest(protocol::Json request, const AnswerBinding& binding, const std::string& host);

// kFailed unless the answer names `host`, the intervention and its begin.
Status CheckAnswerBinding(const protocol::Json& body, const AnswerBinding& binding, const std::string& host);

class Intervention {
 public:
  // Writes the begin record: `fields` (manifest or rollback, targets,
  // ticket...) plus the intervention id, signed by the operator.
  static Result<std::unique_ptr<Intervention>> Begin(Env& env, const GlobalOptions& global, FleetSession& session,
                                                     protocol::Json fields);

  // An intervention whose begin record is already in the journal (at
  // `begin_seq`, canonical `begin_line`), to record the results a
  // controller that stopped did not (reconcile.h) and to end it.
  static std::unique_ptr<Intervention> Resume(Env& env, const GlobalOptions& global, FleetSession& session,
                                              const std::string& id, const std::string& begin_line, int64_t begin_seq);

  const std::string& id() const { return id_; }
  const AnswerBinding& binding() const { return binding_; }

  // The host.result fields of one host, with the agent's signed answer. The
  // signature is checked against the pinned key before it gets here
  // (AgentClient::CallSigned).
  protocol::Json HostFields(const inventory::Host& host, const HostOutcome& outcome,
                            const std::optional<crypto::Ed25519Public>& agent_key) const;

  // Thread-safe. Writes the host.result records in one group commit,
  // journaling first (operator-signed) the pins of agent keys the journal
  // does not pin yet (keys pinned in inventory/known_hosts by hand).
  Status RecordHosts(std::vector<protocol::Json> results);
  Status RecordHost(const inventory::Host& host, const HostOutcome& outcome,
                    const std::optional<crypto::Ed25519Public>& agent_key) {
    return RecordHosts({HostFields(host, outcome, agent_key)});
  }

  // outcome: completed | halted | interrupted | failed. Signed by the
  // operator whose command ends it (the one who began it, or who
  // reconciled it), when the session has their signer.
  Status End(const std::string& outcome, protocol::Json summary);

 private:
  Intervention(Env& env, const GlobalOptions& global, FleetSession& session, std::string id, AnswerBinding binding,
               int64_t begin_seq)
      : env_(env), global_(global), session_(session), id_(std::move(id)), binding_(std::move(binding)),
        begin_seq_(begin_seq) {}
  Env& env_;
  const GlobalOptions& global_;
  FleetSession& session_;
  std::string id_;
  AnswerBinding binding_;
  int64_t begin_seq_ = 0;
};

// "20261128T065312Z-3f9a01c2": sortable, unique enough per fleet.
std::string NewInterventionId(const Clock& clock);

}  // namespace daybook::controller
