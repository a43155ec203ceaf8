#include "controller/validate.h"

#include <doctest/doctest.h>

#include "tests/fakes/fake_filesystem.h"

using namespace daybook;
using namespace daybook::controller;
using daybook::testing::FakeFilesystem;

namespace {

FakeFilesystem SmallFleet() {
  FakeFilesystem fs;
  fs.AddFile("/fleet/daybook.toml", "[defaults]\nparallel = 10\n");
  fs.AddFile("/fleet/inventory/a.toml", "[groups.web]\nhosts = [\"web-01\"]\n[hosts.web-01]\n[hosts.db-01]\n");
  fs.AddFile("/fleet/manifests/ok.toml", "[manifest]\nname = \"ok\"\ntargets = \"group:web\"\n[patch]\n");
  return fs;
}

std::vector<std::string> Lines(const ValidationReport& report) {
  std::vector<std::string> lines;
  for (const Diagnostic& d : report.diagnostics) lines.push_back(d.ToString());
  return lines;
}

}  // namespace

TEST_CASE("validate: a valid fleet") {
  FakeFilesystem fs = SmallFleet();
  ValidationReport report = ValidateFleet(fs, "/fleet", "/fleet", {});
  CHECK(report.valid());
  REQUIRE(report.files.size() == 3);
  CHECK(report.files[0].path == "daybook.toml");
  CHECK(report.files[1].path == "inventory/a.toml");
  CHECK(report.files[1].summary == "2 hosts, 1 group in the fleet");
  CHECK(report.files[2].path == "manifests/ok.toml");
  CHECK(report.files[2].summary == "targets 1 host");
}

TEST_CASE("validate: problems of every file in one run, sorted") {
  FakeFilesystem fs = SmallFleet();
  fs.AddFile("/fleet/daybook.toml", "[defaults]\nparalel = 10\n");
  fs.AddFile("/fleet/manifests/bad.toml", "[manifest]\nname = \"bad\"\ntargets = \"group:wbe\"\n[patch]\nreboot = \"no\"\n");
  fs.AddFile("/fleet/manifests/worse.toml", "[manifest]\nname = \"w\"\ntargets = \"web-02\"\n[patch]\n");
  ValidationReport report = ValidateFleet(fs, "/fleet", "/fleet", {});
  CHECK_FALSE(report.valid());
  CHECK(Lines(report) == std::vector<std::string>{
                     "daybook.toml:2:1: error: unknown key \"paralel\" in [defaults]; did you mean \"parallel\"?",
                     "manifests/bad.toml:3:12: error: unknown group \"wbe\"; did you mean \"web\"?",
                     "manifests/bad.toml:5:10: error: bad reboot \"no\": expected one of never, if-required, always",
                     "manifests/worse.toml:3:12: error: unknown host \"web-02\"; did you mean \"web-01\"?",
                 });
  // bad.toml's targets are resolved although another part of it is wrong.
}

TEST_CASE("validate: named manifests only, relative to cwd, a missing file is reported") {
  FakeFilesystem fs = SmallFleet();
  fs.AddFile("/fleet/manifests/bad.toml", "[manifest]\n");
  ValidationReport report = ValidateFleet(fs, "/fleet", "/fleet/manifests", {"ok.toml", "missing.toml"});
  REQUIRE(report.files.size() == 4);
  CHECK(report.files[2].path == "manifests/ok.toml");
  CHECK(report.files[2].valid);
  CHECK(report.files[3].path == "manifests/missing.toml");
  CHECK_FALSE(report.files[3].valid);
  REQUIRE(report.diagnostics.size() == 1);
  CHECK(report.diagnostics[0].ToString().find("manifests/missing.toml: error: cannot read") == 0);
}

TEST_CASE("validate: an invalid inventory marks its file, manifests are parsed but not resolved") {
  FakeFilesystem fs = SmallFleet();
  fs.AddFile("/fleet/inventory/b.toml", "[hosts.web-01]\n");
  ValidationReport report = ValidateFleet(fs, "/fleet", "/fleet", {});
  CHECK_FALSE(report.valid());
  REQUIRE(report.files.size() == 4);
  CHECK(report.files[1].valid);        // a.toml itself is fine
  CHECK_FALSE(report.files[2].valid);  // b.toml redefines web-01
  CHECK(report.files[3].summary == "targets not checked: the inventory is invalid");
  REQUIRE(report.diagnostics.size() == 1);
  CHECK(report.diagnostics[0].ToString() == "inventory/b.toml:1:8: error: duplicate host \"web-01\" (first defined at inventory/a.toml:3:8)");
}

TEST_CASE("validate: a fleet without inventory files") {
  FakeFilesystem fs;
  fs.AddFile("/fleet/daybook.toml", "");
  fs.CreateDirectories("/fleet/inventory").value();
  ValidationReport report = ValidateFleet(fs, "/fleet", "/fleet", {});
  CHECK_FALSE(report.valid());
  REQUIRE(report.diagnostics.size() == 1);
  CHECK(report.diagnostics[0].ToString() == "inventory: error: no inventory: inventory holds no .toml file");
}

TEST_CASE("validate: trust files are checked when present") {
  FakeFilesystem fs = SmallFleet();
  fs.AddFile("/fleet/allowed_signers", "ops@example ssh-ed25519 not-base64!\n");
  fs.AddFile("/fleet/inventory/known_hosts", "[h]:1 ssh-ed25519\n");
  fs.AddFile("/fleet/journal.vkey", "nonsense\n");
  ValidationReport report = ValidateFleet(fs, "/fleet", "/fleet", {});
  CHECK_FALSE(report.valid());
  CHECK(Lines(report) == std::vector<std::string>{
                     "allowed_signers:1:25: error: the key is not valid base64",
                     "inventory/known_hosts:1:1: error: expected \"HOSTS KEYTYPE KEY [COMMENT]\"",
                     "journal.vkey:1:1: error: malformed verifier key (expected name+hexid+base64)",
                 });
}
