// The agent's SSH server (libssh): public-key authentication only, by keys
// the caller authorizes; only the `daybook` subsystem on a session channel
// (exec, shell, pty, forwarding, agent forwarding, password and none auth
// are refused); a thread per session, at most `max_sessions` at once; a
// login grace time after which a connection that has not opened the
// subsystem is cut; TCP_NODELAY on every connection.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/transport/host_key.h"

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
  int max_sessions = 64;
  std::chrono::milliseconds login_grace{std::chrono::seconds(20)};
  // Is this public key allowed? Called for every authentication attempt.
  std::function<bool(const crypto::Ed25519Public&)> authorize;
  // Runs the protocol on an established session (on its own thread) and
  // returns a summary of what was asked and answered, for the session log.
  std::function<std::string(const SessionInfo&, Stream&)> serve;
  // One line per session for the log: peer, operator, outcome.
  std::function<void(const SessionInfo&, const std::string& outcome, std::chrono::milliseconds)> log;
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
