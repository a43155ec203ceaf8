// The agent's SSH server (libssh): public-key authentication only, by keys
// the caller authorizes; only the `daybook` subsystem on a session channel
// (exec, shell, pty, forwarding, agent forwarding, password and none auth
// are refused); a thread per connection. Before authentication a
// connection counts against the StartupGate (max_startups, per source),
// has `max_auth_tries` keys to offer and the login grace time to open the
// subsystem; after it, against `max_sessions`. TCP_NODELAY on every
// connection.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/transport/host_key.h"
#include "core/transport/startup_gate.h"

namespace daybook::transport {

// A byte stream over the subsystem channel, used on the session's thread.
class Stream {
 public:
  virtual ~Stream() = default;
  // Up to `max` bytes; empty at end of stream. kFailed on error or timeout.
  virtual Result<std::string> Read(size_t max, std::chrono::milliseconds timeout) = 0;
  virtual Status Write(std::string_view data) = 0;
};

struct SessionInfo {
  std::string peer;                  // "127.0.0.1:53412"
  std::string operator_fingerprint;  // SHA256:... of the key that authenticated
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 7022;  // 0 = pick one
  int max_sessions = 64;  // authenticated sessions at once
  StartupLimits startups;  // unauthenticated connections
  int max_auth_tries = 6;  // keys offered on one connection before it is cut
  std::chrono::milliseconds login_grace{std::chrono::seconds(20)};
  // Is this public key allowed? Called for every authentication attempt.
  std::function<bool(const crypto::Ed25519Public&)> authorize;
  // Runs the protocol on an established session (on its own thread) and
  // returns a summary of what was asked and answered, for the session log.
  std::function<std::string(const SessionInfo&, Stream&)> serve;
  // One line per session for the log: peer, operator, outcome.
  std::function<void(const SessionInfo&, const std::string& outcome, std::chrono::milliseconds)> log;
  // Connections dropped before key exchange (max_startups, per-source cap),
  // reported at most every 10 s so a flood cannot flood the log too.
  std::function<void(int dropped, const std::string& last_reason)> log_dropped;
};

class SshServer {
 public:
  // Binds and listens. The bound port is port() (useful with port 0).
  static Result<std::unique_ptr<SshServer>> Listen(const HostKey& host_key, ServerOptions options);
  virtual ~SshServer() = default;
  virtual int port() const = 0;
  // Accepts and serves until Stop(); returns when sessions in flight have
  // finished or `drain` has passed.
  virtual void Run() = 0;
  // Thread-safe; async-signal-unsafe (call from a normal thread).
  virtual void Stop(std::chrono::milliseconds drain) = 0;
  virtual int active_sessions() const = 0;
};

}  // namespace daybook::transport
