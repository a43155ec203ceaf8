// The controller's SSH connection to one agent (libssh): TCP_NODELAY, an
// Ed25519 host key that the caller checks (pinning), public-key auth from
// ssh-agent first then a key file, the `daybook` subsystem, and framed
// request/response with timeouts.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/protocol/frame.h"

namespace daybook::transport {

struct ClientOptions {
  std::string host;
  int port = 7022;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  // Decides whether the server's host key is acceptable (known_hosts).
  std::function<Status(const crypto::Ed25519Public&)> check_host_key;
  bool use_agent = true;    // try the keys of $SSH_AUTH_SOCK first
  std::string key_pem;      // then this unencrypted OpenSSH private key, if set
  uint32_t max_frame = protocol::kDefaultMaxFrame;
};

class Connection {
 public:
  // Connects, checks the host key, authenticates, opens the subsystem.
  // Errors say which step failed ("connect: ...", "host key: ...",
  // "authentication: ...").
  static Result<std::unique_ptr<Connection>> Open(const ClientOptions& options);
  virtual ~Connection() = default;
  virtual const crypto::Ed25519Public& host_key() const = 0;
  // Sends one frame and waits for one back (within the request timeout).
  virtual Result<protocol::Json> Request(const protocol::Json& request) = 0;
  // The same with its own timeout (requests that run hooks or checkouts).
  virtual Result<protocol::Json> Request(const protocol::Json& request, std::chrono::milliseconds timeout) = 0;
  // Sends raw bytes (tests of malformed input) and waits for one frame back.
  virtual Result<protocol::Json> RequestRaw(std::string_view bytes) = 0;
};

}  // namespace daybook::transport
