// The operator signer with a real ssh-agent and a real key file.
#include "controller/operator_signer.h"

#include <date/date.h>
#include <doctest/doctest.h>

#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"
#include "core/journal/record.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::controller;
using daybook::testing::ReadAll;
using daybook::testing::RunShell;
using daybook::testing::TempDir;

namespace {

crypto::AllowedSigners Allow(const std::string& pub_line) {
  return *crypto::ParseAllowedSigners({"allowed_signers", "ops@example " + pub_line + "\n"});
}

}  // namespace

TEST_CASE("operator signer: through ssh-agent when it holds an allowed key") {
  TempDir tmp;
  std::string key = (tmp.path / "id").string(), sock = (tmp.path / "agent.sock").string();
  REQUIRE(RunShell("ssh-keygen -q -t ed25519 -N '' -C op -f " + key).first == 0);
  auto [rc, agent_env] = RunShell("ssh-agent -a " + sock);
  REQUIRE(rc == 0);
  std::string pid = agent_env.substr(agent_env.find("SSH_AGENT_PID=") + 14);
  pid = pid.substr(0, pid.find(';'));
  REQUIRE(RunShell("SSH_AUTH_SOCK=" + sock + " ssh-add -q " + key).first == 0);

  auto runner = exec::MakeBoostProcessRunner();
  auto fs = MakePosixFilesystem();
  FleetConfig config;
  config.operator_key = (tmp.path / "absent").string();  // the agent must be used
  crypto::AllowedSigners allowed = Allow(ReadAll(key + ".pub"));
  TimePoint now = date::sys_days{date::year{2026} / 11 / 28};
  auto signer = MakeOperatorSigner(*runner, *fs, config, allowed, {sock, "", tmp.path / ".daybook"}, now);
  REQUIRE_MESSAGE(signer.ok(), signer.error().message);
  Result<std::string> sig = (*signer)->Sign("record bytes");
  REQUIRE_MESSAGE(sig.ok(), sig.error().message);
  Result<crypto::SshsigVerified> verified = crypto::SshsigVerify(*sig, journal::kOperatorNamespace, "record bytes");
  REQUIRE(verified.ok());
  CHECK(verified->key == (*signer)->public_key());

  // An agent whose keys are not allowed is passed over for the key file, which is absent here.
  auto refused = MakeOperatorSigner(*runner, *fs, config, Allow(crypto::FormatSshPublicKey(crypto::Ed25519Key::Generate()->public_key())),
                                    {sock, "", tmp.path / ".daybook"}, now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("no operator key") == 0);
  RunShell("kill " + pid);
}

TEST_CASE("operator signer: the key file, with ~ expanded, encrypted keys refused") {
  TempDir tmp;
  REQUIRE(RunShell("mkdir -p " + (tmp.path / ".ssh").string() + " && ssh-keygen -q -t ed25519 -N '' -f " +
                   (tmp.path / ".ssh/id_ed25519").string()).first == 0);
  auto runner = exec::MakeBoostProcessRunner();
  auto fs = MakePosixFilesystem();
  FleetConfig config;  // "~/.ssh/id_ed25519"
  crypto::AllowedSigners allowed = Allow(ReadAll(tmp.path / ".ssh/id_ed25519.pub"));
  auto signer = MakeOperatorSigner(*runner, *fs, config, allowed, {"", tmp.path.string(), tmp.path / ".daybook"}, {});
  REQUIRE_MESSAGE(signer.ok(), signer.error().message);
  CHECK(crypto::SshsigVerify(*(*signer)->Sign("m"), journal::kOperatorNamespace, "m").ok());

  REQUIRE(RunShell("ssh-keygen -q -t ed25519 -N pw -f " + (tmp.path / "enc").string()).first == 0);
  config.operator_key = (tmp.path / "enc").string();
  auto encrypted = MakeOperatorSigner(*runner, *fs, config, allowed, {"", "", tmp.path / ".daybook"}, {});
  REQUIRE_FALSE(encrypted.ok());
  CHECK(encrypted.error().message.find("ssh-agent") != std::string::npos);
}
