#include "controller/known_hosts.h"

#include <doctest/doctest.h>

#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"
#include "core/crypto/ssh_key.h"

using namespace daybook;
using namespace daybook::controller;

TEST_CASE("known_hosts: known, unknown, changed, revoked, wildcards, negation, hashed") {
  crypto::Ed25519Public a = crypto::Ed25519Key::Generate()->public_key(), b = crypto::Ed25519Key::Generate()->public_key(),
                        c = crypto::Ed25519Key::Generate()->public_key();
  crypto::Bytes salt(20, 7);
  std::string hashed = "|1|" + crypto::Base64Encode(salt) + "|" + crypto::Base64Encode(crypto::HmacSha1(salt, "[10.0.0.9]:7022"));
  std::string text = "# comment\n[127.0.0.1]:7022 " + crypto::FormatSshPublicKey(a) + "\n" +
                     "[10.0.0.*]:7022,![10.0.0.5]:7022 " + crypto::FormatSshPublicKey(b) + "\n" +
                     "@revoked * " + crypto::FormatSshPublicKey(c) + "\n" +
                     hashed + " " + crypto::FormatSshPublicKey(c) + "\n" +
                     "[127.0.0.1]:7022 ssh-rsa AAAAB3NzaC1yc2E\n";
  Result<KnownHosts> known = KnownHosts::Parse({"known_hosts", text});
  REQUIRE(known.ok());
  CHECK(HostToken("127.0.0.1", 7022) == "[127.0.0.1]:7022");
  CHECK(HostToken("web-01", 22) == "web-01");
  CHECK(known->Find("[127.0.0.1]:7022", a).match == HostKeyMatch::kKnown);
  HostKeyLookup changed = known->Find("[127.0.0.1]:7022", b);
  CHECK(changed.match == HostKeyMatch::kChanged);
  CHECK(changed.line == 2);
  CHECK(known->Find("[127.0.0.1]:7023", a).match == HostKeyMatch::kUnknown);  // the port is part of the name
  CHECK(known->Find("[10.0.0.3]:7022", b).match == HostKeyMatch::kKnown);
  CHECK(known->Find("[10.0.0.5]:7022", b).match == HostKeyMatch::kUnknown);   // negated
  CHECK(known->Find("[10.0.0.9]:7022", c).match == HostKeyMatch::kRevoked);   // revoked wins over the hashed entry
  KnownHosts copy = *known;
  copy.Add("[127.0.0.1]:9000", b);
  CHECK(copy.Find("[127.0.0.1]:9000", b).match == HostKeyMatch::kKnown);
  CHECK(KnownHosts::ChangedKeyMessage("[h]:1", a, "inventory/known_hosts", 2).find("REMOTE HOST IDENTIFICATION HAS CHANGED") == 0);
  CHECK_FALSE(KnownHosts::Parse({"k", "[h]:1 ssh-ed25519\n"}).ok());
}
