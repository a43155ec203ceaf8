// The protocol on one established session: read frames, answer each with a
// signed response. Malformed input (oversize, bad JSON, too deep) gets a
// signed error frame and ends the session; an unknown message type gets an
// error frame and the session goes on.
#pragma once

#include <filesystem>
#include <functional>

#include "agent/intervention_session.h"
#include "core/crypto/ed25519.h"
#include "core/protocol/frame.h"
#include "core/transport/ssh_server.h"

namespace daybook::agent {

struct SessionContext {
  const crypto::Ed25519Key* host_key = nullptr;
  uint32_t max_frame = protocol::kDefaultMaxFrame;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  std::function<protocol::Json()> facts;
  const InterventionContext* interventions = nullptr;  // null: intervention messages are refused
};

// Runs until the client closes, an error, or the idle timeout. Returns a
// one-line summary for the session log ("hello,facts" or "error: ...").
std::string ServeSession(const SessionContext& context, transport::Stream& stream);

// The response to one request (unsigned), for tests and the loop above.
// Deploy messages keep per-session state in `deploy` (may be null).
protocol::Json Answer(const SessionContext& context, InterventionSession* deploy, const protocol::Json& request);

}  // namespace daybook::agent
