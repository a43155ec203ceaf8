// The deployer against an application's user who plants what costs the
// root agent time, memory or answer bytes (issue 13, third round): a
// sparse file of a terabyte, more entries than the commit, paths longer
// than PATH_MAX, and parts of the release it may change and hide things
// in. Each is drift, bounded, and said; nothing hangs or grows unbounded.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/deploy/deployer.h"
#include "core/base/strings.h"
#include "tests/agent/deploy_fixture.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;
using protocol::Json;

// A chain of `levels` directories with 250-char names below `top`, made by
// descriptor (no PATH_MAX on the way), with `files` empty files at the
// bottom: paths far longer than PATH_MAX.
bool MakeLongPaths(const fs::path& top, int levels, int files) {
  int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int i = 0; i < levels && fd >= 0; ++i) {
    std::string name = std::to_string(i) + std::string(250, 'd');
    ::mkdirat(fd, name.c_str(), 0755);
    int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = next;
  }
  for (int i = 0; i < files && fd >= 0; ++i) {
    std::string name = std::to_string(i) + std::string(250, 'f');
    ::close(::openat(fd, name.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  }
  bool ok = fd >= 0;
  if (ok) ::close(fd);
  return ok;
}

TEST_CASE("budget: a sparse file of a terabyte is drift without reading a byte of it, in status and in the repair") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  fs::path release = f.App() / "releases" / v1;
  // Planted beside the commit's files, and in place of one of them.
  REQUIRE(::truncate((release / "VERSION").c_str(), off_t{1} << 40) == 0);
  {
    int fd = ::open((release / "big.bin").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, off_t{1} << 40) == 0);
    ::close(fd);
  }
  Json entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
  INFO(entry.dump());
  CHECK(entry["drift"]["identical"] == false);
  CHECK(entry["drift"]["added"] == Json::array({"big.bin"}));
  CHECK(entry["drift"]["modified"] == Json::array({"VERSION"}));
  CHECK(entry["drift"]["directory_tree"] == "");  // not computed: it differs anyway
  Json repaired = f.Deploy(v1);
  INFO(repaired.dump());
  CHECK(repaired["status"] == "repaired");
  CHECK_FALSE(fs::exists(f.App() / "current/big.bin"));
  CHECK(fs::file_size(f.App() / "current/VERSION") == 4);
}

TEST_CASE("budget: far more entries than the commit stop the walk, which says so and lists nothing as removed") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  fs::path planted = f.App() / "releases" / v1 / "aaa";
  fs::create_directories(planted);
  for (int i = 0; i < 10'100; ++i) testing::WriteAll(planted / std::to_string(i), "");
  Json entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
  INFO(entry.dump().substr(0, 3000));
  CHECK(entry["drift"]["identical"] == false);
  CHECK(entry["drift"]["incomplete"] == "the walk stopped at aaa/: it holds more entries than its commit");
  CHECK(entry["drift"]["counts"]["removed"] == 0);
  Json repaired = f.Deploy(v1);
  CHECK(repaired["status"] == "repaired");
  CHECK_FALSE(fs::exists(f.App() / "current/aaa"));
}

TEST_CASE("budget: paths longer than PATH_MAX are one line of drift, and the answer stays small") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  fs::path src = f.App() / "releases" / v1 / "bin";
  REQUIRE(MakeLongPaths(src, 40, 300));
  Json entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
  std::string text = entry.dump();
  INFO(text.substr(0, 3000));
  CHECK(entry["drift"]["identical"] == false);
  CHECK(entry["drift"]["counts"]["added"] == 1);
  CHECK(text.size() < 64 * 1024);
  Json repaired = f.Deploy(v1);
  CHECK(repaired["status"] == "repaired");
  CHECK(repaired.dump().size() < 64 * 1024);
  CHECK_FALSE(fs::exists(f.App() / ("current/bin/0" + std::string(250, 'd'))));
}

TEST_CASE("writable: parts of a release another user may change are named, and a push of the same commit replaces it") {
  if (::geteuid() != 0) return;  // chown needs root, as the agent has
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  REQUIRE(f.Deploy(v1)["status"] == "ok");
  fs::path bin = f.App() / "releases" / v1 / "bin";
  REQUIRE(::chown(bin.c_str(), 65534, 65534) == 0);
  Json entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
  INFO(entry.dump());
  CHECK(entry["drift"]["identical"] == true);  // what the walk saw
  CHECK(entry["drift"]["writable"] == Json::array({"bin/"}));
  // What it saw may be what the owner chose to show while it ran: the
  // release is replaced, not trusted.
  Json pushed = f.Deploy(v1);
  INFO(pushed.dump());
  CHECK(pushed["status"] == "repaired");
  CHECK(pushed["verified"] == true);
  struct stat st {};
  REQUIRE(::stat((f.App() / "current/bin").c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK(f.Deploy(v1)["status"] == "unchanged");

  // Group write on root's own group is the mask of an ACL that may name
  // the application (setfacl -m u:app:rwx): the same.
  ::chmod((f.App() / "releases" / v1 / "bin").c_str(), 0775);
  entry = f.deployer->Report(*f.store, {}, true)["deploys"][0];
  CHECK(entry["drift"]["writable"] == Json::array({"bin/"}));
  CHECK(f.Deploy(v1)["status"] == "repaired");
}

TEST_CASE("names: a deploy name too long for the agent's own files is refused before anything is made") {
  DeployFixture f;
  std::string v1 = f.CommitVersion("1.0");
  f.Ship(v1);
  std::string name(kMaxDeployName + 1, 'n');
  Json refused = f.deployer->Apply(*f.store, {name, "/srv/long", v1, 5, {}, std::chrono::seconds(20)});
  CHECK(refused["status"] == "refused");
  CHECK(refused["error"].get<std::string>().find("bad deploy name") != std::string::npos);
  CHECK_FALSE(fs::exists(f.App().parent_path() / "long"));
  std::string longest(kMaxDeployName, 'n');
  CHECK(f.deployer->Apply(*f.store, {longest, "/srv/long", v1, 5, {}, std::chrono::seconds(20)})["status"] == "ok");
}

}  // namespace
}  // namespace daybook::agent
