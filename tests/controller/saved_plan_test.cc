// Saved plans: the state digest sees exactly what a push depends on, a
// plan file that is not one is refused with its name, and a plan made
// before the fleet files changed is refused as stale.
#include "controller/saved_plan.h"

#include <doctest/doctest.h>

#include <csignal>
#include <thread>

#include "controller/interrupt.h"
#include "tests/fakes/fake_filesystem.h"
#include "tests/fakes/fake_git.h"

using daybook::controller::CheckPlanNotStale;
using daybook::controller::Digest;
using daybook::controller::HostState;
using daybook::controller::InterruptWatch;
using daybook::controller::ReadSavedPlan;
using daybook::controller::SavedPlan;
using daybook::protocol::Json;

namespace {

Json Status(const std::string& live, bool identical) {
  return {{"deploys", {{{"name", "app"}, {"live", live}, {"error", nullptr}, {"releases", Json::array({live})},
                        {"drift", {{"identical", identical}, {"counts", {{"modified", identical ? 0 : 1}}}}}}}},
          {"have", Json::array({live})}};
}

Json PatchPlan(const std::string& to) {
  return {{"plan", {{"changes", {{{"name", "openssl"}, {"from", "3.0.1"}, {"to", to}, {"origin", "Debian-Security"}}}},
                    {"skipped", Json::array()}}}};
}

}  // namespace

TEST_CASE("host state digest: live commit, drift and package transaction, not the rest") {
  std::string base = Digest(HostState(Status("aaa", true), PatchPlan("3.0.2")));
  CHECK(base.rfind("sha256:", 0) == 0);
  CHECK(base == Digest(HostState(Status("aaa", true), PatchPlan("3.0.2"))));
  CHECK(base != Digest(HostState(Status("bbb", true), PatchPlan("3.0.2"))));   // another live commit
  CHECK(base != Digest(HostState(Status("aaa", false), PatchPlan("3.0.2"))));  // drift
  CHECK(base != Digest(HostState(Status("aaa", true), PatchPlan("3.0.3"))));   // a newer fix
  CHECK(base != Digest(HostState(Status("aaa", true), Json{{"error", "apt is locked"}})));
  // What the agent keeps (releases, objects it has) does not change the plan.
  Json more = Status("aaa", true);
  more["have"].push_back("ccc");
  more["deploys"][0]["releases"].push_back("ccc");
  CHECK(base == Digest(HostState(more, PatchPlan("3.0.2"))));
}

TEST_CASE("saved plan: read back, or refused naming the file") {
  daybook::testing::FakeFilesystem fs;
  Json doc = {{"format", "daybook-plan/1"},
              {"manifest", {{"path", "manifests/app.toml"}, {"commit", std::string(40, 'a')}}},
              {"deploys", {{{"name", "app"}, {"commit", std::string(40, 'b')}, {"tree", std::string(40, 'c')}}}},
              {"hosts", {{{"host", "web-01"}, {"digest", "sha256:00"}}, {{"host", "web-02"}, {"digest", nullptr}}}}};
  fs.AddFile("/p/plan.json", doc.dump());
  auto plan = ReadSavedPlan(fs, "/p/plan.json");
  REQUIRE(plan);
  CHECK(plan->manifest_path == "manifests/app.toml");
  CHECK(plan->deploys.at(0).commit == std::string(40, 'b'));
  CHECK(plan->hosts.at(0).digest == "sha256:00");
  CHECK(plan->hosts.at(1).digest.empty());
  CHECK(plan->file_digest.rfind("sha256:", 0) == 0);

  fs.AddFile("/p/other.json", R"({"format": "something/2"})");
  auto other = ReadSavedPlan(fs, "/p/other.json");
  REQUIRE_FALSE(other);
  CHECK(other.error().message == "--plan /p/other.json: not a saved plan (format is not daybook-plan/1)");
  fs.AddFile("/p/broken.json", "{");
  CHECK(ReadSavedPlan(fs, "/p/broken.json").error().message == "--plan /p/broken.json: not a JSON document");
  CHECK_FALSE(ReadSavedPlan(fs, "/p/missing.json"));
  Json twice = doc;
  twice["hosts"].push_back({{"host", "web-01"}, {"digest", "sha256:01"}});
  fs.AddFile("/p/twice.json", twice.dump());
  CHECK(ReadSavedPlan(fs, "/p/twice.json").error().message == "--plan /p/twice.json: host web-01 is listed twice");
  doc.erase("hosts");
  fs.AddFile("/p/nohosts.json", doc.dump());
  CHECK(ReadSavedPlan(fs, "/p/nohosts.json").error().message == "--plan /p/nohosts.json: no hosts");
}

TEST_CASE("saved plan: stale once a commit since changed the fleet files, and said so") {
  daybook::testing::FakeGit git;
  git.roots.push_back("/work/fleet");
  SavedPlan plan;
  plan.manifest_path = "manifests/app.toml";
  plan.manifest_commit = std::string(40, 'a');
  // HEAD moved on, but not the fleet files: the plan still holds.
  CHECK(CheckPlanNotStale(git, "/work/fleet", plan, "plan.json"));
  // A later commit changed the inventory: stale, both commits named.
  git.changed_since[plan.manifest_commit] = {"inventory/groups.toml", "manifests/app.toml"};
  daybook::Status stale = CheckPlanNotStale(git, "/work/fleet", plan, "plan.json");
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == daybook::ErrorCode::kInvalidInput);  // exit 2
  CHECK(stale.error().message ==
        "--plan plan.json: the plan is stale: it was made at commit aaaaaaaaaaaa, and HEAD (ffffffffffff) has changed the "
        "fleet files since: inventory/groups.toml (modified). Run `daybook plan manifests/app.toml --save plan.json` "
        "again, review the new plan, and push that");
  // The working tree must be HEAD's: restoring the plan's files by hand
  // while HEAD changed them is refused too, naming the edit.
  git.changed_since.clear();
  git.dirty = {"inventory/hosts.toml"};
  CHECK(CheckPlanNotStale(git, "/work/fleet", plan, "plan.json").error().message ==
        "--plan plan.json: the working tree differs from HEAD (ffffffffffff) in the fleet files: inventory/hosts.toml "
        "(modified). Commit or restore them; if HEAD changed them since the plan (made at aaaaaaaaaaaa), run `daybook "
        "plan manifests/app.toml --save plan.json` again");
  git.dirty.clear();
  // A plan whose commit is a name, not an id, would follow the repository.
  SavedPlan named = plan;
  named.manifest_commit = "HEAD";
  CHECK(CheckPlanNotStale(git, "/work/fleet", named, "plan.json").error().message ==
        "--plan plan.json: its commit \"HEAD\" is not a full commit id (was the plan file edited?)");
  // The plan's commit is HEAD: an edit is not staleness (the fleet load names it).
  plan.manifest_commit = git.head;
  git.changed_since[plan.manifest_commit] = {"inventory/groups.toml"};
  CHECK(CheckPlanNotStale(git, "/work/fleet", plan, "plan.json"));
}

TEST_CASE("interrupt watch: the first SIGINT is taken by the watcher, not the process") {
  std::atomic<int> seen{0};
  {
    InterruptWatch watch([&](int sig) { seen = sig; });
    CHECK_FALSE(watch.requested());
    ::kill(::getpid(), SIGINT);
    for (int i = 0; i < 200 && !watch.requested(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(watch.requested());
    CHECK(watch.signal() == SIGINT);
  }
  CHECK(seen == SIGINT);
}
