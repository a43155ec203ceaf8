// The dnf backend through a scripted process runner, on what real dnf 4.14
// and rpm printed against tests/fixtures/dnf_sandbox.sh (recorded/): one
// test per way the backend used to be wrong (../shared/notes/dnf-real.md §5).
#include <doctest/doctest.h>

#include "agent/pkg/dnf_backend.h"
#include "core/base/strings.h"
#include "tests/fakes/fake_process_runner.h"
#include "tests/testing.h"

namespace daybook::agent {
namespace {

std::string Recorded(const std::string& name) {
  return testing::ReadAll(std::string(DAYBOOK_SOURCE_DIR) + "/tests/agent/recorded/" + name);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

const std::string kLong = "demo-a-rather-long-package-name-for-columns";
const std::string kSecuritySpecs = kLong + "-1.0-2.x86_64 demo-app-2.0-2.x86_64 demo-lib-1.0-10.x86_64 "
                                   "demo-nosev-1.0-2.x86_64 demo-ssl-1:3.0-2.x86_64 kernel-5.14.0-2.x86_64";

// The fresh fixture: what the agent's plan runs and what dnf answered.
void ScriptFreshHost(testing::FakeProcessRunner& runner, const std::string& preview) {
  runner.On("dnf -q updateinfo list --all", 0, Recorded("dnf-updateinfo-all.txt"));
  runner.On("dnf -q updateinfo list --security --with-cve", 0, Recorded("dnf-updateinfo-security-cve.txt"));
  runner.On("dnf -q updateinfo list --security", 0, Recorded("dnf-updateinfo-security.txt"));
  runner.On("dnf -q check-update", 100, Recorded("dnf-check-update.txt"));
  runner.On("dnf upgrade --assumeno", 1, preview, "Operation aborted.\n");
  // rpm -q exits with the number of names not installed (real: 2 here).
  runner.On("rpm -q --qf", 2, Recorded("rpm-qa-before.txt") +
                                  "package demo-renamed is not installed\npackage demo-newdep is not installed\n");
}

const PackageChange* Find(const PackagePlan& plan, const std::string& name) {
  for (const PackageChange& c : plan.changes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool Ran(const testing::FakeProcessRunner& runner, const std::string& line) {
  for (const std::string& r : runner.ran) {
    if (r == line) return true;
  }
  return false;
}

TEST_CASE("dnf plan: the newest advisory wins in rpm order, with every advisory it fixes") {
  testing::FakeProcessRunner runner;
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-security.txt"));
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {}, true});
  REQUIRE(plan);
  CHECK(Ran(runner, "dnf upgrade --assumeno " + kSecuritySpecs + " --noplugins"));
  REQUIRE(plan->changes.size() == 7);
  const PackageChange* lib = Find(*plan, "demo-lib");
  REQUIRE(lib);
  CHECK(lib->from == "1.0-1");
  CHECK(lib->to == "1.0-10");  // dnf lists 1.0-10 before 1.0-2
  CHECK(lib->origin == "DEMOSA-2026:1005 Moderate CVE-2026-1005, DEMOSA-2026:1001 Important CVE-2026-1001 CVE-2026-1002");
  CHECK(lib->reason == "security");
  // The advisory's version, not the newer 1:3.0-3 that has none.
  const PackageChange* ssl = Find(*plan, "demo-ssl");
  REQUIRE(ssl);
  CHECK(ssl->from == "1:3.0-1");
  CHECK(ssl->to == "1:3.0-2");
  const PackageChange* nosev = Find(*plan, "demo-nosev");
  REQUIRE(nosev);
  CHECK(nosev->origin == "DEMOSA-2026:1006 Unknown");
  // The new dependency is in the plan, from nothing.
  const PackageChange* dep = Find(*plan, "demo-newdep");
  REQUIRE(dep);
  CHECK(dep->from.empty());
  CHECK(dep->to == "1.0-1");
  CHECK(dep->reason == "dependency");
  CHECK(dep->origin == "demo");
  CHECK_FALSE(dep->security);
  const PackageChange* kernel = Find(*plan, "kernel");
  REQUIRE(kernel);
  CHECK(kernel->from == "5.14.0-1");
  CHECK(kernel->to == "5.14.0-2");
  CHECK(plan->removals.empty());
  CHECK(plan->skipped.empty());
}

TEST_CASE("dnf plan: the newest advisory wins whatever order dnf lists them in") {
  // dnf sorts by NEVRA text; the same listing upside down must plan the same.
  std::vector<std::string> lines = Split(Recorded("dnf-updateinfo-security.txt"), '\n');
  std::string reversed;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) reversed += *it + "\n";
  testing::FakeProcessRunner runner;
  runner.OnOnce("dnf -q updateinfo list --security", 0, reversed);
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-security.txt"));
  Result<PackagePlan> plan = MakeDnfBackend(runner, {})->Plan({"security", {}, true});
  REQUIRE(plan);
  const PackageChange* lib = Find(*plan, "demo-lib");
  REQUIRE(lib);
  CHECK(lib->to == "1.0-10");
  CHECK(lib->origin == "DEMOSA-2026:1005 Moderate CVE-2026-1005, DEMOSA-2026:1001 Important CVE-2026-1001 CVE-2026-1002");
}

TEST_CASE("dnf plan: a fully patched host is nothing to do, not \"no updateinfo\"") {
  testing::FakeProcessRunner runner;
  runner.On("dnf -q updateinfo list --all", 0, Recorded("dnf-updateinfo-all-patched.txt"));
  runner.On("dnf -q updateinfo list --security", 0, "");  // real: no output, exit 0
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {}, true});
  REQUIRE(plan);
  CHECK(plan->changes.empty());
  CHECK(plan->skipped.empty());
  CHECK(runner.ran.size() == 3);  // no preview, no rpm
  // Only bugfix advisories: the metadata still tells security apart.
  runner.On("dnf -q updateinfo list --all", 0, "  DEMOBA-2026:2001 bugfix         demo-tool-1.1-1.x86_64\n");
  runner.scripts.erase(runner.scripts.begin());
  runner.uses.erase(runner.uses.begin());
  CHECK(dnf->Plan({"security", {}, true}));
}

TEST_CASE("dnf plan: repositories without updateinfo make a security plan an error, not nothing to do") {
  testing::FakeProcessRunner runner;
  runner.On("dnf -q updateinfo list --all", 0, "");  // real: a repo without updateinfo prints nothing, exit 0
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {}, true});
  REQUIRE_FALSE(plan);
  CHECK(plan.error().message == "the enabled repositories carry no updateinfo: security updates cannot be told from others");
}

TEST_CASE("dnf plan: excludes are skipped and passed to dnf, so no dependency brings them back") {
  testing::FakeProcessRunner runner;
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-security.txt"));
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {"kernel*", "demo-nosev"}, true});
  REQUIRE(plan);
  REQUIRE(plan->skipped.size() == 2);
  CHECK(plan->skipped[0].name == "demo-nosev");
  CHECK(plan->skipped[0].why == "excluded by the manifest (demo-nosev)");
  CHECK(plan->skipped[1].why == "excluded by the manifest (kernel*)");
  CHECK(Ran(runner, "dnf upgrade --assumeno --exclude=kernel* --exclude=demo-nosev " + kLong +
                        "-1.0-2.x86_64 demo-app-2.0-2.x86_64 demo-lib-1.0-10.x86_64 demo-ssl-1:3.0-2.x86_64 --noplugins"));
}

TEST_CASE("dnf plan: policy all takes check-update's versions, fills from, lists obsoletes as removals") {
  testing::FakeProcessRunner runner;
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-all.txt"));
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"all", {}, true});
  REQUIRE(plan);
  const PackageChange* tool = Find(*plan, "demo-tool");
  REQUIRE(tool);
  CHECK(tool->from == "1.0-1");
  CHECK(tool->to == "1.1-1");
  CHECK(tool->reason == "update");
  CHECK(tool->origin == "demo");
  const PackageChange* ssl = Find(*plan, "demo-ssl");
  REQUIRE(ssl);
  CHECK(ssl->to == "1:3.0-3");
  CHECK(ssl->reason == "security");
  CHECK(ssl->origin == "DEMOSA-2026:1003 Low CVE-2026-1004");
  const PackageChange* renamed = Find(*plan, "demo-renamed");
  REQUIRE(renamed);
  CHECK(renamed->from.empty());
  CHECK(renamed->to == "2.0-1");
  CHECK(Find(*plan, "demo-old") == nullptr);
  CHECK(plan->removals == std::vector<std::string>{"demo-old"});
}

TEST_CASE("dnf plan: dnf resolving another version, or a dependency from another repository when refused, is an error") {
  testing::FakeProcessRunner runner;
  ScriptFreshHost(runner, Replace(Recorded("dnf-upgrade-assumeno-security.txt"), "1.0-10 ", "1.0-11 "));
  Result<PackagePlan> plan = MakeDnfBackend(runner, {})->Plan({"security", {}, true});
  REQUIRE_FALSE(plan);
  CHECK(plan.error().message == "the dnf transaction is not the plan: dnf resolves demo-lib-1.0-10.x86_64 to 1.0-11");

  testing::FakeProcessRunner other;
  std::string preview = Replace(Recorded("dnf-upgrade-assumeno-security.txt"), "1.0-1      demo", "1.0-1      epel");
  ScriptFreshHost(other, preview);
  CHECK(MakeDnfBackend(other, {})->Plan({"security", {}, true}));
  Result<PackagePlan> refused = MakeDnfBackend(other, {})->Plan({"security", {}, false});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message ==
        "security upgrades need packages from other repositories, which allow_other_origins = false refuses: demo-newdep 1.0-1 (epel)");
}

TEST_CASE("dnf plan: rpm failing (an error on stderr) is an error, not \"not installed\"") {
  testing::FakeProcessRunner runner;
  runner.On("rpm -q --qf", 1, "", "error: cannot open Packages database in /root/.rpmdb\n");
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-security.txt"));
  Result<PackagePlan> plan = MakeDnfBackend(runner, {})->Plan({"security", {}, true});
  REQUIRE_FALSE(plan);
  CHECK(plan.error().message == "rpm -q failed: error: cannot open Packages database in /root/.rpmdb (exit 1)");
}

TEST_CASE("dnf apply: installs the plan's NEVRAs, reports every change and the reboot packages") {
  testing::FakeProcessRunner runner;
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-security.txt"));
  runner.OnOnce("rpm -qa", 0, Recorded("rpm-qa-before.txt"));
  runner.On("rpm -qa", 0, Recorded("rpm-qa-after.txt"));
  runner.On("dnf -q upgrade -y", 0, "");
  runner.On("dnf -q needs-restarting -r", 1, Recorded("dnf-needs-restarting-required.txt"));
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackagePlan> plan = dnf->Plan({"security", {}, true});
  REQUIRE(plan);
  Result<PackageOutcome> outcome = dnf->Apply(*plan);
  REQUIRE(outcome);
  CHECK(outcome->error == "");
  CHECK(outcome->ok);
  CHECK(Ran(runner, "dnf -q upgrade -y " + kSecuritySpecs + " --noplugins"));
  CHECK(outcome->reboot_required);
  CHECK(outcome->reboot_packages == std::vector<std::string>{"demo-newdep", "kernel"});
  REQUIRE(outcome->versions.size() == 7);
  bool dep = false, kernel = false;
  for (const InstalledVersion& v : outcome->versions) {
    dep = dep || (v.name == "demo-newdep" && v.before.empty() && v.after == "1.0-1");
    kernel = kernel || (v.name == "kernel" && v.before == "5.14.0-1" && v.after == "5.14.0-1, 5.14.0-2");
  }
  CHECK(dep);
  CHECK(kernel);
}

TEST_CASE("dnf apply: a version other than the plan's is a failure that names it") {
  testing::FakeProcessRunner runner;
  ScriptFreshHost(runner, Recorded("dnf-upgrade-assumeno-security.txt"));
  runner.OnOnce("rpm -qa", 0, Recorded("rpm-qa-before.txt"));
  runner.On("rpm -qa", 0, Replace(Replace(Recorded("rpm-qa-after.txt"), "1:3.0-2", "1:3.0-3"), "demo-tool 0:1.0-1", "demo-tool 0:1.1-1"));
  runner.On("dnf -q upgrade -y", 0, "");
  runner.On("dnf -q needs-restarting -r", 0, "Reboot should not be necessary.\n");
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackageOutcome> outcome = dnf->Apply(*dnf->Plan({"security", {}, true}));
  REQUIRE(outcome);
  CHECK_FALSE(outcome->ok);
  CHECK(outcome->error == "installed differs from the plan: demo-ssl: planned 1:3.0-2, installed 1:3.0-3; "
                          "demo-tool: 1.0-1 -> 1.1-1, not in the plan");
  CHECK_FALSE(outcome->reboot_required);
}

TEST_CASE("dnf apply: needs-restarting failing is an error, never a reboot") {
  testing::FakeProcessRunner runner;
  runner.On("dnf -q needs-restarting -r", 1, "", Recorded("dnf-needs-restarting-typo.stderr.txt"));
  auto dnf = MakeDnfBackend(runner, {});
  Result<PackageOutcome> outcome = dnf->Apply(PackagePlan{});
  REQUIRE(outcome);
  CHECK_FALSE(outcome->ok);
  CHECK_FALSE(outcome->reboot_required);
  CHECK(outcome->error.find("cannot tell whether a reboot is required: dnf needs-restarting -r failed: No such command") == 0);
  CHECK(runner.ran == std::vector<std::string>{"dnf -q needs-restarting -r --disableplugin=* --enableplugin=needs_restarting"});
}

TEST_CASE("dnf: a sandbox root goes to every dnf and rpm run, confined to it, with HOME pinned for Debian's rpmdb") {
  testing::FakeProcessRunner runner;
  runner.On("dnf -q --installroot=/srv/root updateinfo list --all", 0, Recorded("dnf-updateinfo-all-patched.txt"));
  runner.On("dnf -q --installroot=/srv/root updateinfo list --security", 0, "");
  // needs-restarting cannot run confined (its boot time is /proc/1's): the
  // agent reads the root's needs-restarting.d and the install times itself.
  // A line that reads as an rpm option is dropped, and names follow "--".
  runner.On("sh -c cat -- \"$0\"/etc/dnf/plugins/needs-restarting.d/*.conf", 0, "demo-newdep\n--eval=%(id)\n");
  runner.On("rpm -q --qf %{NAME} %{INSTALLTIME}\\n --root=/srv/root", 1,
            "demo-newdep 4102444800\nglibc 1000\npackage kernel is not installed\n");
  auto dnf = MakeDnfBackend(runner, {"/srv/root", std::chrono::minutes(1)});
  REQUIRE(dnf->Plan({"security", {}, true}));
  Result<PackageOutcome> applied = dnf->Apply(PackagePlan{});
  REQUIRE(applied);
  // Installed after this boot (2100-01-01): a reboot; glibc in 1970 is not.
  CHECK(applied->reboot_required);
  CHECK(applied->reboot_packages == std::vector<std::string>{"demo-newdep"});
  REQUIRE(runner.specs.size() == 5);
  const std::vector<std::string>& rpm = runner.specs[4].argv;
  REQUIRE(rpm[0] == "rpm");
  CHECK(std::find(rpm.begin(), rpm.end(), "--eval=%(id)") == rpm.end());
  auto dashdash = std::find(rpm.begin(), rpm.end(), "--");
  REQUIRE(dashdash != rpm.end());
  CHECK(std::find(dashdash, rpm.end(), "demo-newdep") != rpm.end());
  for (const exec::ProcessSpec& spec : runner.specs) {
    CHECK(spec.env.at("HOME") == "/root");
    CHECK(spec.env.at("LC_ALL") == "C");
    // The host's dnf, confined: only the root writable.
    CHECK(spec.root_dir == "/srv/root");
    CHECK(spec.host_program);
    CHECK(spec.network == (spec.argv[0] == "dnf"));  // rpm and the reader of needs-restarting.d run offline
  }
}

}  // namespace
}  // namespace daybook::agent
