#include <doctest/doctest.h>

#include "core/crypto/allowed_signers.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"

#include <date/date.h>

using namespace daybook;
using namespace daybook::crypto;

TEST_CASE("encoding: base64 is strict") {
  CHECK(Base64Encode(ToBytes("")) == "");
  CHECK(Base64Encode(ToBytes("f")) == "Zg==");
  CHECK(Base64Encode(ToBytes("fo")) == "Zm8=");
  CHECK(Base64Encode(ToBytes("foobar")) == "Zm9vYmFy");
  CHECK(Base64Encode(ToBytes("f"), false) == "Zg");
  CHECK(ToString(*Base64Decode("Zm9vYg==")) == "foob");
  CHECK(ToString(*Base64Decode("Zm9vYg", false)) == "foob");
  for (const char* bad : {"Zm9vYg", "Zm9vYg=", "Zm9v\nYg==", "Zm9vYh==", "Zm9 vYg=", "Zm9vY===", "Z===", "Zm-_"}) {
    CAPTURE(bad);
    CHECK_FALSE(Base64Decode(bad).has_value());
  }
  CHECK_FALSE(Base64Decode("Zm9vYg==", false).has_value());
  CHECK(HexEncode(*HexDecode("00ff10")) == "00ff10");
  CHECK_FALSE(HexDecode("0g").has_value());
  CHECK_FALSE(HexDecode("abc").has_value());
}

TEST_CASE("hash: known answers") {
  Sha256Digest abc = Sha256(std::string_view("abc"));
  CHECK(HexEncode(abc.data(), abc.size()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Hasher hasher;
  hasher.Update("a");
  hasher.Update("bc");
  CHECK(hasher.Finish() == abc);
  CHECK(hasher.Finish() == Sha256(std::string_view("")));  // reset after Finish
}

TEST_CASE("ed25519: RFC 8032 test vector 1, and rejections") {
  Ed25519Seed seed{};
  auto sk = *HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  std::copy(sk.begin(), sk.end(), seed.begin());
  Result<Ed25519Key> key = Ed25519Key::FromSeed(seed);
  REQUIRE(key.ok());
  CHECK(HexEncode(key->public_key().data(), 32) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Ed25519Signature sig = key->Sign(std::string_view(""));
  CHECK(HexEncode(sig.data(), 64) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  Bytes s(sig.begin(), sig.end());
  CHECK(Ed25519Verify(key->public_key(), "", s));
  CHECK_FALSE(Ed25519Verify(key->public_key(), "x", s));
  s[10] ^= 1;
  CHECK_FALSE(Ed25519Verify(key->public_key(), "", s));
  s.pop_back();
  CHECK_FALSE(Ed25519Verify(key->public_key(), "", s));
}

TEST_CASE("ed25519: malleated S (S + L) is rejected") {
  Result<Ed25519Key> key = Ed25519Key::Generate();
  REQUIRE(key.ok());
  Ed25519Signature sig = key->Sign(std::string_view("message"));
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  Bytes l = *HexDecode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  Bytes s(sig.begin(), sig.end());
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    unsigned sum = s[32 + i] + l[i] + carry;
    s[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  CHECK_FALSE(Ed25519Verify(key->public_key(), "message", s));
}

TEST_CASE("ssh keys: public lines, private files, fingerprints round-trip") {
  Result<Ed25519Key> key = Ed25519Key::Generate();
  REQUIRE(key.ok());
  std::string line = FormatSshPublicKey(key->public_key(), "ops@example");
  CHECK(line.rfind("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA", 0) == 0);
  CHECK(*ParseSshPublicKey(line) == key->public_key());
  CHECK(*ParseSshPublicKey("  " + line + "  ") == key->public_key());
  CHECK(SshFingerprint(key->public_key()).rfind("SHA256:", 0) == 0);
  CHECK(SshFingerprint(key->public_key()).size() == 7 + 43);
  Result<Ed25519Key> back = ParseOpenSshPrivateKey(FormatOpenSshPrivateKey(*key, "c"));
  REQUIRE(back.ok());
  CHECK(back->public_key() == key->public_key());
  CHECK(ParseSshPublicKey("ssh-rsa AAAAB3NzaC1yc2E").error().message.find("unsupported key type") == 0);
  CHECK_FALSE(ParseSshPublicKey("ssh-ed25519").ok());
  CHECK_FALSE(ParseSshPublicKey("ssh-ed25519 !!!").ok());
  CHECK_FALSE(ParseOpenSshPrivateKey("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n").ok());
}

TEST_CASE("sshsig: sign and verify, namespace and data bound") {
  Result<Ed25519Key> key = Ed25519Key::Generate();
  REQUIRE(key.ok());
  std::string sig = SshsigSign(*key, "daybook-journal@v1", "record");
  Result<SshsigVerified> ok = SshsigVerify(sig, "daybook-journal@v1", "record");
  REQUIRE(ok.ok());
  CHECK(ok->key == key->public_key());
  CHECK(ok->fingerprint == SshFingerprint(key->public_key()));
  CHECK_FALSE(SshsigVerify(sig, "file", "record").ok());
  CHECK_FALSE(SshsigVerify(sig, "daybook-journal@v1", "record!").ok());
  CHECK_FALSE(SshsigVerify("junk", "daybook-journal@v1", "record").ok());
  // Any single changed character of the armored body breaks it.
  for (size_t i = 40; i < 100; i += 7) {
    std::string bad = sig;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    CAPTURE(i);
    CHECK_FALSE(SshsigVerify(bad, "daybook-journal@v1", "record").ok());
  }
}

TEST_CASE("allowed_signers: principals, namespaces, validity, errors") {
  Result<Ed25519Key> a = Ed25519Key::Generate(), b = Ed25519Key::Generate();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  std::string text = "# operators\n\nalice@example " + FormatSshPublicKey(a->public_key(), "laptop") + "\n" +
                     "bob@example namespaces=\"daybook-journal@v1,file\",valid-before=\"20270101Z\" " +
                     FormatSshPublicKey(b->public_key()) + "\n" +
                     "carol@example ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC\n";
  Result<AllowedSigners> signers = ParseAllowedSigners({"allowed_signers", text});
  REQUIRE(signers.ok());
  CHECK(signers->signers.size() == 2);
  REQUIRE(signers->warnings.size() == 1);
  CHECK(signers->warnings[0].ToString() ==
        "allowed_signers:5:15: warning: key type \"ssh-rsa\" is not supported (only ssh-ed25519): line ignored");
  TimePoint now = date::sys_days{date::year{2026} / 11 / 28};
  CHECK(FindAllowedPrincipal(*signers, a->public_key(), "daybook-journal@v1", now) == "alice@example");
  CHECK(FindAllowedPrincipal(*signers, b->public_key(), "daybook-journal@v1", now) == "bob@example");
  CHECK_FALSE(FindAllowedPrincipal(*signers, b->public_key(), "other", now).has_value());
  TimePoint later = date::sys_days{date::year{2027} / 1 / 2};
  CHECK_FALSE(FindAllowedPrincipal(*signers, b->public_key(), "daybook-journal@v1", later).has_value());

  Result<AllowedSigners> bad = ParseAllowedSigners({"as", "x cert-authority " + FormatSshPublicKey(a->public_key()) +
                                                              "\ny valid-after=\"2026\" " +
                                                              FormatSshPublicKey(a->public_key()) + "\nz\n"});
  REQUIRE_FALSE(bad.ok());
  std::vector<std::string> lines;
  for (const Diagnostic& d : bad.error().diagnostics) lines.push_back(d.ToString());
  CHECK(lines == std::vector<std::string>{
                     "as:1:3: error: cert-authority is not supported: list operator keys themselves",
                     "as:2:3: error: bad valid-after time \"2026\": expected YYYYMMDD[HHMM[SS]][Z]",
                     "as:3:1: error: expected \"PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT]\""});
}
