// Interop with OpenSSH's own tools: keys made by ssh-keygen parse here with
// the same fingerprint; SSHSIG made by ssh-keygen verifies here, and ours
// verifies with `ssh-keygen -Y verify`.
#include <doctest/doctest.h>

#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::crypto;
using daybook::testing::ReadAll;
using daybook::testing::RunShell;
using daybook::testing::TempDir;
using daybook::testing::WriteAll;

TEST_CASE("openssh interop: ssh-keygen keys and fingerprints") {
  TempDir tmp;
  std::string key = (tmp.path / "id").string();
  REQUIRE(RunShell("ssh-keygen -q -t ed25519 -N '' -C op -f " + key).first == 0);
  Result<Ed25519Key> priv = ParseOpenSshPrivateKey(ReadAll(key));
  REQUIRE(priv.ok());
  Result<Ed25519Public> pub = ParseSshPublicKey(ReadAll(key + ".pub"));
  REQUIRE(pub.ok());
  CHECK(priv->public_key() == *pub);
  auto [rc, out] = RunShell("ssh-keygen -l -E sha256 -f " + key + ".pub");
  REQUIRE(rc == 0);
  CHECK(out.find(SshFingerprint(*pub)) != std::string::npos);

  // Our private key format is accepted by ssh-keygen.
  WriteAll(tmp.path / "ours", FormatOpenSshPrivateKey(*priv, "again"));
  RunShell("chmod 600 " + (tmp.path / "ours").string());
  auto [rc2, derived] = RunShell("ssh-keygen -y -f " + (tmp.path / "ours").string());
  REQUIRE(rc2 == 0);
  CHECK(*ParseSshPublicKey(derived) == *pub);

  REQUIRE(RunShell("ssh-keygen -q -t ed25519 -N secret -f " + key + "-enc").first == 0);
  Result<Ed25519Key> encrypted = ParseOpenSshPrivateKey(ReadAll(key + "-enc"));
  REQUIRE_FALSE(encrypted.ok());
  CHECK(encrypted.error().message.find("ssh-agent") != std::string::npos);
}

TEST_CASE("openssh interop: SSHSIG both ways") {
  TempDir tmp;
  std::string key = (tmp.path / "id").string();
  REQUIRE(RunShell("ssh-keygen -q -t ed25519 -N '' -C op -f " + key).first == 0);
  WriteAll(tmp.path / "msg", "intervention record bytes");
  WriteAll(tmp.path / "allowed", "op@example " + ReadAll(key + ".pub"));

  // ssh-keygen signs, we verify.
  REQUIRE(RunShell("ssh-keygen -Y sign -q -n daybook-journal@v1 -f " + key + " " + (tmp.path / "msg").string()).first == 0);
  std::string theirs = ReadAll(tmp.path / "msg.sig");
  Result<SshsigVerified> verified = SshsigVerify(theirs, "daybook-journal@v1", "intervention record bytes");
  REQUIRE(verified.ok());
  CHECK(verified->key == *ParseSshPublicKey(ReadAll(key + ".pub")));
  CHECK_FALSE(SshsigVerify(theirs, "daybook-journal@v1", "intervention record bytez").ok());

  // We sign, ssh-keygen verifies (and rejects altered data).
  Result<Ed25519Key> priv = ParseOpenSshPrivateKey(ReadAll(key));
  REQUIRE(priv.ok());
  WriteAll(tmp.path / "ours.sig", SshsigSign(*priv, "daybook-journal@v1", "intervention record bytes"));
  std::string verify = "ssh-keygen -Y verify -f " + (tmp.path / "allowed").string() +
                       " -I op@example -n daybook-journal@v1 -s " + (tmp.path / "ours.sig").string() + " < ";
  auto [rc, out] = RunShell(verify + (tmp.path / "msg").string());
  CHECK(rc == 0);
  CHECK(out.find("Good \"daybook-journal@v1\" signature") != std::string::npos);
  WriteAll(tmp.path / "other", "intervention record bytez");
  CHECK(RunShell(verify + (tmp.path / "other").string()).first != 0);
}
