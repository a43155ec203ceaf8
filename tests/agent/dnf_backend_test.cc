// The dnf backend on outputs in dnf 4's format (RHEL 9), through a scripted
// process runner: advisories, CVEs, installed versions, excludes, reboots,
// and "no updateinfo" as an error.
#include <doctest/doctest.h>

#include "agent/pkg/dnf_backend.h"
#include "agent/pkg/dnf_output.h"
#include "tests/fakes/fake_process_runner.h"
#include "tests/testing.h"

namespace daybook::agent {
namespace {

std::string Recorded(const std::string& name) {
  return testing::ReadAll(std::string(DAYBOOK_SOURCE_DIR) + "/tests/agent/recorded/" + name);
}

TEST_CASE("dnf output: advisories, severities, NEVRAs with epochs") {
  Result<std::vector<DnfAdvisory>> advisories = ParseDnfUpdateinfo(Recorded("dnf-updateinfo-security.txt"));
  REQUIRE(advisories);
  REQUIRE(advisories->size() == 5);
  CHECK((*advisories)[0].id == "RHSA-2024:3339");
  CHECK((*advisories)[0].severity == "Important");
  CHECK((*advisories)[0].name == "glibc");
  CHECK((*advisories)[0].version == "2.34-100.el9_4.2");
  CHECK((*advisories)[0].arch == "x86_64");
  CHECK((*advisories)[2].name == "openssl-libs");
  CHECK((*advisories)[2].version == "1:3.0.7-27.el9_4");
  CHECK(ParseRpmVersions(Recorded("rpm-q.txt"))["glibc"] == "2.34-100.el9_4.1");
  CHECK(ParseRpmVersions("package foo is not installed\nopenssl 1:3.0.7-25.el9_3\n").size() == 1);
  CHECK_FALSE(ParseDnfUpdateinfo("RHSA-1 Important/Sec. notanevra\n"));
}

TEST_CASE("dnf: a security plan from advisories, with CVEs, versions and excludes") {
  testing::FakeProcessRunner runner;
  runner.On("dnf -q updateinfo list --all", 0, Recorded("dnf-updateinfo-security.txt"));
  runner.On("dnf -q updateinfo list --security --with-cve", 0, Recorded("dnf-updateinfo-security-cve.txt"));
  runner.On("dnf -q updateinfo list --security", 0, Recorded("dnf-updateinfo-security.txt"));
  runner.On("rpm -q", 0, Recorded("rpm-q.txt"));
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {"kernel*"}, true});
  REQUIRE(plan);
  REQUIRE(plan->changes.size() == 4);
  const PackageChange& glibc = plan->changes[0];
  CHECK(glibc.name == "glibc");
  CHECK(glibc.from == "2.34-100.el9_4.1");
  CHECK(glibc.to == "2.34-100.el9_4.2");
  CHECK(glibc.origin == "RHSA-2024:3339 Important CVE-2024-33599 CVE-2024-33600");
  CHECK(glibc.security);
  REQUIRE(plan->skipped.size() == 1);
  CHECK(plan->skipped[0].name == "kernel");
  CHECK(plan->skipped[0].why == "excluded by the manifest (kernel*)");

  runner.On("dnf -q upgrade -y --security --exclude=kernel*", 0, "");
  runner.On("needs-restarting -r", 1, "Reboot is required to fully utilize these updates.\n");
  Result<PackageOutcome> outcome = dnf->Apply(*plan);
  REQUIRE(outcome);
  CHECK(outcome->ok);
  CHECK(outcome->reboot_required);
  bool ran_upgrade = false;
  for (const std::string& line : runner.ran) ran_upgrade = ran_upgrade || line.find("upgrade -y --security --exclude=kernel* glibc") != std::string::npos;
  CHECK(ran_upgrade);
}

TEST_CASE("dnf: repositories without updateinfo make a security plan an error, not nothing to do") {
  testing::FakeProcessRunner runner;
  runner.On("dnf -q updateinfo list --all", 0, "Last metadata expiration check: 0:00:02 ago on Sat 28 Nov 2026.\n");
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {}, true});
  REQUIRE_FALSE(plan);
  CHECK(plan.error().message == "the enabled repositories carry no updateinfo: security updates cannot be told from others");
}

}  // namespace
}  // namespace daybook::agent
