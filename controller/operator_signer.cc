#include "controller/operator_signer.h"

#include "core/base/strings.h"
#include "core/crypto/ssh_key.h"
#include "core/journal/key_signer.h"
#include "core/journal/record.h"

namespace daybook::controller {
namespace {

namespace fs = std::filesystem;

// Signs through ssh-agent: `ssh-keygen -Y sign` given the public key finds
// the private half in the agent.
class AgentOperatorSigner final : public journal::OperatorSigner {
 public:
  AgentOperatorSigner(exec::ProcessRunner& runner, crypto::Ed25519Public key, fs::path public_file, std::string sock)
      : runner_(runner), key_(key), public_file_(std::move(public_file)), sock_(std::move(sock)) {}

  const crypto::Ed25519Public& public_key() const override { return key_; }

  Result<std::string> Sign(std::string_view message) override {
    exec::ProcessSpec spec = exec::ProcessSpec::Of(
        {"ssh-keygen", "-Y", "sign", "-q", "-n", std::string(journal::kOperatorNamespace), "-f", public_file_.string()});
    spec.env["SSH_AUTH_SOCK"] = sock_;
    spec.stdin_data = std::string(message);
    spec.timeout = std::chrono::minutes(2);  // a FIDO key may wait for a touch
    Result<exec::ProcessResult> run = runner_.Run(spec);
    if (!run) return std::move(run).error();
    if (!run->ok()) {
      return MakeError(ErrorCode::kFailed, "ssh-keygen -Y sign (through ssh-agent): " + run->Describe() + ": " +
                                               std::string(Trim(run->err)));
    }
    return run->out;
  }

 private:
  exec::ProcessRunner& runner_;
  crypto::Ed25519Public key_;
  fs::path public_file_;
  std::string sock_;
};

// The first agent key allowed to sign interventions, if any.
std::optional<crypto::Ed25519Public> AllowedAgentKey(exec::ProcessRunner& runner, const std::string& sock,
                                                     const crypto::AllowedSigners& allowed, TimePoint now) {
  exec::ProcessSpec list = exec::ProcessSpec::Of({"ssh-add", "-L"});
  list.env["SSH_AUTH_SOCK"] = sock;
  list.timeout = std::chrono::seconds(10);
  Result<exec::ProcessResult> run = runner.Run(list);
  if (!run || !run->ok()) return std::nullopt;  // no agent, or no keys in it
  for (const std::string& line : Split(run->out, '\n')) {
    Result<crypto::Ed25519Public> key = crypto::ParseSshPublicKey(line);
    if (key && crypto::FindAllowedPrincipal(allowed, *key, std::string(journal::kOperatorNamespace), now)) return *key;
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<journal::OperatorSigner>> MakeOperatorSigner(exec::ProcessRunner& runner, Filesystem& fs,
                                                                    const FleetConfig& config,
                                                                    const crypto::AllowedSigners& allowed,
                                                                    const SignerInputs& inputs, TimePoint now) {
  if (!inputs.ssh_auth_sock.empty()) {
    if (std::optional<crypto::Ed25519Public> key = AllowedAgentKey(runner, inputs.ssh_auth_sock, allowed, now)) {
      fs::path public_file = inputs.work / "operator-agent-key.pub";
      if (Status made = fs.CreateDirectories(inputs.work); !made) return std::move(made).error();
      if (Status s = fs.WriteFileAtomic(public_file, crypto::FormatSshPublicKey(*key) + "\n", 0644); !s) {
        return std::move(s).error();
      }
      return std::unique_ptr<journal::OperatorSigner>(
          new AgentOperatorSigner(runner, *key, public_file, inputs.ssh_auth_sock));
    }
  }
  std::string path = config.operator_key;
  if (StartsWith(path, "~/")) {
    if (inputs.home.empty()) return MakeError(ErrorCode::kInvalidInput, "operator key " + path + ": $HOME is not set");
    path = inputs.home + path.substr(1);
  }
  Result<std::string> pem = fs.ReadFile(path);
  if (!pem) {
    return MakeError(ErrorCode::kInvalidInput, "no operator key: ssh-agent offers no key listed in allowed_signers, and " +
                                                   pem.error().message);
  }
  Result<crypto::Ed25519Key> key = crypto::ParseOpenSshPrivateKey(*pem);
  if (!key) return std::move(key).error().WithContext("operator key " + path);
  return std::unique_ptr<journal::OperatorSigner>(new journal::KeyOperatorSigner(*key));
}

}  // namespace daybook::controller
