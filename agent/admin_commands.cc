#include "agent/admin_commands.h"

#include <algorithm>
#include <cctype>
#include <ostream>

#include "agent/operators.h"
#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/protocol/messages.h"

namespace daybook::agent {

Status PrintHostKey(const AgentConfig& config, Filesystem& fs, const std::string& hostname, std::ostream& out,
                    const std::string& challenge) {
  if (!challenge.empty() && (challenge.size() != 64 || !std::all_of(challenge.begin(), challenge.end(), [](char c) {
                               return std::isxdigit(static_cast<unsigned char>(c)) != 0 && !std::isupper(static_cast<unsigned char>(c));
                             }))) {
    return MakeError(ErrorCode::kInvalidInput, "--challenge: want 64 lowercase hex digits");
  }
  const std::filesystem::path path = std::filesystem::path(config.state_dir) / "host_key";
  if (!fs.Exists(path)) {
    return MakeError(ErrorCode::kNotFound, "no host key at " + path.string() + " yet: the agent creates it when it first starts");
  }
  Result<std::string> pem = fs.ReadFile(path);
  if (!pem) return std::move(pem).error();
  Result<crypto::Ed25519Key> key = crypto::ParseOpenSshPrivateKey(*pem);
  if (!key) return std::move(key).error().WithContext("host key " + path.string());
  out << crypto::FormatSshPublicKey(key->public_key()) << " daybook-agent@" << TerminalSafe(hostname) << "\n";
  if (!challenge.empty()) {
    crypto::Ed25519Signature sig = key->Sign(protocol::HostKeyProofMessage(challenge));
    out << crypto::Base64Encode(sig.data(), sig.size()) << "\n";
  }
  return OkStatus();
}

Result<size_t> InstallOperators(const AgentConfig& config, Filesystem& fs, const std::string& text) {
  constexpr size_t kMaxOperators = 1u << 20;
  if (text.size() > kMaxOperators) return MakeError(ErrorCode::kInvalidInput, "operators: over 1 MiB");
  OperatorKeys keys = ParseAuthorizedKeys(text);
  if (!keys.skipped.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "operators: not a plain ssh-ed25519 key: " + Join(keys.skipped, "; "));
  }
  if (keys.keys.empty()) return MakeError(ErrorCode::kInvalidInput, "operators: no key (nobody could act on this host)");
  const std::filesystem::path path(config.authorized_operators);
  if (Status made = fs.CreateDirectories(path.parent_path()); !made) return std::move(made).error();
  if (Status written = fs.WriteFileAtomic(path, text, 0600); !written) return std::move(written).error();
  return keys.keys.size();
}

}  // namespace daybook::agent
