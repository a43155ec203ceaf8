// The deploy pipeline on real directories, a real object store and real
// hooks: releases, the tree-id proof, atomic switches, hook failure and
// switch back, pruning, rollback, drift, and refusals that change nothing.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "agent/deploy/deployer.h"
#include "agent/deploy/release_dir.h"
#include "tests/agent/deploy_fixture.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;
using protocol::Json;

TEST_CASE("deploy: a first release, then a second, current switches and the tree is proven") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  Json first = f.Deploy(v1);
  CHECK(first["status"] == "ok");
  CHECK(first["from"].is_null());
  CHECK(first["to"] == v1);
  CHECK(first["verified"] == true);
  CHECK(first["tree"] == f.repo.Git("rev-parse " + v1 + "^{tree}"));
  CHECK(fs::read_symlink(f.App() / "current") == fs::path("releases") / v1);
  CHECK(testing::ReadAll(f.App() / "current/VERSION") == "1.0\n");

  std::string v2 = f.CommitVersion("2.0");
  Json second = f.Deploy(v2);
  CHECK(second["status"] == "ok");
  CHECK(second["from"] == v1);
  CHECK(f.Live() == v2);
  CHECK(testing::ReadAll(f.App() / "current/VERSION") == "2.0\n");

  Json again = f.Deploy(v2);
  CHECK(again["status"] == "unchanged");

  Json report = f.deployer->Report(*f.store, {}, true);
  REQUIRE(report["deploys"].size() == 1);
  const Json& app = report["deploys"][0];
  CHECK(app["live"] == v2);
  CHECK(app["last_good"] == v1);
  CHECK(app["releases"] == Json::array({v1, v2}));
  CHECK(app["drift"]["identical"] == true);
  CHECK(report["have"].size() == 2);
}

TEST_CASE("deploy: the after hook runs in the new release, its failure switches back and sets the release aside") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  fs::path log = f.tmp.path / "hook.log";
  std::vector<std::string> hook = {"sh", "-c", "cat VERSION >> " + log.string() + "; echo $DAYBOOK_COMMIT >> " + log.string()};
  REQUIRE(f.Deploy(v1, 5, hook)["status"] == "ok");
  CHECK(testing::ReadAll(log) == "1.0\n" + v1 + "\n");

  std::string v2 = f.CommitVersion("2.0");
  Json failed = f.Deploy(v2, 5, {"sh", "-c", "echo reload refused >&2; exit 3"});
  CHECK(failed["status"] == "failed");
  CHECK(failed["error"] == "after hook failed (exit 3): reload refused");
  CHECK(failed["hook"]["output"] == "reload refused\n");
  CHECK(failed["rolled_back_to"] == v1);
  CHECK(f.Live() == v1);
  CHECK(fs::exists(f.App() / "failed" / v2 / "VERSION"));
  CHECK_FALSE(fs::exists(f.App() / "releases" / v2));

  std::string v3 = f.CommitVersion("3.0");
  REQUIRE(f.Deploy(v3)["status"] == "ok");
  CHECK_FALSE(fs::exists(f.App() / "failed" / v2));  // cleared by the next success
}

TEST_CASE("deploy: a failing hook on the first release leaves no current") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  Json failed = f.Deploy(v1, 5, {"false"});
  CHECK(failed["status"] == "failed");
  CHECK(failed["rolled_back_to"].is_null());
  CHECK_FALSE(fs::exists(fs::symlink_status(f.App() / "current")));
}

TEST_CASE("deploy: keep prunes old releases but never the live or the last-known-good one") {
  DeployFixture f;
  std::vector<std::string> commits;
  for (int i = 1; i <= 4; ++i) commits.push_back(f.CommitVersion(std::to_string(i) + ".0"));
  REQUIRE(f.Deploy(commits[0], 1)["status"] == "ok");
  Json second = f.Deploy(commits[1], 1);
  CHECK(second["pruned"].empty());  // keep 1, but commits[0] is the last good
  Json third = f.Deploy(commits[2], 1);
  CHECK(third["pruned"] == Json::array({commits[0]}));
  CHECK_FALSE(fs::exists(f.App() / "releases" / commits[0]));
  CHECK(fs::exists(f.App() / "releases" / commits[1]));
  CHECK(f.store->KeptCommits()->size() == 2);

  DeployState state{"app", "/srv/app", "d", "a", {{"a", "", ""}, {"b", "", ""}, {"c", "", ""}, {"d", "", ""}}, {}, {}, {}};
  CHECK(ReleasesToPrune(state, 2) == std::vector<std::string>{"b"});
  CHECK(ReleasesToPrune(state, 1) == std::vector<std::string>{"c", "b"});
  CHECK(ReleasesToPrune(state, 9).empty());
}

TEST_CASE("rollback: to the last known good, to a named release, and refusals") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  std::string v2 = f.CommitVersion("2.0");
  std::string v3 = f.CommitVersion("3.0");
  for (const std::string& c : {v1, v2, v3}) REQUIRE(f.Deploy(c)["status"] == "ok");

  Json back = f.deployer->Rollback(*f.store, "app", "");
  CHECK(back["status"] == "ok");
  CHECK(back["from"] == v3);
  CHECK(back["to"] == v2);
  CHECK(f.Live() == v2);
  Json further = f.deployer->Rollback(*f.store, "app", "");
  CHECK(further["to"] == v1);
  Json none = f.deployer->Rollback(*f.store, "app", "");
  CHECK(none["status"] == "refused");
  CHECK(none["error"] == "no last-known-good release to go back to on this host (it keeps " + v1.substr(0, 12) + ", " +
                             v2.substr(0, 12) + ", " + v3.substr(0, 12) + ": name one with --to COMMIT)");
  Json forward = f.deployer->Rollback(*f.store, "app", v3.substr(0, 8));
  CHECK(forward["status"] == "ok");
  CHECK(f.Live() == v3);

  Json unknown = f.deployer->Rollback(*f.store, "app", "deadbeef");
  CHECK(unknown["status"] == "refused");
  CHECK(unknown["error"].get<std::string>().find("release deadbeef is not on this host") == 0);
  CHECK(f.deployer->Rollback(*f.store, "web", "")["error"] == "no deploy named web on this host");
  CHECK(f.Live() == v3);
}

TEST_CASE("drift: an edited file is reported and the same deploy repairs it") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  testing::WriteAll(f.App() / "current/VERSION", "hacked\n");
  testing::WriteAll(f.App() / "current/extra", "x\n");
  Json report = f.deployer->Report(*f.store, {{"app", "/srv/app"}}, true);
  const Json& drift = report["deploys"][0]["drift"];
  CHECK(drift["identical"] == false);
  CHECK(drift["modified"] == Json::array({"VERSION"}));
  CHECK(drift["added"] == Json::array({"extra"}));

  Json repaired = f.Deploy(v1);
  CHECK(repaired["status"] == "repaired");
  CHECK(repaired["repaired"]["modified"] == Json::array({"VERSION"}));
  CHECK(testing::ReadAll(f.App() / "current/VERSION") == "1.0\n");
  CHECK_FALSE(fs::exists(f.App() / "current/extra"));
  CHECK(f.deployer->Report(*f.store, {}, true)["deploys"][0]["drift"]["identical"] == true);
}

// Everything under the root, for "nothing changed" checks.
std::string Snapshot(const fs::path& dir) {
  std::string out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) out += entry.path().string() + "\n";
  return out;
}

TEST_CASE("refusals change nothing: paths outside the roots, escapes, unknown commits, a busy deploy") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  f.Ship(v1);
  fs::create_directories(f.tmp.path / "root/etc");
  fs::create_symlink("../etc", f.tmp.path / "root/srv/evil");
  fs::create_directories(f.App());
  std::string before = Snapshot(f.tmp.path / "root") + Snapshot(f.tmp.path / "state");
  auto apply = [&](const std::string& path, const std::string& commit) {
    return f.deployer->Apply(*f.store, {"app", path, commit, 5, {}, std::chrono::seconds(5)});
  };
  auto refused = [](const Json& result, const std::string& message) {
    CHECK(result["status"] == "refused");
    CHECK(result["error"].get<std::string>().find(message) != std::string::npos);
  };
  refused(apply("/etc/app", v1), "is outside the agent's deploy roots (/srv)");
  refused(apply("/srv/../etc/app", v1), "must be absolute and normalised");
  refused(apply("/srv/evil/app", v1), "srv/evil leads through a symbolic link: not following it");
  refused(apply("/srv", v1), "is outside the agent's deploy roots");
  refused(apply("/srv/app", std::string(40, 'a')), "is not in this agent's object store");
  refused(apply("/srv/app", "v1.0"), "bad commit id");
  {
    fs::create_directories(fs::path(f.config.state_dir) / "deploys");
    auto lock = f.fs->LockFile(fs::path(f.config.state_dir) / "deploys/app.lock");
    REQUIRE(lock);
    refused(apply("/srv/app", v1), "deploy app is busy: another intervention is running on it");
  }
  {
    // Another deploy name on the same directory waits for nobody either.
    DeployStateStore states(*f.fs, f.config.state_dir);
    struct stat st {};
    REQUIRE(::stat(f.App().c_str(), &st) == 0);
    auto lock = states.LockPath(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino), "web");
    REQUIRE(lock);
    Json other = f.deployer->Apply(*f.store, {"web", "/srv/app", v1, 5, {}, std::chrono::seconds(5)});
    refused(other, "deploy web is busy: another intervention is running on it");
  }
  fs::remove_all(fs::path(f.config.state_dir) / "deploys");
  CHECK(Snapshot(f.tmp.path / "root") + Snapshot(f.tmp.path / "state") == before);
}

TEST_CASE("deploy: a tree that cannot be checked out identically is discarded and current stays") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  auto expect_discarded = [&](const std::string& commit, const std::string& error) {
    Json result = f.Deploy(commit);
    INFO(result.dump());
    CHECK(result["status"] == "failed");
    CHECK(result["error"].get<std::string>().find(error) != std::string::npos);
    CHECK(f.Live() == v1);
    CHECK_FALSE(fs::exists(f.App() / "releases" / commit));
    CHECK_FALSE(fs::exists(f.App() / "releases" / (".partial-" + commit)));
  };
  // A tree with an empty subtree (git itself never writes one, but a crafted
  // commit can): a directory cannot hold it, so the tree ids differ.
  std::string empty = f.repo.Git("hash-object -t tree -w /dev/null");
  std::string blob = f.repo.Git("rev-parse " + v1 + ":VERSION");
  auto [rc, tree] = testing::RunShell("cd '" + f.repo.dir().string() + "' && printf '100644 blob " + blob +
                                       "\\tVERSION\\n040000 tree " + empty + "\\tempty\\n' | git mktree");
  REQUIRE(rc == 0);
  tree.pop_back();
  std::string crafted = f.repo.Git("-c user.name=T -c user.email=t@e commit-tree " + tree + " -p " + v1 + " -m crafted");
  expect_discarded(crafted, "identity check failed: the checked-out tree is ");
  // A submodule entry: libgit2 cannot check it out into a release.
  f.repo.Git("update-index --add --cacheinfo 160000," + v1 + ",vendor/lib");
  f.repo.Git("-c user.name=T -c user.email=t@e commit -q -m sub");
  expect_discarded(f.repo.Git("rev-parse HEAD"), "submodule vendor/lib cannot be deployed");
}

TEST_CASE("deploy: what an interrupted checkout left behind is cleaned up") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  std::string v2 = f.CommitVersion("2.0");
  fs::create_directories(f.App() / "releases" / (".partial-" + v2) / "half");
  CHECK(f.Deploy(v2)["status"] == "ok");
  CHECK_FALSE(fs::exists(f.App() / "releases" / (".partial-" + v2)));
}

// Confinement (issue 13): links the tree does not hold are never followed.
// `outside` stands for a directory outside the deploy roots that a user who
// can write in the deploy directory points a link at; its snapshot (names,
// types, modes, contents) must not change.
struct Outside {
  fs::path dir;
  explicit Outside(const fs::path& d) : dir(d) {
    fs::create_directories(dir / "sub");
    testing::WriteAll(dir / "secret", "root only\n");
    testing::WriteAll(dir / "sub/keep", "keep\n");
    testing::WriteAll(dir / "VERSION", "outside\n");
    ::chmod((dir / "secret").c_str(), 0600);
  }
  std::string Snapshot() const {
    std::string out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      struct stat st {};
      ::lstat(e.path().c_str(), &st);
      out += e.path().string() + " " + std::to_string(st.st_mode) + " ";
      if (S_ISREG(st.st_mode)) out += testing::ReadAll(e.path());
      out += "\n";
    }
    return out;
  }
};

TEST_CASE("confinement: releases replaced by a link outside: the next push writes nothing there and names the path") {
  DeployFixture f;
  Outside outside(f.tmp.path / "root/etc");
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  std::string before = outside.Snapshot();
  fs::rename(f.App() / "releases", f.App() / "releases.moved");
  fs::create_symlink(outside.dir, f.App() / "releases");
  std::string v2 = f.CommitVersion("2.0");
  Json result = f.Deploy(v2);
  INFO(result.dump());
  CHECK(result["status"] == "refused");  // found before anything is made
  CHECK(result["error"].get<std::string>().find("srv/app/releases leads through a symbolic link") != std::string::npos);
  CHECK(outside.Snapshot() == before);
  CHECK(fs::is_symlink(f.App() / "releases"));
}

TEST_CASE("confinement: the live release replaced by a link: status reports it, repair replaces the link only") {
  DeployFixture f;
  Outside outside(f.tmp.path / "root/etc");
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  std::string before = outside.Snapshot();
  fs::rename(f.App() / "releases" / v1, f.App() / "releases/moved");
  fs::create_symlink(outside.dir, f.App() / "releases" / v1);
  Json report = f.deployer->Report(*f.store, {}, true);
  const Json& entry = report["deploys"][0];
  INFO(report.dump());
  CHECK(entry["drift"]["identical"] == false);
  CHECK(entry["drift"]["modified"] == Json::array({"."}));
  CHECK(entry["drift"]["added"] == Json::array());
  CHECK(entry["error"].get<std::string>().find("is a symbolic link to " + outside.dir.string() + ": not following it") !=
        std::string::npos);
  Json repaired = f.Deploy(v1);
  INFO(repaired.dump());
  CHECK(repaired["status"] == "repaired");
  CHECK(outside.Snapshot() == before);
  CHECK_FALSE(fs::is_symlink(f.App() / "releases" / v1));
  CHECK(testing::ReadAll(f.App() / "current/VERSION") == "1.0\n");
  CHECK(f.deployer->Report(*f.store, {}, true)["deploys"][0]["drift"]["identical"] == true);
}

TEST_CASE("confinement: a tracked directory replaced by a link (shared storage): drift, and repair never writes through it") {
  DeployFixture f;
  Outside outside(f.tmp.path / "root/etc");
  f.repo.Write("src/VERSION", "tracked\n");
  f.repo.Write("src/new.txt", "would be created outside\n");
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  std::string before = outside.Snapshot();
  fs::path release = f.App() / "releases" / v1;
  fs::remove_all(release / "src");
  fs::create_symlink(outside.dir, release / "src");
  Json report = f.deployer->Report(*f.store, {}, true);
  const Json& drift = report["deploys"][0]["drift"];
  INFO(report.dump());
  CHECK(drift["added"] == Json::array({"src"}));
  CHECK(drift["removed"] == Json::array({"src/VERSION", "src/new.txt"}));
  Json repaired = f.Deploy(v1);
  INFO(repaired.dump());
  CHECK(repaired["status"] == "repaired");
  CHECK(outside.Snapshot() == before);
  CHECK_FALSE(fs::is_symlink(f.App() / "current/src"));
  CHECK(testing::ReadAll(f.App() / "current/src/VERSION") == "tracked\n");
  CHECK(f.deployer->Report(*f.store, {}, true)["deploys"][0]["drift"]["identical"] == true);
}

TEST_CASE("confinement: a planted .git directory at any depth, a fifo and an empty directory are drift") {
  DeployFixture f;
  f.repo.Write("src/index.php", "<?php echo 1;\n");
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  fs::create_directories(f.App() / "current/src/.git");
  testing::WriteAll(f.App() / "current/src/.git/shell.php", "<?php system($_GET['c']);\n");
  fs::create_directories(f.App() / "current/.git");
  testing::WriteAll(f.App() / "current/.git/config", "[core]\n");
  fs::create_directories(f.App() / "current/empty");
  REQUIRE(::mkfifo((f.App() / "current/pipe").c_str(), 0600) == 0);
  Json report = f.deployer->Report(*f.store, {}, true);
  const Json& drift = report["deploys"][0]["drift"];
  INFO(report.dump());
  CHECK(drift["identical"] == false);
  CHECK(drift["added"] == Json::array({".git/config", "empty/", "pipe", "src/.git/shell.php"}));
  Json repaired = f.Deploy(v1);
  CHECK(repaired["status"] == "repaired");
  CHECK_FALSE(fs::exists(f.App() / "current/src/.git"));
  CHECK(f.deployer->Report(*f.store, {}, true)["deploys"][0]["drift"]["identical"] == true);
}

TEST_CASE("confinement: a file name that is not UTF-8 is reported escaped, and the answer can be sent") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  testing::WriteAll(f.App() / "current/caf\xe9.txt", "x\n");
  Json report = f.deployer->Report(*f.store, {}, true);
  CHECK(report["deploys"][0]["drift"]["added"] == Json::array({"caf\\xE9.txt"}));
  CHECK_NOTHROW((void)report.dump());
  Json repaired = f.Deploy(v1);
  CHECK(repaired["status"] == "repaired");
  CHECK_NOTHROW((void)repaired.dump());
  CHECK_FALSE(fs::exists(f.App() / "current/caf\xe9.txt"));
}

TEST_CASE("confinement: two deploy names that reach one directory through a link are refused") {
  DeployFixture f;
  f.config.deploy_roots = {"/srv", "/data"};
  fs::create_symlink("srv", f.tmp.path / "root/data");
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  Json other = f.deployer->Apply(*f.store, {"web", "/data/app", v1, 5, {}, std::chrono::seconds(5)});
  INFO(other.dump());
  CHECK(other["status"] == "refused");
  CHECK(other["error"].get<std::string>().find("/data/app is the same directory as /srv/app of deploy app") != std::string::npos);
  CHECK(f.Live() == v1);
}

TEST_CASE("confinement: releases are checked out fresh, owned by the agent, readable, never through a planted partial") {
  DeployFixture f;
  Outside outside(f.tmp.path / "root/etc");
  std::string v1 = f.CommitVersion("1.0");
  std::string before = outside.Snapshot();
  fs::create_directories(f.App() / "releases");
  fs::create_symlink(outside.dir, f.App() / "releases" / (".partial-" + v1));
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  CHECK(outside.Snapshot() == before);
  struct stat st {};
  REQUIRE(::stat((f.App() / "releases" / v1).c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  REQUIRE(::stat((f.App() / "releases" / v1 / "bin/start").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  REQUIRE(::stat((f.App() / "releases" / v1 / "VERSION").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
}

TEST_CASE("confinement: pruning a release replaced by a link removes the link, not what it points at, and a failed/ link refuses the deploy") {
  DeployFixture f;
  Outside outside(f.tmp.path / "root/etc");
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  std::string v2 = f.CommitVersion("2.0");
  REQUIRE(f.Deploy(v2)["status"] == "ok");
  std::string before = outside.Snapshot();
  fs::remove_all(f.App() / "releases" / v1);
  fs::create_symlink(outside.dir, f.App() / "releases" / v1);
  fs::create_symlink(outside.dir, f.App() / "failed");
  std::string v3 = f.CommitVersion("3.0");
  Json refused = f.Deploy(v3, 1, {"false"});
  CHECK(refused["status"] == "refused");
  CHECK(refused["error"].get<std::string>().find("srv/app/failed leads through a symbolic link") != std::string::npos);
  fs::remove(f.App() / "failed");
  Json hook_fails = f.Deploy(v3, 1, {"false"});
  CHECK(hook_fails["status"] == "failed");
  std::string v4 = f.CommitVersion("4.0");
  Json result = f.Deploy(v4, 1);
  INFO(result.dump());
  CHECK(result["status"] == "ok");
  CHECK(result["pruned"] == Json::array({v1}));
  CHECK_FALSE(fs::exists(fs::symlink_status(f.App() / "releases" / v1)));
  CHECK(outside.Snapshot() == before);
}

}  // namespace
}  // namespace daybook::agent
