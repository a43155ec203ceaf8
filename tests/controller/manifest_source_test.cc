// plan and push before any host is contacted: the manifest comes from a
// commit (uncommitted changes refused), deploy refs resolve once, and every
// problem is reported at its [[deploy]]. Fakes only: no host is reachable,
// so reaching one would fail these tests.
#include <doctest/doctest.h>

#include <sstream>

#include "controller/cli.h"
#include "core/crypto/ed25519.h"
#include "core/crypto/ssh_key.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_filesystem.h"
#include "tests/fakes/fake_git.h"
#include "tests/fakes/fake_process_runner.h"

namespace daybook::controller {
namespace {

constexpr const char* kManifest = R"([manifest]
name = "app"
targets = "all"

[[deploy]]
name = "app"
repo = "REPO"
ref = "v1"
path = "/srv/app"
)";

struct Fleet {
  testing::FakeFilesystem fs;
  testing::FakeGit git;
  testing::FixedClock clock{TimePoint(std::chrono::milliseconds(1'790'000'000'000))};
  std::ostringstream out, err;

  testing::FakeProcessRunner runner;

  Fleet() {
    REQUIRE(Run({"init", "fleet"}) == kExitOk);
    // The operator is allowed: push and rollback check who acts first.
    crypto::Ed25519Key op = *crypto::Ed25519Key::Generate();
    fs.AddFile("/home/op/.ssh/id_ed25519", crypto::FormatOpenSshPrivateKey(op, "op"));
    fs.AddFile("/work/fleet/allowed_signers", "op@team " + crypto::FormatSshPublicKey(op.public_key()) + "\n");
    git.CommitAll(fs.files(), "/work/fleet");
  }

  int Run(std::vector<std::string> args, std::string cwd = "/work") {
    out.str("");
    err.str("");
    Env env{fs, git, clock, out, err, cwd, false, false, "", "/home/op", &runner};
    return RunCli(args, env);
  }

  void Commit(const std::string& file, const std::string& repo) {
    std::string text = kManifest;
    text.replace(text.find("REPO"), 4, repo);
    git.committed[file] = text;
    fs.AddFile("/work/fleet/" + file, text);
  }
};

TEST_CASE("plan/push: a manifest with uncommitted changes is refused, naming the file") {
  Fleet f;
  f.Commit("manifests/app.toml", "../app");
  f.git.dirty.insert("manifests/app.toml");
  CHECK(f.Run({"push", "manifests/app.toml", "--yes"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("manifests/app.toml has uncommitted changes: commit them first") != std::string::npos);
  // --rev names a commit: the working tree does not matter then.
  CHECK(f.Run({"plan", "manifests/app.toml", "--rev", "HEAD~1"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("unknown revision v1 in /work/app") != std::string::npos);
}

TEST_CASE("plan/push/rollback: fleet files that differ from the commit are refused, each named, nothing journaled") {
  Fleet f;
  f.git.refs["/work/app#v1"] = {std::string(40, 'a'), std::string(40, 'b')};
  f.Commit("manifests/app.toml", "../app");
  f.git.dirty = {"inventory/hosts.toml", "inventory/known_hosts"};
  for (std::vector<std::string> args : {std::vector<std::string>{"push", "manifests/app.toml", "--yes"},
                                        std::vector<std::string>{"plan", "manifests/app.toml"},
                                        std::vector<std::string>{"rollback", "app", "--target", "all", "--yes"}}) {
    CAPTURE(args[0]);
    CHECK(f.Run(args, "/work/fleet") == kExitUsage);
    CHECK(f.err.str().find("the fleet's working tree differs from HEAD (ffffffffffff): inventory/hosts.toml (modified), "
                           "inventory/known_hosts (modified). daybook reads") != std::string::npos);
  }
  CHECK_FALSE(f.fs.Exists("/work/fleet/journal/records.jsonl"));
  // The inventory comes from the commit: a host only the working tree has is unknown.
  f.git.dirty.clear();
  f.git.committed["inventory/hosts.toml"] = "[hosts.committed-01]\naddress = \"10.0.0.1\"\n";
  CHECK(f.Run({"rollback", "app", "--target", "web-01"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("web-01") != std::string::npos);
  CHECK(f.Run({"rollback", "app", "--target", "committed-01"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("not on a terminal: pass --yes to roll back app on 1 host(s)") != std::string::npos);
}

TEST_CASE("plan: refs and repositories are resolved before any host, errors at their [[deploy]]") {
  Fleet f;
  f.Commit("manifests/app.toml", "../app");
  CHECK(f.Run({"plan", "manifests/app.toml"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str() == "manifests/app.toml:5:1: error: deploy app: unknown revision v1 in /work/app\n");

  f.Commit("manifests/app.toml", "ssh://git.example.org/app.git");
  CHECK(f.Run({"plan", "manifests/app.toml"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("manifests/app.toml:5:1: error: deploy app: repository \"ssh://git.example.org/app.git\" is remote") == 0);
  f.Commit("manifests/app.toml", "git@example.org:app.git");
  CHECK(f.Run({"plan", "manifests/app.toml"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("is remote") != std::string::npos);

  CHECK(f.Run({"plan", "manifests/nothere.toml"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("manifests/nothere.toml is not committed at HEAD") != std::string::npos);
  CHECK(f.Run({"plan", "/etc/passwd"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("is not inside the fleet repository") != std::string::npos);
}

TEST_CASE("plan: a commit the hosts cannot reproduce is refused at its [[deploy]], each path named") {
  Fleet f;
  f.Commit("manifests/app.toml", "../app");
  std::string commit(40, 'c');
  f.git.refs["/work/app#v1"] = repo::CommitRef{commit, std::string(40, 't')};
  f.git.unreproducible[commit] = {"vendor/lib: a submodule (...)", "assets/logo.bin: a Git LFS pointer file (...)"};
  CHECK(f.Run({"plan", "manifests/app.toml"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str() ==
        "manifests/app.toml:5:1: error: deploy app: commit cccccccccccc cannot be deployed exactly: vendor/lib: a submodule (...)\n"
        "manifests/app.toml:5:1: error: deploy app: commit cccccccccccc cannot be deployed exactly: assets/logo.bin: a Git LFS pointer file (...)\n");
}

TEST_CASE("push and rollback refuse to run unconfirmed when not on a terminal") {
  Fleet f;
  f.git.refs["/work/app#v1"] = {std::string(40, 'a'), std::string(40, 'b')};
  f.Commit("manifests/app.toml", "../app");
  CHECK(f.Run({"push", "manifests/app.toml"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("not on a terminal: pass --yes to push manifests/app.toml at ffffffffffff to 1 host(s)") !=
        std::string::npos);
  CHECK(f.Run({"rollback", "app", "--target", "all"}, "/work/fleet") == kExitUsage);
  CHECK(f.err.str().find("not on a terminal: pass --yes to roll back app on 1 host(s)") != std::string::npos);
  CHECK(f.Run({"rollback", "app"}, "/work/fleet") == kExitUsage);  // --target is required
  CHECK_FALSE(f.fs.Exists("/work/fleet/journal/records.jsonl"));
}

}  // namespace
}  // namespace daybook::controller
