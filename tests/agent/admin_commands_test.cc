// The agent's one-shot commands: print the host key, install operators.
#include "agent/admin_commands.h"

#include <doctest/doctest.h>

#include <sstream>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/ssh_key.h"
#include "core/protocol/messages.h"
#include "core/transport/host_key.h"
#include "tests/testing.h"

namespace daybook::agent {

TEST_CASE("agent --print-host-key: the service's key, never a new one") {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  AgentConfig config;
  config.state_dir = (tmp.path / "state").string();
  std::ostringstream out;
  Status missing = PrintHostKey(config, *fs, "web-01", out);
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK_FALSE(fs->Exists(tmp.path / "state" / "host_key"));  // not created
  bool created = false;
  Result<transport::HostKey> key = transport::LoadOrCreateHostKey(*fs, tmp.path / "state" / "host_key", created);
  REQUIRE(key.ok());
  REQUIRE(PrintHostKey(config, *fs, "web-01\x1b", out));
  CHECK(out.str() == crypto::FormatSshPublicKey(key->key.public_key()) + " daybook-agent@web-01\\x1B\n");
  // With a challenge: the host proves it holds the private key.
  const std::string challenge(64, 'c');
  std::ostringstream proved;
  REQUIRE(PrintHostKey(config, *fs, "web-01", proved, challenge));
  std::vector<std::string> lines = Split(proved.str(), '\n');
  REQUIRE(lines.size() >= 2);
  std::optional<crypto::Bytes> sig = crypto::Base64Decode(lines[1]);
  REQUIRE(sig);
  CHECK(crypto::Ed25519Verify(key->key.public_key(), protocol::HostKeyProofMessage(challenge), *sig));
  CHECK_FALSE(crypto::Ed25519Verify(key->key.public_key(), protocol::HostKeyProofMessage(std::string(64, 'd')), *sig));
  for (std::string bad : {std::string(63, 'c'), std::string(64, 'C'), std::string(64, 'g')}) {
    CHECK(PrintHostKey(config, *fs, "web-01", proved, bad).error().code == ErrorCode::kInvalidInput);
  }
}

TEST_CASE("agent --install-operators: plain ed25519 keys only, all or nothing, 0600") {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  AgentConfig config;
  config.authorized_operators = (tmp.path / "etc" / "authorized_operators").string();
  std::string key = crypto::FormatSshPublicKey(crypto::Ed25519Key::Generate()->public_key());
  CHECK_FALSE(InstallOperators(config, *fs, "").ok());  // nobody: refused
  CHECK_FALSE(InstallOperators(config, *fs, "# only a comment\n").ok());
  CHECK_FALSE(InstallOperators(config, *fs, key + " alice\ncommand=\"/bin/sh\" " + key + " bob\n").ok());
  CHECK_FALSE(InstallOperators(config, *fs, std::string((1u << 20) + 1, '#')).ok());
  CHECK_FALSE(fs->Exists(config.authorized_operators));  // nothing written by a refusal
  Result<size_t> two = InstallOperators(config, *fs, "# ops\n" + key + " alice\n" + key + " alice-again\n");
  REQUIRE(two.ok());
  CHECK(*two == 2);
  CHECK((*fs->FileMode(config.authorized_operators) & 0777) == 0600);
}

}  // namespace daybook::agent
