// What every command that talks to agents sets up first: the fleet, the
// targeted hosts, the operator's credentials, host key pinning against
// inventory/known_hosts (a newly accepted key is journaled before it is
// pinned), and the fan-out width.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "controller/agent_client.h"
#include "controller/env.h"
#include "controller/fleet.h"
#include "core/crypto/allowed_signers.h"
#include "core/journal/store.h"

namespace daybook::controller {

// The flags shared by ping, plan, push, rollback and status.
struct ConnectFlags {
  std::string target;            // "" = the command's default
  bool accept_new_host_keys = false;
  int parallel = 0;              // 0 = daybook.toml's default
  std::string connect_timeout;   // "" = daybook.toml's default
  std::string timeout = "30s";   // per request
};

// Registers --target (when `with_target`), --accept-new-host-keys,
// --parallel, --connect-timeout and --timeout.
void AddConnectFlags(CLI::App& command, ConnectFlags& flags, bool with_target = true);

// The operator's credentials: ssh-agent when $SSH_AUTH_SOCK is set, and the
// [operator] key of daybook.toml when it can be read; kInvalidInput saying
// so when neither can be used.
Result<AgentClientSettings> OperatorCredentials(Env& env, const FleetConfig& config);

struct FleetSession {
  Fleet fleet;
  // The fleet commit it was read from (push, plan, rollback), "" when read
  // from the working tree (ping, status); then `committed_signers` is the
  // allowed_signers of that commit, used instead of the working tree's.
  std::string fleet_commit;
  std::optional<crypto::AllowedSigners> committed_signers;
  std::vector<std::string> hosts;  // targeted, in inventory order
  int parallel = 1;
  std::unique_ptr<AgentClient> client;
  // Opened on first need (pinning a key, or a command that journals).
  std::unique_ptr<journal::JournalWriter> journal;
  std::mutex journal_mu;  // held around every use of `journal` from fan-out threads
  // The operator's signer for the records they cause (begin, key pins),
  // made on first need; used under journal_mu.
  std::unique_ptr<journal::OperatorSigner> operator_signer;

  const inventory::Host& Host(size_t i) const { return *fleet.inventory.FindHost(hosts[i]); }
};

// Loads the fleet and resolves `target` (flags.target when set). With
// `rev`, every fleet file comes from that commit and a working tree that
// differs from it is refused (fleet_commit.h). Errors are bad input (exit
// 2) and nothing has been contacted.
Result<std::unique_ptr<FleetSession>> OpenFleetSession(Env& env, const GlobalOptions& global, const ConnectFlags& flags,
                                                       const std::string& target,
                                                       const std::optional<std::string>& rev = std::nullopt);

// The fleet's journal writer (opened once per session).
Result<journal::JournalWriter*> SessionJournal(Env& env, const GlobalOptions& global, FleetSession& session);

// The operator's signer (opened once per session; call with journal_mu
// held): the first ssh-agent key allowed_signers lists, else the key file.
Result<journal::OperatorSigner*> SessionOperatorSigner(Env& env, const GlobalOptions& global, FleetSession& session);

// Journals `key` as pinned for `host`, signed by the operator, unless the
// journal already pins that key for it (call with journal_mu held). Agent
// signatures are checked against the key the journal pins.
// `explicit_pin`: the operator accepted this key (--accept-new-host-keys).
// Otherwise (a result signed by a key known_hosts lists) a key other than
// the one the journal already pinned for the host is refused: an edit of
// known_hosts must not re-pin a host without the operator's word.
Status JournalHostKey(Env& env, const GlobalOptions& global, FleetSession& session, const inventory::Host& host,
                      const crypto::Ed25519Public& key, bool explicit_pin);

// After a command that may have pinned new host keys: tells the operator
// to commit inventory/known_hosts (push, plan and rollback read it from a
// commit and refuse a working tree that differs).
void AdviseCommitPins(Env& env, const FleetSession& session);

// Connects and says hello: a pinned, authenticated, version-checked connection.
Result<std::unique_ptr<transport::Connection>> ConnectAgent(AgentClient& client, const inventory::Host& host);

}  // namespace daybook::controller
