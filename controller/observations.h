// What `status` and `plan` journal of what the agents told them: one
// host.observed record per host that answered, holding the answers as the
// agent signed them (core/journal/observation.h). Each host's questions
// carry one fresh `observe` id; the agent echoes it and its clock.
//
// Used from the fan-out threads: each host index is touched by one thread
// only, and Journal() runs after the fan-out.
#pragma once

#include <string>
#include <vector>

#include "controller/agent_client.h"
#include "controller/env.h"
#include "controller/fleet_session.h"
#include "core/protocol/frame.h"
#include "core/transport/ssh_client.h"

namespace daybook::controller {

class ObservationLog {
 public:
  // `origin`: the journal's checkpoint origin, which the agents sign into
  // their answers; "" asks nothing (no journal to keep them in).
  ObservationLog(std::string source, std::string origin, size_t hosts);

  // `request` with host i's observe id.
  protocol::Json Ask(size_t i, protocol::Json request);
  // CallSigned(Ask(i, request)), keeping the signed answer for the journal.
  Result<protocol::Json> Call(size_t i, transport::Connection& connection, const protocol::Json& request);

  // Appends a host.observed record for each host that answered, in one
  // group commit. Warns on `env.err` (and journals nothing for it) about a
  // host whose key the journal does not pin or whose clock is too far
  // from ours. Returns how many records were written.
  Result<size_t> Journal(Env& env, const GlobalOptions& global, FleetSession& session);

 private:
  struct Host {
    std::string observe;
    std::string key;  // the answering agent's key, OpenSSH text
    protocol::Json answers = protocol::Json::array();
  };
  std::string source_;
  std::string origin_;
  std::vector<Host> hosts_;
};

// For commands that journal observations: one warning line when they could
// not be (the journal is held by another command, or unreadable), since the
// command's own answer still stands.
void WarnUnjournaled(Env& env, const Result<size_t>& journaled);

// The origin of the fleet's journal, "" when it cannot be resolved.
std::string FleetJournalOrigin(Env& env, const GlobalOptions& global);

}  // namespace daybook::controller
