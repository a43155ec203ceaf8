// The apt backend against real apt-get and dpkg, in a sandbox root built by
// tests/fixtures/apt_sandbox.sh (notes/apt-sandbox.md), which the backend
// chroots into. The host's own packages never change: its dpkg status file
// is checked at the end, and ctest's host_package_state fixture checks its
// dpkg, debconf and apt state and logs around the whole suite.
#include <doctest/doctest.h>

#include <fstream>

#include "agent/pkg/apt_backend.h"
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <thread>

#include "core/base/strings.h"

#include "tests/testing.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;

// The real runner, recording the argv of every command it runs.
struct RecordingRunner final : exec::ProcessRunner {
  std::unique_ptr<exec::ProcessRunner> real = exec::MakeBoostProcessRunner();
  std::vector<std::string> ran;
  Result<exec::ProcessResult> Run(const exec::ProcessSpec& spec) override {
    ran.push_back(Join(spec.argv, " "));
    return real->Run(spec);
  }
  size_t Count(const std::string& prefix) const {
    return static_cast<size_t>(std::count_if(ran.begin(), ran.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; }));
  }
};

struct Sandbox {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  RecordingRunner runner;
  std::unique_ptr<PackageManager> apt;

  // `pending`: that many more security updates (APT_SANDBOX_PENDING).
  explicit Sandbox(const std::string& variant = "", std::chrono::seconds lock_timeout = std::chrono::seconds(5), int pending = 0) {
    auto [rc, out] = testing::RunShell("APT_SANDBOX_PENDING=" + std::to_string(pending) + " bash " DAYBOOK_SOURCE_DIR
                                       "/tests/fixtures/apt_sandbox.sh '" + tmp.path.string() + "' " + variant);
    REQUIRE_MESSAGE(rc == 0, out);
    AptSettings settings;
    settings.root = Root().string();
    settings.state_dir = tmp.path / "state";
    settings.lock_timeout = lock_timeout;
    settings.security_origins = {*ParseOriginPattern("origin=Demo,label=Demo-Security")};  // the fixture's
    apt = MakeAptBackend(*fs, runner, settings);
  }
  fs::path Root() const { return tmp.path / "root"; }
};

const PackageChange* Find(const PackagePlan& plan, const std::string& name) {
  for (const PackageChange& c : plan.changes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string Why(const PackagePlan& plan, const std::string& name) {
  for (const SkippedPackage& s : plan.skipped) {
    if (s.name == name) return s.why;
  }
  return "";
}

std::string HostStatus() { return testing::RunShell("md5sum /var/lib/dpkg/status").second; }

// A command run chrooted in the sandbox root, as the agent runs apt there.
int InRoot(const Sandbox& s, const std::string& command) {
  return testing::RunShell("chroot '" + s.Root().string() + "' " + command).first;
}

TEST_CASE("apt: a suite ending in -security from an origin the agent does not name is not a security update") {
  Sandbox s;
  // The default origins are Debian's and Ubuntu's: the fixture's "Demo"
  // repository calls its suite bookworm-security, and that is not enough.
  AptSettings settings;
  settings.root = s.Root().string();
  settings.state_dir = s.tmp.path / "state";
  std::unique_ptr<PackageManager> apt = MakeAptBackend(*s.fs, s.runner, settings);
  Result<PackagePlan> plan = apt->Plan({"security", {}, true});
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().message));
  CHECK(plan->changes.empty());
  CHECK(Why(*plan, "libdemo") == "not a security update (Demo-Security:bookworm-security): "
                                 "o=Demo,l=Demo-Security,a=bookworm-security,n=bookworm-security is not in the agent's security_origins");
}

TEST_CASE("apt: a security plan names each change and why, and what it leaves out and why") {
  std::string host_before = HostStatus();
  Sandbox s;
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().message));
  REQUIRE(Find(*plan, "libdemo") != nullptr);
  CHECK(Find(*plan, "libdemo")->from == "1.0-1");
  CHECK(Find(*plan, "libdemo")->to == "1.0-2");
  CHECK(Find(*plan, "libdemo")->reason == "security");
  CHECK(Find(*plan, "libdemo")->origin == "Demo-Security:bookworm-security");
  // Kept back by a plain upgrade (it needs a new package): not lost.
  REQUIRE(Find(*plan, "demo-app") != nullptr);
  CHECK(Find(*plan, "demo-app")->reason == "security");
  REQUIRE(Find(*plan, "demo-newdep") != nullptr);
  CHECK(Find(*plan, "demo-newdep")->reason == "dependency");
  CHECK(Find(*plan, "demo-newdep")->from.empty());
  CHECK(Find(*plan, "demo-newdep")->origin == "Demo:bookworm");
  CHECK(Find(*plan, "demo-tool") == nullptr);
  CHECK(Why(*plan, "demo-tool") == "not a security update (Demo:bookworm): o=Demo,l=Demo,a=bookworm,n=bookworm is not in the agent's security_origins");

  Result<PackagePlan> all = s.apt->Plan({"all", {}, true});
  REQUIRE(all);
  REQUIRE(Find(*all, "demo-tool") != nullptr);
  CHECK(Find(*all, "demo-tool")->reason == "update");

  Result<PackagePlan> excluded = s.apt->Plan({"security", {"demo-reb*"}, true});
  REQUIRE(excluded);
  CHECK(Find(*excluded, "demo-reboot") == nullptr);
  CHECK(Why(*excluded, "demo-reboot") == "excluded by the manifest (demo-reb*)");

  Result<PackagePlan> strict = s.apt->Plan({"security", {}, false});
  REQUIRE_FALSE(strict);
  CHECK(strict.error().message.find("allow_other_origins = false refuses: demo-newdep 1.0-1 (Demo:bookworm)") != std::string::npos);

  REQUIRE(testing::RunShell("echo 'demo-app hold' | chroot '" + s.Root().string() + "' dpkg --set-selections").first == 0);
  Result<PackagePlan> held = s.apt->Plan({"security", {}, true});
  REQUIRE(held);
  CHECK(Find(*held, "demo-app") == nullptr);
  CHECK(Why(*held, "demo-app") == "held (apt-mark hold)");

  // A pin that keeps the installed version: the security fix is named, with why.
  {
    std::ofstream pin(s.Root() / "etc/apt/preferences.d/demo");
    pin << "Package: libdemo\nPin: version 1.0-1\nPin-Priority: 1001\n";
  }
  Result<PackagePlan> pinned = s.apt->Plan({"security", {}, true});
  REQUIRE(pinned);
  CHECK(Find(*pinned, "libdemo") == nullptr);
  CHECK(Why(*pinned, "libdemo").find("held back by an apt pin: security version 1.0-2 (Demo-Security:") == 0);
  CHECK(HostStatus() == host_before);
}

TEST_CASE("apt: apply upgrades exactly the plan, reports before and after, and the reboot flag") {
  std::string host_before = HostStatus();
  Sandbox s;
  // The administrator changed demo-app's configuration file (a conffile
  // 2.0-2 changes too): kept, the package's new one beside it, no prompt.
  { std::ofstream(s.Root() / "etc/demo-app.conf") << "setting = local\n"; }
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  Result<PackageOutcome> outcome = s.apt->Apply(*plan);
  REQUIRE(outcome);
  CHECK_MESSAGE(outcome->ok, outcome->error);
  CHECK(testing::RunShell("cat '" + (s.Root() / "etc/demo-app.conf").string() + "'").second == "setting = local\n");
  CHECK(testing::RunShell("cat '" + (s.Root() / "etc/demo-app.conf.dpkg-dist").string() + "'").second == "setting = 2.0-2\n");
  std::map<std::string, std::pair<std::string, std::string>> versions;
  for (const InstalledVersion& v : outcome->versions) versions[v.name] = {v.before, v.after};
  CHECK(versions["libdemo"] == std::pair<std::string, std::string>{"1.0-1", "1.0-2"});
  CHECK(versions["demo-app"] == std::pair<std::string, std::string>{"2.0-1", "2.0-2"});
  CHECK(versions["demo-newdep"] == std::pair<std::string, std::string>{"", "1.0-1"});
  CHECK(outcome->reboot_required);
  CHECK(outcome->reboot_packages == std::vector<std::string>{"demo-reboot"});
  auto [rc, tool] = testing::RunShell("dpkg-query --admindir='" + s.Root().string() + "/var/lib/dpkg' -W -f='${Version}' demo-tool");
  CHECK(tool == "1.0-1");  // not a security update: untouched
  CHECK(HostStatus() == host_before);
}

TEST_CASE("apt: a sandbox root is a sandbox: its hooks, groups, logs and reboot flag stay in it") {
  std::string host_before = HostStatus();
  Sandbox s;
  std::string hook = testing::ReadAll((s.tmp.path / "hook-name").string());
  hook = hook.substr(0, hook.find('\n'));
  REQUIRE_FALSE(hook.empty());
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  Result<PackageOutcome> outcome = s.apt->Apply(*plan);
  REQUIRE(outcome);
  CHECK_MESSAGE(outcome->ok, outcome->error);
  // The root's own DPkg::Pre-Invoke hook (like debconf's 70debconf) ran in
  // the root: its marker is in the root's /tmp, not the host's.
  CHECK(fs::exists(s.Root() / "tmp" / hook));
  CHECK_FALSE(fs::exists(fs::path("/tmp") / hook));
  // dpkg resolved the statoverride's group "demo" in the root's /etc/group
  // (the host has no such group): the upgraded file has the root's gid.
  struct stat st {};
  REQUIRE(::stat((s.Root() / "usr/share/libdemo/VERSION").c_str(), &st) == 0);
  CHECK(st.st_gid == 4242u);
  CHECK((st.st_mode & 07777) == 0640u);
  // dpkg logged to the root's /var/log.
  CHECK(testing::ReadAll((s.Root() / "var/log/dpkg.log").string()).find("upgrade libdemo:amd64 1.0-1 1.0-2") != std::string::npos);
  // var/run is a link to /run, as in a Debian root: the postinst's flag is
  // in the root's /run, and that is the one read.
  CHECK(fs::is_symlink(s.Root() / "var/run"));
  CHECK(fs::exists(s.Root() / "run/reboot-required"));
  CHECK(outcome->reboot_required);
  CHECK(InRoot(s, "dpkg --audit") == 0);
  CHECK(HostStatus() == host_before);
}

TEST_CASE("apt: a held dpkg lock fails clearly after the bounded wait") {
  Sandbox s("", std::chrono::seconds(1));
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  fs::path ready = s.tmp.path / "locked";
  std::string holder = "python3 -c 'import fcntl,sys,time; f=open(sys.argv[1],\"w\"); fcntl.lockf(f, fcntl.LOCK_EX); "
                       "open(sys.argv[2],\"w\").close(); time.sleep(30)' '" +
                       (s.Root() / "var/lib/dpkg/lock-frontend").string() + "' '" + ready.string() + "' > /dev/null 2>&1 & echo $!";
  auto [rc, pid] = testing::RunShell(holder);
  for (int i = 0; i < 400 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(fs::exists(ready));
  Result<PackageOutcome> outcome = s.apt->Apply(*plan);
  testing::RunShell("kill " + pid);
  REQUIRE(outcome);
  CHECK_FALSE(outcome->ok);
  CHECK(outcome->error.find("Unable to acquire the dpkg frontend lock") != std::string::npos);
  for (const InstalledVersion& v : outcome->versions) CHECK(v.before == v.after);
}

TEST_CASE("apt: a package whose postinst fails gives dpkg's message, the rest is reported") {
  std::string host_before = HostStatus();
  Sandbox s("broken");
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  REQUIRE(Find(*plan, "demo-broken") != nullptr);
  Result<PackageOutcome> outcome = s.apt->Apply(*plan);
  REQUIRE(outcome);
  CHECK_FALSE(outcome->ok);
  CHECK(outcome->error.find("demo-broken") != std::string::npos);
  CHECK(outcome->error.find("post-installation script") != std::string::npos);
  std::map<std::string, std::string> after;
  for (const InstalledVersion& v : outcome->versions) after[v.name] = v.after;
  CHECK(after["demo-broken"] == "1.0-2 (half-configured)");
  CHECK(after["libdemo"] == "1.0-2");
  CHECK(HostStatus() == host_before);
}

TEST_CASE("apt: broken package state is a finding, with what to do") {
  Sandbox s("broken");
  Result<std::vector<PackageFinding>> sound = s.apt->Findings();
  REQUIRE_MESSAGE(sound, (sound ? "" : sound.error().message));
  CHECK(sound->empty());
  std::string chroot = "bwrap --bind " + s.Root().string() + " / --dev /dev --proc /proc --unshare-pid --unshare-net --die-with-parent ";

  // An interrupted dpkg: its journal in updates/.
  testing::RunShell("touch '" + (s.Root() / "var/lib/dpkg/updates/0001").string() + "'");
  Result<std::vector<PackageFinding>> interrupted = s.apt->Findings();
  REQUIRE(interrupted);
  REQUIRE(interrupted->size() == 1);
  CHECK((*interrupted)[0].kind == "dpkg-interrupted");
  CHECK((*interrupted)[0].message.find("dpkg was interrupted (1 unfinished entry in ") != std::string::npos);
  CHECK((*interrupted)[0].fix.find("run `" + chroot + "dpkg --configure -a`") != std::string::npos);
  fs::remove(s.Root() / "var/lib/dpkg/updates/0001");

  // A half-configured package: demo-broken's postinst fails.
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  Result<PackageOutcome> failed = s.apt->Apply(*plan);
  REQUIRE(failed);
  REQUIRE_FALSE(failed->ok);
  Result<std::vector<PackageFinding>> half = s.apt->Findings();
  REQUIRE(half);
  REQUIRE(half->size() == 1);
  CHECK((*half)[0].kind == "not-fully-installed");
  CHECK((*half)[0].message == "packages not fully installed: demo-broken (half-configured)");
  CHECK((*half)[0].fix.find(chroot + "dpkg --configure -a") != std::string::npos);

  // A held dpkg lock (a POSIX lock, as apt and dpkg take): named with its holder.
  fs::path ready = s.tmp.path / "locked";
  std::string holder = "python3 -c 'import fcntl,sys,time; f=open(sys.argv[1],\"w\"); fcntl.lockf(f, fcntl.LOCK_EX); "
                       "open(sys.argv[2],\"w\").close(); time.sleep(30)' '" +
                       (s.Root() / "var/lib/dpkg/lock").string() + "' '" + ready.string() + "' > /dev/null 2>&1 & echo $!";
  auto [rc, pid] = testing::RunShell(holder);
  for (int i = 0; i < 400 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(fs::exists(ready));
  Result<std::vector<PackageFinding>> locked = s.apt->Findings();
  testing::RunShell("kill " + pid);
  REQUIRE(locked);
  REQUIRE(locked->size() == 2);
  CHECK((*locked)[1].kind == "dpkg-locked");
  CHECK((*locked)[1].message.find("var/lib/dpkg/lock is held by process " + std::string(Trim(pid)) + " (python3)") != std::string::npos);
}

TEST_CASE("apt: a plan costs a fixed number of apt runs, however many updates are pending") {
  Sandbox s("", std::chrono::seconds(5), 30);
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().message));
  CHECK(plan->changes.size() == 30 + 4);  // the 30, libdemo, demo-app, demo-reboot, demo-newdep
  REQUIRE(Find(*plan, "demo-sec-17") != nullptr);
  CHECK(Find(*plan, "demo-sec-17")->reason == "security");
  // update, showhold, -s upgrade, -s upgrade without pins, one -s install
  // for the kept-back demo-app, the exact transaction: 6, not one probe per
  // candidate (34 + 4).
  CHECK(s.runner.Count("apt-get ") + s.runner.Count("apt-mark ") == 6);
  CHECK(s.runner.Count("apt-cache ") == 1);  // policy: the sources' origins
  CHECK(Why(*plan, "demo-tool") == "not a security update (Demo:bookworm): o=Demo,l=Demo,a=bookworm,n=bookworm is not in the agent's security_origins");
}

TEST_CASE("apt: a package marked automatically installed stays so after the upgrade") {
  Sandbox s;
  REQUIRE(InRoot(s, "apt-mark auto libdemo > /dev/null") == 0);
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  Result<PackageOutcome> outcome = s.apt->Apply(*plan);
  REQUIRE(outcome);
  CHECK_MESSAGE(outcome->ok, outcome->error);
  auto [rc, automatic] = testing::RunShell("chroot '" + s.Root().string() + "' apt-mark showauto");
  CHECK(automatic == "demo-newdep\nlibdemo\n");  // the new dependency is automatic too; demo-app stays manual
  auto [rc2, manual] = testing::RunShell("chroot '" + s.Root().string() + "' apt-mark showmanual");
  CHECK(manual.find("demo-app") != std::string::npos);
}

}  // namespace
}  // namespace daybook::agent
