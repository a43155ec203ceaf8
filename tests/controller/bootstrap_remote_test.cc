// bootstrap's remote half: quoting, and what a (hostile) host prints.
#include "controller/bootstrap_remote.h"

#include <doctest/doctest.h>

#include "tests/testing.h"

namespace daybook::controller {

TEST_CASE("bootstrap: sh quoting survives quotes, newlines and $() (run through a real sh)") {
  for (std::string text : {std::string("plain"), std::string("it's $(touch /tmp/x) `id` \"q\"\nline2"), std::string("")}) {
    CAPTURE(text);
    std::string quoted = ShellQuote(text);
    FILE* pipe = ::popen(("printf '%s' " + quoted).c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string got;
    char buf[256];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) got.append(buf, n);
    CHECK(::pclose(pipe) == 0);
    CHECK(got == text);
  }
  CHECK(Become("sh -c 'x'") == "sudo -n -- sh -c 'x'");
}

TEST_CASE("bootstrap: Debian versions") {
  for (const char* good : {"0.1.0-1", "1:2.6.1+deb12u1", "5.4.1-1~bpo12"}) CHECK(IsDebianVersion(good));
  for (const char* bad : {"", "-1", "1 2", "1;rm", "v1", "1.0'"}) CHECK_FALSE(IsDebianVersion(bad));
}

TEST_CASE("bootstrap: the probe's report, and what a hostile host could print instead") {
  Result<ProbeReport> fresh = ParseProbe("motd junk\ndaybook-bootstrap probe\narch=amd64\ninstalled=\ncompare=absent\nuid=0\nsystemd=yes\n");
  REQUIRE(fresh.ok());
  CHECK(fresh->architecture == "amd64");
  CHECK(fresh->installed.empty());
  CHECK(fresh->compare == "absent");
  CHECK(fresh->root);
  CHECK(fresh->systemd);
  Result<ProbeReport> sudoer = ParseProbe("daybook-bootstrap probe\r\narch=arm64\r\ninstalled=0.1.0-1\r\ncompare=newer\r\nuid=1000\r\nsystemd=no\r\n");
  REQUIRE(sudoer.ok());
  CHECK(sudoer->installed == "0.1.0-1");
  CHECK_FALSE(sudoer->root);
  CHECK_FALSE(sudoer->systemd);
  CHECK_FALSE(ParseProbe("arch=amd64\ncompare=absent\n").ok());  // never ran our script
  CHECK_FALSE(ParseProbe("daybook-bootstrap probe\ncompare=absent\n").ok());  // no dpkg
  CHECK_FALSE(ParseProbe("daybook-bootstrap probe\narch=amd64\ninstalled=1;reboot\ncompare=same\n").ok());
  CHECK_FALSE(ParseProbe("daybook-bootstrap probe\narch=../x\ncompare=same\n").ok());
  CHECK_FALSE(ParseProbe("daybook-bootstrap probe\narch=amd64\ncompare=maybe\n").ok());
  CHECK_FALSE(ParseProbe("daybook-bootstrap probe\narch=" + std::string(1 << 21, 'a')).ok());  // bounded, no crash
}

TEST_CASE("bootstrap: the apply report keeps apt's words escaped and bounded") {
  std::string out = "host_key=ssh-ed25519 AAAA daybook-agent@c1\ninstalled=0.1.0-2\n";
  ApplyReport ok = ParseApply(out);
  CHECK(ok.host_key == "ssh-ed25519 AAAA daybook-agent@c1");
  CHECK(ok.installed == "0.1.0-2");
  CHECK(ok.error.empty());
  std::string apt;
  for (int i = 0; i < 40; ++i) apt += "apt=E: \x1b[31mUnable to locate\x07 package " + std::to_string(i) + "\n";
  ApplyReport failed = ParseApply(apt + "error=apt-get install of the package failed\ninstalled=1;x\n");
  CHECK(failed.apt.size() == 15);
  CHECK(failed.apt[0].find('\x1b') == std::string::npos);
  CHECK(failed.apt[0].find('\x07') == std::string::npos);
  CHECK(failed.error == "apt-get install of the package failed");
  CHECK(failed.installed.empty());  // not a version: dropped
}

TEST_CASE("bootstrap: a value in the probe stays a value (run through a real sh: read-only dpkg queries)") {
  testing::TempDir tmp;
  const std::string marker = (tmp.path / "spliced").string();
  std::string probe = ProbeCommand("1.0'; touch " + marker + "; '$(touch " + marker + ")");
  FILE* pipe = ::popen(probe.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[256];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  ::pclose(pipe);
  CHECK(out.find("daybook-bootstrap probe") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(marker));
  // Without an install, the apply step sends no package and runs no apt.
  CHECK(ApplyCommand(false, "abc", "k\n", std::string(64, 'a')).find("apt-get") == std::string::npos);
  CHECK(ApplyCommand(true, "abc", "k\n", std::string(64, 'a')).find("apt-get install") != std::string::npos);
}

}  // namespace daybook::controller
