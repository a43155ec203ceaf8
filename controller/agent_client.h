// Talking to the agents of the fleet: the operator's credentials, host key
// pinning against inventory/known_hosts (accepting new keys only when told
// to), and signed requests. Used by ping today, by plan/push/status later.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "controller/known_hosts.h"
#include "core/base/filesystem.h"
#include "core/inventory/model.h"
#include "core/protocol/frame.h"
#include "core/transport/ssh_client.h"

namespace daybook::controller {

struct AgentClientSettings {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  bool accept_new_host_keys = false;
  bool use_agent = true;   // $SSH_AUTH_SOCK is set
  std::string key_pem;     // the operator key file, when readable and unencrypted
};

// A verified answer with the agent's signature over it, for the journal.
struct SignedAnswer {
  protocol::Json body;         // shape-checked, absent optional keys added as null: for reading
  protocol::Json signed_body;  // exactly what the agent signed: for the journal
  std::string sig;             // base64 Ed25519 over the canonical signed_body
};

// Shared by the fan-out threads of one command.
class AgentClient {
 public:
  AgentClient(Filesystem& fs, std::filesystem::path known_hosts_path, KnownHosts known, AgentClientSettings settings)
      : fs_(fs), path_(std::move(known_hosts_path)), known_(std::move(known)), settings_(std::move(settings)) {}

  // An established, pinned connection to `host`.
  Result<std::unique_ptr<transport::Connection>> Connect(const inventory::Host& host);

  // Sends `request` and checks the response's signature against the pinned
  // key; an "error" response becomes an error.
  static Result<protocol::Json> Call(transport::Connection& connection, const protocol::Json& request);
  // The same, keeping the signature, with its own timeout when given.
  static Result<SignedAnswer> CallSigned(transport::Connection& connection, const protocol::Json& request,
                                         std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  int accepted_keys() const { return accepted_; }

  // Pins `key` for `host` as the operator's word: a key read over a channel
  // the operator already trusts (bootstrap's ssh). Journaled first (the
  // before_pin hook), like --accept-new-host-keys; a key known_hosts
  // already lists is fine, a changed or revoked one is refused.
  Status PinTrustedKey(const inventory::Host& host, const crypto::Ed25519Public& key) {
    return CheckHostKey(host, key, true);
  }
  // kFailed when known_hosts pins another key for `host` (changed,
  // revoked) or pins `key` for another host; nothing is pinned.
  Status CheckCandidateKey(const inventory::Host& host, const crypto::Ed25519Public& key) const;
  // A connection that accepts `key` alone, pinning nothing: to have the
  // agent prove a key before it is pinned.
  Result<std::unique_ptr<transport::Connection>> ConnectExpecting(const inventory::Host& host, const crypto::Ed25519Public& key);

  // Called before a new host key is pinned (with --accept-new-host-keys);
  // an error keeps it unpinned. Ping journals the acceptance here.
  void set_before_pin(std::function<Status(const inventory::Host&, const crypto::Ed25519Public&)> hook) {
    before_pin_ = std::move(hook);
  }

 private:
  Status CheckHostKey(const inventory::Host& host, const crypto::Ed25519Public& key, bool accept_new);
  // The connection settings for `host`, without a host key check.
  transport::ClientOptions OptionsFor(const inventory::Host& host) const;

  Filesystem& fs_;
  std::filesystem::path path_;
  KnownHosts known_;
  AgentClientSettings settings_;
  std::mutex append_mu_;
  int accepted_ = 0;
  std::function<Status(const inventory::Host&, const crypto::Ed25519Public&)> before_pin_;
};

}  // namespace daybook::controller
