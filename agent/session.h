// The protocol on one established session: read frames, answer each with a
// signed response. Malformed input (oversize, bad JSON, too deep) gets a
// signed error frame and ends the session; an unknown message type gets an
// error frame and the session goes on. Anything unexpected while answering
// (an exception that escaped a library) becomes an "internal" error frame
// and one log line; the session and the daemon go on.
#pragma once

#include <filesystem>
#include <functional>

#include "agent/access_log.h"
#include "agent/intervention_session.h"
#include "core/base/clock.h"
#include "core/crypto/ed25519.h"
#include "core/protocol/frame.h"
#include "core/transport/ssh_server.h"

namespace daybook::agent {

class LoginWatch;

struct SessionContext {
  const crypto::Ed25519Key* host_key = nullptr;
  uint32_t max_frame = protocol::kDefaultMaxFrame;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  std::function<protocol::Json()> facts;
  const InterventionContext* interventions = nullptr;  // null: intervention messages are refused
  const Clock* clock = nullptr;  // for observed_at; null: the system clock
  AccessLog* access = nullptr;   // null: nothing is recorded, changes are refused
  LoginWatch* logins = nullptr;  // null: the host's login records are not read
};

// Who is on the other end of a session, for the access log.
struct Peer {
  std::string address;  // "127.0.0.1:53412"
  std::string key;      // SHA256:... of the operator key that authenticated
};

// Runs until the client closes, an error, or the idle timeout. Returns a
// one-line summary for the session log ("hello,facts" or "error: ...").
// `internal_error` is told what escaped (for the daemon's log).
std::string ServeSession(const SessionContext& context, transport::Stream& stream,
                         const std::function<void(const std::string&)>& internal_error = {}, const Peer& peer = {});

// A request that changes the host (apply, deploy.rollback, results.ack,
// facts bound to an intervention): what the access log records, before it
// is carried out and with its result.
bool ChangesHost(const protocol::Json& request);

// The response to one request (unsigned), for tests and the loop above.
// Deploy messages keep per-session state in `deploy` (may be null).
protocol::Json Answer(const SessionContext& context, InterventionSession* deploy, const protocol::Json& request);

// What status and plan ask with "observe" and "journal" (core/journal/
// observation.h): the answer echoes both and says when, in what the agent
// signs. A malformed "observe" or "journal" is a bad request; an error
// answer is left as it is.
protocol::Json WithObservation(const Clock& clock, const protocol::Json& request, protocol::Json answer);

// Answer() behind the last-resort catch: never throws.
protocol::Json SafeAnswer(const SessionContext& context, InterventionSession* deploy, const protocol::Json& request,
                          const std::function<void(const std::string&)>& internal_error = {});

}  // namespace daybook::agent
