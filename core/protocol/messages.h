// The messages of protocol version 1. Requests are plain frames; every
// response is wrapped as {"type":"signed","body":{...},"sig":"<base64>"},
// where sig is the agent's Ed25519 signature (its SSH host key) over the
// canonical bytes of body, so results can be checked (and journaled) apart
// from the SSH session that carried them.
//
//   hello  → {"type":"hello","protocols":[1],"client":"daybook 0.1.0"}
//          ← {"type":"hello","protocol":1,"agent":"daybook-agent 0.1.0","nonce":...}
//   facts  → {"type":"facts"}
//          ← {"type":"facts","facts":{agent_version, hostname, os_id, os_version, kernel,
//                                     boot_id, uptime_s, package_backend, reboot_required}}
//   anything else ← {"type":"error","code":"...","message":"..."}
#pragma once

#include <optional>
#include <string>

#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/protocol/frame.h"

namespace daybook::protocol {

constexpr int kProtocolVersion = 1;
constexpr const char* kSubsystem = "daybook";

Json HelloRequest(const std::string& client);
Json FactsRequest();
Json ErrorMessage(const std::string& code, const std::string& message);

// Wraps `body` with the agent's signature.
Json SignResponse(const Json& body, const crypto::Ed25519Key& host_key);

// Checks the signature against the pinned host key and returns the body.
// kFailed when it is missing, malformed or forged.
Result<Json> OpenResponse(const Json& frame, const crypto::Ed25519Public& pinned);

// What `daybook-agent --print-host-key --challenge HEX` signs with the host
// key for `daybook bootstrap`: domain-separated, so the signature is good
// for nothing else the agent signs (canonical JSON answers never start so).
std::string HostKeyProofMessage(const std::string& challenge);

// The agent's choice from the client's list of versions, or nullopt.
std::optional<int> NegotiateVersion(const Json& hello);

}  // namespace daybook::protocol
