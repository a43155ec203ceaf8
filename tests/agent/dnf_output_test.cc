// dnf's and rpm's outputs, parsed: every input here is what real dnf 4.14
// and rpm 4.18 printed against tests/fixtures/dnf_sandbox.sh (recorded/),
// except the lines built to break the parser, which say so.
#include <doctest/doctest.h>

#include "agent/pkg/dnf_output.h"
#include "core/base/text.h"
#include "tests/testing.h"

namespace daybook::agent {
namespace {

std::string Recorded(const std::string& name) {
  return testing::ReadAll(std::string(DAYBOOK_SOURCE_DIR) + "/tests/agent/recorded/" + name);
}

TEST_CASE("dnf updateinfo list --all: marks, types, severities, epochs") {
  Result<std::vector<DnfAdvisory>> all = ParseDnfUpdateinfo(Recorded("dnf-updateinfo-all.txt"));
  REQUIRE(all);
  REQUIRE(all->size() == 8);
  for (const DnfAdvisory& a : *all) CHECK_FALSE(a.installed);
  CHECK((*all)[0].name == "demo-a-rather-long-package-name-for-columns");
  CHECK((*all)[4].severity == "Unknown");  // no <severity>: "Unknown/Sec."
  CHECK((*all)[5].version == "1:3.0-2");
  CHECK((*all)[6].type == "bugfix");
  CHECK((*all)[6].severity.empty());

  // A fully patched host: every security line is "i ", which must still
  // count as updateinfo (it used to be dropped: a false "no updateinfo").
  Result<std::vector<DnfAdvisory>> patched = ParseDnfUpdateinfo(Recorded("dnf-updateinfo-all-patched.txt"));
  REQUIRE(patched);
  REQUIRE(patched->size() == 8);
  int installed = 0;
  for (const DnfAdvisory& a : *patched) installed += a.installed ? 1 : 0;
  CHECK(installed == 7);
  CHECK((*patched)[2].id == "DEMOSA-2026:1005");
  CHECK((*patched)[2].installed);
  CHECK_FALSE((*patched)[6].installed);
}

TEST_CASE("dnf updateinfo list --security --with-cve: one line per CVE") {
  Result<std::vector<DnfAdvisory>> cves = ParseDnfUpdateinfo(Recorded("dnf-updateinfo-security-cve.txt"));
  REQUIRE(cves);
  REQUIRE(cves->size() == 7);
  CHECK((*cves)[3].id == "CVE-2026-1001");
  CHECK((*cves)[4].id == "CVE-2026-1002");
  CHECK((*cves)[4].nevra == "demo-lib-1.0-2.x86_64");
}

TEST_CASE("dnf updateinfo: other lines are skipped, a broken advisory line is an error") {
  CHECK(ParseDnfUpdateinfo("Last metadata expiration check: 0:00:01 ago on Sun Nov 29 09:25:24 2026.\n")->empty());
  // Built to break it: an advisory label with a NEVRA that is not one, and bytes that are not text.
  CHECK_FALSE(ParseDnfUpdateinfo("RHSA-1 Important/Sec. notanevra\n"));
  // Bytes that are not text never reach an answer: the line is refused,
  // and its message is valid UTF-8 (terminals escape controls themselves).
  Result<std::vector<DnfAdvisory>> bytes = ParseDnfUpdateinfo("RHSA-1 Low/Sec. x-1-\xff\x1b[31m.x86_64\n");
  REQUIRE_FALSE(bytes);
  CHECK(IsValidUtf8(bytes.error().message));
  CHECK(ParseRpmVersions("caf\xc3\xa9 0:1.0-1\n").empty());
  // A package "name" that reads as an option never reaches dnf's command line.
  CHECK_FALSE(ParseDnfUpdateinfo("RHSA-1 Low/Sec. --setopt=x-1-1.x86_64\n"));
}

TEST_CASE("dnf check-update: versions with epochs, obsoletes are not updates of the old package") {
  Result<std::vector<DnfUpdate>> updates = ParseDnfCheckUpdate(Recorded("dnf-check-update.txt"));
  REQUIRE(updates);
  REQUIRE(updates->size() == 8);
  CHECK((*updates)[4].name == "demo-ssl");
  CHECK((*updates)[4].version == "1:3.0-3");
  CHECK((*updates)[4].repo == "demo");
  const DnfUpdate& renamed = updates->back();
  CHECK(renamed.name == "demo-renamed");
  CHECK(renamed.version == "2.0-1");
  REQUIRE(renamed.obsoletes.size() == 1);
  CHECK(renamed.obsoletes[0] == "demo-old.x86_64");
  for (const DnfUpdate& u : *updates) CHECK(u.name != "demo-old");
}

TEST_CASE("dnf upgrade --assumeno: installs, upgrades, dependencies, replaced packages") {
  Result<std::vector<DnfTransactionItem>> items = ParseDnfTransaction(Recorded("dnf-upgrade-assumeno-security.txt"));
  REQUIRE(items);
  REQUIRE(items->size() == 7);
  CHECK((*items)[0].action == "install");  // an installonly kernel is installed, not upgraded
  CHECK((*items)[0].name == "kernel");
  CHECK((*items)[0].version == "5.14.0-2");
  CHECK((*items)[5].name == "demo-ssl");
  CHECK((*items)[5].version == "1:3.0-2");
  CHECK((*items)[6].action == "dependency");
  CHECK((*items)[6].name == "demo-newdep");
  CHECK((*items)[6].arch == "noarch");

  Result<std::vector<DnfTransactionItem>> all = ParseDnfTransaction(Recorded("dnf-upgrade-assumeno-all.txt"));
  REQUIRE(all);
  bool replaced = false;
  for (const DnfTransactionItem& i : *all) replaced = replaced || (i.action == "obsoleted" && i.name == "demo-old" && i.version == "1.0-1");
  CHECK(replaced);

  // A 77-character name with an epoch: dnf widens the table.
  Result<std::vector<DnfTransactionItem>> wide = ParseDnfTransaction(Recorded("dnf-upgrade-assumeno-wrapped.txt"));
  REQUIRE(wide);
  REQUIRE(wide->size() == 1);
  CHECK(wide->front().version == "2:10.20.30-2.el9_4.demo");
  CHECK(wide->front().repo == "w");
}

TEST_CASE("dnf transaction: a row that overflows its column goes on over lines, skipped packages are said") {
  // Built from dnf/cli/output.py fmtColumns: an overflowing cell ends the
  // line and the next cell starts under its own column.
  std::string text =
      "Upgrading:\n"
      " averyveryveryverylongname\n"
      "                          x86_64  1.0-2  demo  6 k\n"
      "Skipping packages with conflicts:\n"
      "(add '--best --allowerasing' to command line to force their upgrade):\n"
      " demo-x   x86_64  2.0-1  demo  6 k\n"
      "\nTransaction Summary\n Not a row  x y z\n";
  Result<std::vector<DnfTransactionItem>> items = ParseDnfTransaction(text);
  REQUIRE(items);
  REQUIRE(items->size() == 2);
  CHECK((*items)[0].name == "averyveryveryverylongname");
  CHECK((*items)[0].version == "1.0-2");
  CHECK((*items)[1].action == "skipped");
  CHECK_FALSE(ParseDnfTransaction("Upgrading:\n demo-x  x86_64\n"));
}

TEST_CASE("needs-restarting and rpm -qa") {
  std::vector<std::string> packages = ParseNeedsRestartingPackages(Recorded("dnf-needs-restarting-required.txt"));
  CHECK(packages == std::vector<std::string>{"demo-newdep", "kernel"});
  std::map<std::string, std::vector<std::string>> after = ParseRpmVersions(Recorded("rpm-qa-after.txt"));
  CHECK(after["kernel"] == std::vector<std::string>{"5.14.0-1", "5.14.0-2"});
  CHECK(after["demo-ssl"] == std::vector<std::string>{"1:3.0-2"});
  CHECK(after["demo-lib"] == std::vector<std::string>{"1.0-10"});
  CHECK(ParseRpmVersions("package demo-newdep is not installed\n").empty());
}

}  // namespace
}  // namespace daybook::agent
