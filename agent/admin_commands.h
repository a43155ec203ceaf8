// The agent's one-shot administration commands, run by root on the host
// (by `daybook bootstrap` over the operator's ssh, or by an admin):
//   daybook-agent --print-host-key      the agent's public host key
//   daybook-agent --install-operators   authorized_operators from stdin
// Both read the same configuration the service reads, so they name the
// files the running agent uses.
#pragma once

#include <iosfwd>
#include <string>

#include "agent/config.h"
#include "core/base/filesystem.h"

namespace daybook::agent {

// Prints "ssh-ed25519 BASE64 daybook-agent@HOSTNAME" (OpenSSH public key
// format, PROTOCOL.key) of <state_dir>/host_key. kNotFound when the
// service has not created it yet (it does on its first start): this never
// creates a key, so it cannot race the service into two keys.
// With `challenge` (64 hex digits from the controller), a second line
// follows: the base64 Ed25519 signature of HostKeyProofMessage(challenge),
// so whoever reads this over ssh knows the host holds the private key, not
// only a copy of someone else's public one.
Status PrintHostKey(const AgentConfig& config, Filesystem& fs, const std::string& hostname, std::ostream& out,
                    const std::string& challenge = "");


// Replaces authorized_operators with `text` (OpenSSH authorized_keys of
// plain ssh-ed25519 lines, comments allowed), atomically, mode 0600.
// kInvalidInput, and nothing written, when a line is not such a key (the
// agent would ignore it: better said now than found out at the first
// push), when no key is left, or when the text is over 1 MiB. The running
// agent reads the file at every authentication: no restart is needed.
Result<size_t> InstallOperators(const AgentConfig& config, Filesystem& fs, const std::string& text);

}  // namespace daybook::agent
