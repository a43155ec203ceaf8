// A deployer on real directories, a real object store and a real process
// runner, in a temp dir: the agent's root with /srv as its deploy root.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/deploy/deployer.h"
#include "core/repo/git.h"
#include "tests/core/repo/git_fixture.h"
#include "tests/fakes/fake_clock.h"

namespace daybook::agent {

struct DeployFixture {
  testing::TempDir tmp;
  testing::GitRepo repo{tmp.path / "app"};
  AgentConfig config;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  std::unique_ptr<exec::ProcessRunner> runner = exec::MakeBoostProcessRunner();
  testing::FixedClock clock{TimePoint(std::chrono::milliseconds(1'790'000'000'000))};
  std::unique_ptr<repo::Git> git = repo::MakeLibgit2();
  std::unique_ptr<repo::ObjectStore> store;
  std::unique_ptr<Deployer> deployer;

  DeployFixture() {
    config.root = (tmp.path / "root").string();
    config.state_dir = (tmp.path / "state").string();
    config.deploy_roots = {"/srv"};
    std::filesystem::create_directories(tmp.path / "root/srv");
    store = std::move(repo::ObjectStore::Open(tmp.path / "state/objects.git")).value();
    deployer = std::make_unique<Deployer>(config, *fs, *runner, clock);
  }

  std::filesystem::path App() const { return tmp.path / "root/srv/app"; }

  std::string CommitVersion(const std::string& version) {
    repo.Write("VERSION", version + "\n");
    repo.Write("bin/start", "#!/bin/sh\necho " + version + "\n", true);
    return repo.Commit(version);
  }

  // Sends what the store lacks, as the controller does.
  void Ship(const std::string& commit) {
    repo::Pack pack = *git->BuildPack(repo.dir(), commit, *store->KeptCommits());
    auto sink = std::move(store->ReceivePack({})).value();
    REQUIRE(sink->Append(pack.bytes));
    REQUIRE(sink->Commit());
  }

  protocol::Json Deploy(const std::string& commit, int keep = 5, std::vector<std::string> after = {}) {
    Ship(commit);
    return deployer->Apply(*store, {"app", "/srv/app", commit, keep, std::move(after), std::chrono::seconds(20)});
  }

  std::string Live() const { return std::filesystem::read_symlink(App() / "current").filename().string(); }
};

}  // namespace daybook::agent
