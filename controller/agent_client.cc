#include "controller/agent_client.h"

#include "controller/answer_shapes.h"
#include "core/crypto/ssh_key.h"
#include "core/schema/json_reader.h"
#include "core/protocol/messages.h"

namespace daybook::controller {

Status AgentClient::CheckHostKey(const inventory::Host& host, const crypto::Ed25519Public& key, bool accept_new) {
  std::string token = HostToken(host.address, host.port);
  HostKeyLookup lookup = known_.Find(token, key);
  switch (lookup.match) {
    case HostKeyMatch::kKnown:
      return OkStatus();
    case HostKeyMatch::kRevoked:
      return MakeError(ErrorCode::kFailed, "the host key " + crypto::SshFingerprint(key) + " of " + token +
                                               " is revoked (" + path_.string() + ":" + std::to_string(lookup.line) + ")");
    case HostKeyMatch::kChanged:
      return MakeError(ErrorCode::kFailed, KnownHosts::ChangedKeyMessage(token, key, path_.string(), lookup.line));
    case HostKeyMatch::kUnknown:
      break;
  }
  if (!accept_new) {
    return MakeError(ErrorCode::kFailed, "unknown host key " + crypto::SshFingerprint(key) + " for " + token +
                                             "; check it out of band, then run with --accept-new-host-keys");
  }
  std::lock_guard lock(append_mu_);
  // Again under the lock: another host's thread may have pinned meanwhile.
  if (HostKeyLookup again = known_.Find(token, key); again.match != HostKeyMatch::kUnknown) {
    if (again.match == HostKeyMatch::kKnown) return OkStatus();
    return MakeError(ErrorCode::kFailed, KnownHosts::ChangedKeyMessage(token, key, path_.string(), again.line));
  }
  if (std::optional<std::string> other = known_.OtherHostWith(token, key)) {
    return MakeError(ErrorCode::kFailed, "the agent key " + crypto::SshFingerprint(key) + " of " + token + " is already pinned for " +
                                             *other + " in " + path_.string() + ": one agent cannot answer for two hosts");
  }
  if (before_pin_) {
    if (Status s = before_pin_(host, key); !s) return std::move(s).error().WithContext("not pinned");
  }
  if (Status s = fs_.AppendFile(path_, token + " " + crypto::FormatSshPublicKey(key) + "\n", 0644); !s) return s;
  known_.Add(token, key);
  ++accepted_;
  return OkStatus();
}

transport::ClientOptions AgentClient::OptionsFor(const inventory::Host& host) const {
  transport::ClientOptions options;
  options.host = host.address;
  options.port = host.port;
  options.connect_timeout = settings_.connect_timeout;
  options.request_timeout = settings_.request_timeout;
  options.use_agent = settings_.use_agent;
  options.key_pem = settings_.key_pem;
  return options;
}

Status AgentClient::CheckCandidateKey(const inventory::Host& host, const crypto::Ed25519Public& key) const {
  std::string token = HostToken(host.address, host.port);
  HostKeyLookup lookup = known_.Find(token, key);
  if (lookup.match == HostKeyMatch::kRevoked) {
    return MakeError(ErrorCode::kFailed, "the host key " + crypto::SshFingerprint(key) + " of " + token + " is revoked (" +
                                             path_.string() + ":" + std::to_string(lookup.line) + ")");
  }
  if (lookup.match == HostKeyMatch::kChanged) {
    return MakeError(ErrorCode::kFailed, KnownHosts::ChangedKeyMessage(token, key, path_.string(), lookup.line));
  }
  if (std::optional<std::string> other = known_.OtherHostWith(token, key)) {
    return MakeError(ErrorCode::kFailed, "the agent key " + crypto::SshFingerprint(key) + " of " + token + " is already pinned for " +
                                             *other + " in " + path_.string() + ": one agent cannot answer for two hosts");
  }
  return OkStatus();
}

Result<std::unique_ptr<transport::Connection>> AgentClient::ConnectExpecting(const inventory::Host& host,
                                                                              const crypto::Ed25519Public& key) {
  transport::ClientOptions options = OptionsFor(host);
  options.check_host_key = [key](const crypto::Ed25519Public& seen) -> Status {
    if (seen == key) return OkStatus();
    return MakeError(ErrorCode::kFailed, "the agent answered with host key " + crypto::SshFingerprint(seen) +
                                             ", not the one read over ssh (" + crypto::SshFingerprint(key) + ")");
  };
  return transport::Connection::Open(options);
}

Result<std::unique_ptr<transport::Connection>> AgentClient::Connect(const inventory::Host& host) {
  transport::ClientOptions options = OptionsFor(host);
  options.check_host_key = [this, &host](const crypto::Ed25519Public& key) {
    return CheckHostKey(host, key, settings_.accept_new_host_keys);
  };
  return transport::Connection::Open(options);
}

Result<SignedAnswer> AgentClient::CallSigned(transport::Connection& connection, const protocol::Json& request,
                                             std::optional<std::chrono::milliseconds> timeout) {
  Result<protocol::Json> frame = timeout ? connection.Request(request, *timeout) : connection.Request(request);
  if (!frame) return frame.error();
  Result<protocol::Json> body = protocol::OpenResponse(*frame, connection.host_key());
  if (!body) return body.error();
  // The signature is the agent's; what it signed is still untrusted input.
  // The journal keeps the signed bytes; readers get a checked copy.
  protocol::Json readable = *body;
  if (Status shaped = CheckAnswer(readable); !shaped) return shaped.error();
  std::string type = schema::StringOr(readable, "type");
  if (type == "error") {
    return MakeError(ErrorCode::kFailed, "agent error " + schema::StringOr(readable, "code", "?") + ": " +
                                             schema::StringOr(readable, "message"));
  }
  if (std::string expected = ExpectedAnswer(request); !expected.empty() && type != expected) {
    return MakeError(ErrorCode::kFailed, "the agent answered " + protocol::Json(type).dump() + " to " +
                                             protocol::Json(schema::StringOr(request, "type")).dump());
  }
  return SignedAnswer{std::move(readable), std::move(*body), schema::StringOr(*frame, "sig")};
}

Result<protocol::Json> AgentClient::Call(transport::Connection& connection, const protocol::Json& request) {
  Result<SignedAnswer> answer = CallSigned(connection, request);
  if (!answer) return answer.error();
  return std::move(answer->body);
}

}  // namespace daybook::controller
