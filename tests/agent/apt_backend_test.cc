// The apt backend against real apt-get and dpkg, in a sandbox root built by
// tests/fixtures/apt_sandbox.sh (notes/apt-sandbox.md). The host's own
// packages never change: its dpkg status file is checked at the end.
#include <doctest/doctest.h>

#include "agent/pkg/apt_backend.h"
#include <map>
#include <thread>

#include "tests/testing.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;

struct Sandbox {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  std::unique_ptr<exec::ProcessRunner> runner = exec::MakeBoostProcessRunner();
  std::unique_ptr<PackageManager> apt;

  explicit Sandbox(const std::string& variant = "", std::chrono::seconds lock_timeout = std::chrono::seconds(5)) {
    auto [rc, out] = testing::RunShell("bash " DAYBOOK_SOURCE_DIR "/tests/fixtures/apt_sandbox.sh '" + tmp.path.string() + "' " + variant);
    REQUIRE_MESSAGE(rc == 0, out);
    AptSettings settings;
    settings.root = Root().string();
    settings.state_dir = tmp.path / "state";
    settings.lock_timeout = lock_timeout;
    apt = MakeAptBackend(*fs, *runner, settings);
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
  CHECK(Why(*plan, "demo-tool") == "not a security update (Demo:bookworm)");

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

  REQUIRE(testing::RunShell("echo 'demo-app hold' | dpkg --root='" + s.Root().string() + "' --set-selections").first == 0);
  Result<PackagePlan> held = s.apt->Plan({"security", {}, true});
  REQUIRE(held);
  CHECK(Find(*held, "demo-app") == nullptr);
  CHECK(Why(*held, "demo-app") == "held (apt-mark hold)");
  CHECK(HostStatus() == host_before);
}

TEST_CASE("apt: apply upgrades exactly the plan, reports before and after, and the reboot flag") {
  std::string host_before = HostStatus();
  Sandbox s;
  Result<PackagePlan> plan = s.apt->Plan({"security", {}, true});
  REQUIRE(plan);
  Result<PackageOutcome> outcome = s.apt->Apply(*plan);
  REQUIRE(outcome);
  CHECK_MESSAGE(outcome->ok, outcome->error);
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

}  // namespace
}  // namespace daybook::agent
