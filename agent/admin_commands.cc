#include "agent/admin_commands.h"

#include <ostream>

#include "agent/operators.h"
#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/crypto/ssh_key.h"

namespace daybook::agent {

Status PrintHostKey(const AgentConfig& config, Filesystem& fs, const std::string& hostname, std::ostream& out) {
  const std::filesystem::path path = std::filesystem::path(config.state_dir) / "host_key";
  if (!fs.Exists(path)) {
    return MakeError(ErrorCode::kNotFound, "no host key at " + path.string() + " yet: the agent creates it when it first starts");
  }
  Result<std::string> pem = fs.ReadFile(path);
  if (!pem) return std::move(pem).error();
  Result<crypto::Ed25519Key> key = crypto::ParseOpenSshPrivateKey(*pem);
  if (!key) return std::move(key).error().WithContext("host key " + path.string());
  out << crypto::FormatSshPublicKey(key->public_key()) << " daybook-agent@" << TerminalSafe(hostname) << "\n";
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
