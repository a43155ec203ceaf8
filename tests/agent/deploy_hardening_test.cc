// The deployer against a user who can race it or own parts of the deploy
// directory (issue 13, second round): the hook enters its release and runs
// its program by handle; directories others could change are refused;
// trees of any depth and a release that cannot be read end as drift.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/deploy/deployer.h"
#include "tests/agent/deploy_fixture.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;
using protocol::Json;

// The real runner, but at the moment a command starts `releases` has been
// swapped for a link to another directory (what a user who could write in
// the deploy directory would race to do); put back afterwards.
class SwappingRunner final : public exec::ProcessRunner {
 public:
  SwappingRunner(exec::ProcessRunner& real, fs::path app, fs::path elsewhere)
      : real_(real), app_(std::move(app)), elsewhere_(std::move(elsewhere)) {}
  Result<exec::ProcessResult> Run(const exec::ProcessSpec& spec) override {
    fs::rename(app_ / "releases", app_ / "releases.real");
    fs::create_directory_symlink(elsewhere_, app_ / "releases");
    Result<exec::ProcessResult> ran = real_.Run(spec);
    fs::remove(app_ / "releases");
    fs::rename(app_ / "releases.real", app_ / "releases");
    return ran;
  }

 private:
  exec::ProcessRunner& real_;
  fs::path app_, elsewhere_;
};

// The real store, whose first `failures` comparisons fail as a release
// read with no descriptor left would.
class FailingCompareStore final : public repo::ObjectStore {
 public:
  FailingCompareStore(repo::ObjectStore& real, int failures) : real_(real), failures_(failures) {}
  bool HasCommit(const std::string& c) override { return real_.HasCommit(c); }
  Result<std::vector<std::string>> KeptCommits() override { return real_.KeptCommits(); }
  Status Keep(const std::string& c) override { return real_.Keep(c); }
  Status Forget(const std::string& c) override { return real_.Forget(c); }
  Result<std::unique_ptr<repo::PackSink>> ReceivePack(const repo::PackLimits& l) override { return real_.ReceivePack(l); }
  Result<std::string> TreeOf(const std::string& c) override { return real_.TreeOf(c); }
  Status Checkout(const std::string& c, const ConfinedDir& d) override { return real_.Checkout(c, d); }
  Result<repo::TreeComparison> Compare(const std::string& c, const ConfinedDir& d) override {
    if (failures_ > 0) {
      --failures_;
      return MakeError(ErrorCode::kIo, "cannot list " + d.path().string() + ": Too many open files");
    }
    return real_.Compare(c, d);
  }

 private:
  repo::ObjectStore& real_;
  int failures_;
};

TEST_CASE("hook: it enters the release by its handle, so a releases/ swapped as it starts cannot send it elsewhere") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  fs::create_directories(f.tmp.path / "elsewhere" / v1);
  testing::WriteAll(f.tmp.path / "elsewhere" / v1 / "VERSION", "planted\n");
  SwappingRunner swapping(*f.runner, f.App(), f.tmp.path / "elsewhere");
  Deployer deployer(f.config, *f.fs, swapping, f.clock);
  f.Ship(v1);
  Json result = deployer.Apply(*f.store, {"app", "/srv/app", v1, 5, {"sh", "-c", "pwd -P; cat VERSION"}, std::chrono::seconds(20)});
  INFO(result.dump());
  CHECK(result["status"] == "ok");
  // The release itself (renamed releases.real while the hook ran), never the planted one.
  CHECK(result["hook"]["output"] == fs::canonical(f.App()).string() + "/releases.real/" + v1 + "\n1.0\n");
}

TEST_CASE("hook: a program relative to the release runs by its handle, and through a link or changeable by another user, it is refused") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  Json ok = f.Deploy(v1, 5, {"bin/start"});
  INFO(ok.dump());
  REQUIRE(ok["status"] == "ok");
  CHECK(ok["hook"]["output"] == "1.0\n");

  f.repo.Write("VERSION", "2.0\n");
  ::symlink("/bin/true", (f.repo.dir() / "bin/linked").c_str());
  std::string v2 = f.repo.Commit("2.0");
  Json linked = f.Deploy(v2, 5, {"bin/linked"});
  INFO(linked.dump());
  CHECK(linked["status"] == "failed");
  CHECK(linked["hook"]["result"].get<std::string>().find("bin/linked leads through a symbolic link") != std::string::npos);
  CHECK(f.Live() == v1);

  if (::geteuid() == 0) {
    // An earlier hook chowned v1's program to the application: going back
    // to v1 replaces that release with a fresh, root-owned copy before its
    // program runs as root (the application's copy is never run; a program
    // others may change is refused, ownership_test.cc).
    REQUIRE(f.Deploy(f.CommitVersion("3.0"), 5, {"bin/start"})["status"] == "ok");
    REQUIRE(::chown((f.App() / "releases" / v1 / "bin/start").c_str(), 65534, 65534) == 0);
    Json back = f.deployer->Rollback(*f.store, "app", v1.substr(0, 12));
    INFO(back.dump());
    CHECK(back["status"] == "ok");
    CHECK(back["hook"]["result"] == "exit 0");
    CHECK(f.Live() == v1);
    struct stat st {};
    REQUIRE(::stat((f.App() / "releases" / v1 / "bin/start").c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
  }
}

TEST_CASE("ownership: a deploy directory, releases/ or a parent others could change is refused, nothing changed") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  std::string v2 = f.CommitVersion("2.0");
  auto refused = [&](const std::string& message) {
    Json result = f.Deploy(v2);
    INFO(result.dump());
    CHECK(result["status"] == "refused");
    CHECK(result["error"].get<std::string>().find(message) != std::string::npos);
    CHECK(f.Live() == v1);
    CHECK_FALSE(fs::exists(f.App() / "releases" / v2));
    CHECK_FALSE(fs::exists(f.App() / "releases" / (".partial-" + v2)));
  };
  ::chmod((f.App() / "releases").c_str(), 0777);
  refused("srv/app/releases is writable by anyone (mode 0777)");
  ::chmod((f.App() / "releases").c_str(), 0755);
  ::chmod((f.tmp.path / "root/srv").c_str(), 01777);  // the deploy root: sticky is not enough
  refused("srv is writable by anyone (mode 1777)");
  ::chmod((f.tmp.path / "root/srv").c_str(), 0755);
  ::chmod((f.tmp.path / "root").c_str(), 0775);
  ::chown((f.tmp.path / "root").c_str(), 0, 100);
  refused("(above " + (f.tmp.path / "root/srv").string() + ") is writable by group 100 or an ACL entry (mode 0775)");
  ::chmod((f.tmp.path / "root").c_str(), 0755);
  if (::geteuid() == 0) {
    REQUIRE(::chown(f.App().c_str(), 65534, 65534) == 0);
    refused("srv/app is owned by uid 65534");
    // A new deploy under it is refused before anything is made.
    Json fresh = f.deployer->Apply(*f.store, {"web", "/srv/app/web", v2, 5, {}, std::chrono::seconds(5)});
    CHECK(fresh["status"] == "refused");
    CHECK_FALSE(fs::exists(f.App() / "web"));
    // Status still reads through handles: the drift is shown, and why a push would be refused.
    testing::WriteAll(f.App() / "current/extra", "x\n");
    Json entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
    INFO(entry.dump());
    CHECK(entry["drift"]["added"] == Json::array({"extra"}));
    CHECK(entry["error"].get<std::string>().find("srv/app is owned by uid 65534") != std::string::npos);
    REQUIRE(::chown(f.App().c_str(), 0, 0) == 0);
  }
  CHECK(f.Deploy(v2)["status"] == "ok");
}

TEST_CASE("depth: a tree 12,000 levels deep planted in the live release is drift and is repaired, with 64 descriptors") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  REQUIRE(testing::MakeDeepTree(f.App() / "releases" / v1, 12'000, "x"));
  testing::FdLimit limit(64);
  Json entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
  INFO(entry.dump().substr(0, 2000));
  CHECK(entry["drift"]["identical"] == false);
  CHECK(entry["drift"]["counts"]["added"] == 1);
  Json repaired = f.Deploy(v1);
  INFO(repaired.dump().substr(0, 2000));
  CHECK(repaired["status"] == "repaired");
  CHECK_FALSE(fs::exists(f.App() / "current/x"));
  CHECK(f.deployer->Report(*f.store, {}, true)["deploys"][0]["drift"]["identical"] == true);
}

TEST_CASE("drift: a release that cannot be read to the end is drift with the reason, never hidden, and a push repairs it") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  FailingCompareStore failing(*f.store, 1);
  Json entry = f.deployer->Report(failing, {}, true)["deploys"][0];
  INFO(entry.dump());
  CHECK(entry["drift"]["identical"] == false);
  CHECK(entry["drift"]["modified"] == Json::array({"."}));
  CHECK(entry["error"].get<std::string>().find("cannot prove") != std::string::npos);
  CHECK(entry["error"].get<std::string>().find("Too many open files") != std::string::npos);

  FailingCompareStore failing_twice(*f.store, 2);  // the drift check, then the check before repairing
  f.Ship(v1);
  Json repaired = f.deployer->Apply(failing_twice, {"app", "/srv/app", v1, 5, {}, std::chrono::seconds(20)});
  INFO(repaired.dump());
  CHECK(repaired["status"] == "repaired");
  CHECK(repaired["verified"] == true);
}

}  // namespace
}  // namespace daybook::agent
