#include "core/protocol/messages.h"

#include "core/base/text.h"
#include "core/crypto/encoding.h"

namespace daybook::protocol {

Json HelloRequest(const std::string& client) {
  return {{"type", "hello"}, {"protocols", {kProtocolVersion}}, {"client", client}};
}

Json FactsRequest() { return {{"type", "facts"}}; }

std::string HostKeyProofMessage(const std::string& challenge) { return "daybook-agent host key proof v1\n" + challenge; }

Json ErrorMessage(const std::string& code, const std::string& message) {
  // Messages quote file names and tool output: bytes, until made text.
  return {{"type", "error"}, {"code", ReadableText(code)}, {"message", ReadableText(message)}};
}

Json SignResponse(const Json& body, const crypto::Ed25519Key& host_key) {
  crypto::Ed25519Signature sig = host_key.Sign(journal::Canonical(body));
  return {{"type", "signed"}, {"body", body}, {"sig", crypto::Base64Encode(sig.data(), sig.size())}};
}

Result<Json> OpenResponse(const Json& frame, const crypto::Ed25519Public& pinned) {
  if (!frame.is_object() || !frame.contains("type") || frame["type"] != "signed" || !frame.contains("body") ||
      !frame["body"].is_object() || !frame.contains("sig") || !frame["sig"].is_string()) {
    return MakeError(ErrorCode::kFailed, "unsigned or malformed response from the agent");
  }
  std::optional<crypto::Bytes> sig = crypto::Base64Decode(frame["sig"].get<std::string>());
  if (!sig || !crypto::Ed25519Verify(pinned, journal::Canonical(frame["body"]), *sig)) {
    return MakeError(ErrorCode::kFailed, "the response's signature does not match the pinned host key");
  }
  return frame["body"];
}

std::optional<int> NegotiateVersion(const Json& hello) {
  if (!hello.contains("protocols") || !hello["protocols"].is_array()) return std::nullopt;
  for (const Json& v : hello["protocols"]) {
    if (v.is_number_integer() && v == kProtocolVersion) return kProtocolVersion;
  }
  return std::nullopt;
}

}  // namespace daybook::protocol
