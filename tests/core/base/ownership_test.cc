// Who may change what the root agent writes in or runs: owners, group and
// other write bits, sticky directories, and the walk up to "/" through the
// directories a handle is really in.
#include "core/base/ownership.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "tests/testing.h"

namespace fs = std::filesystem;
using namespace daybook;

namespace {

struct stat With(uid_t uid, gid_t gid, mode_t mode) {
  struct stat st {};
  st.st_uid = uid;
  st.st_gid = gid;
  st.st_mode = mode;
  return st;
}

}  // namespace

TEST_CASE("ownership: root's alone unless another owner, group or others may write, sticky only where accepted") {
  uid_t me = ::geteuid();
  uid_t other = me == 1001 ? 1002 : 1001;
  CHECK_FALSE(WritableByOthers(With(0, 0, S_IFDIR | 0755), Sticky::kRefused));
  CHECK_FALSE(WritableByOthers(With(me, 0, S_IFDIR | 0755), Sticky::kRefused));
  // Group root too: the group bits are also the mask of an ACL naming a user.
  CHECK(*WritableByOthers(With(0, 0, S_IFDIR | 0775), Sticky::kRefused) == "writable by group 0 or an ACL entry (mode 0775)");
  CHECK(*WritableByOthers(With(other, 0, S_IFDIR | 0755), Sticky::kRefused) == "owned by uid " + std::to_string(other));
  CHECK(*WritableByOthers(With(0, 100, S_IFDIR | 0775), Sticky::kRefused) == "writable by group 100 or an ACL entry (mode 0775)");
  CHECK(*WritableByOthers(With(0, 0, S_IFDIR | 0757), Sticky::kRefused) == "writable by anyone (mode 0757)");
  CHECK(*WritableByOthers(With(0, 0, S_IFDIR | 01777), Sticky::kRefused) == "writable by anyone (mode 1777)");
  CHECK_FALSE(WritableByOthers(With(0, 0, S_IFDIR | 01777), Sticky::kAccepted));
  CHECK(WritableByOthers(With(0, 0, S_IFREG | 01777), Sticky::kAccepted));  // sticky means nothing on a file
}

TEST_CASE("ownership: the walk up to / names the first directory another user could change") {
  testing::TempDir tmp;  // in /tmp: sticky, accepted above
  fs::create_directories(tmp.path / "srv/app/releases");
  ::chmod(tmp.path.c_str(), 0755);
  Result<ConfinedDir> releases = ConfinedDir::OpenTrusted(tmp.path / "srv/app/releases");
  REQUIRE(releases);
  Status ok = RequireRootOnlyUpToRoot(*releases);
  CHECK_MESSAGE(ok, (ok ? "" : ok.error().message));

  ::chmod((tmp.path / "srv").c_str(), 0777);
  Status open = RequireRootOnlyUpToRoot(*releases);
  REQUIRE_FALSE(open);
  CHECK(open.error().message.find((tmp.path / "srv").string() + " (above " + (tmp.path / "srv/app/releases").string() +
                                  ") is writable by anyone (mode 0777)") == 0);
  ::chmod((tmp.path / "srv").c_str(), 0755);

  ::chmod((tmp.path / "srv/app/releases").c_str(), 01777);  // sticky is not enough where the agent writes
  CHECK_FALSE(RequireRootOnlyUpToRoot(*releases));
  CHECK_FALSE(RequireRootOnly(*releases));
  ::chmod((tmp.path / "srv/app/releases").c_str(), 0755);

  if (::geteuid() == 0) {
    REQUIRE(::chown((tmp.path / "srv/app").c_str(), 65534, 65534) == 0);
    Status owned = RequireRootOnlyUpToRoot(*releases);
    REQUIRE_FALSE(owned);
    CHECK(owned.error().message.find("srv/app (above") != std::string::npos);
    CHECK(owned.error().message.find("is owned by uid 65534") != std::string::npos);
    // The directories it is really in, not the path that reached it: moved
    // under another owner's directory, the walk finds that one.
    REQUIRE(::chown((tmp.path / "srv/app").c_str(), 0, 0) == 0);
    fs::create_directories(tmp.path / "theirs");
    REQUIRE(::chown((tmp.path / "theirs").c_str(), 65534, 65534) == 0);
    fs::rename(tmp.path / "srv/app", tmp.path / "theirs/app");
    CHECK(RequireRootOnlyUpToRoot(*releases).error().message.find("is owned by uid 65534") != std::string::npos);
  }
}

TEST_CASE("ownership: a program another user could change is not run as root") {
  testing::TempDir tmp;
  fs::create_directories(tmp.path / "rel/bin");
  testing::WriteAll(tmp.path / "rel/bin/start", "#!/bin/sh\n");
  Result<ConfinedDir> rel = ConfinedDir::OpenTrusted(tmp.path / "rel");
  REQUIRE(rel);
  CHECK(OpenRootOnlyProgram(*rel, "bin/start"));
  ::chmod((tmp.path / "rel/bin/start").c_str(), 0777);
  CHECK(OpenRootOnlyProgram(*rel, "bin/start").error().message.find("is writable by anyone (mode 0777): not running it as root") !=
        std::string::npos);
  ::chmod((tmp.path / "rel/bin/start").c_str(), 0755);
  if (::geteuid() == 0) {
    REQUIRE(::chown((tmp.path / "rel/bin/start").c_str(), 65534, 65534) == 0);
    CHECK_FALSE(OpenRootOnlyProgram(*rel, "bin/start"));
  }
}

TEST_CASE("ownership: a program in a directory another user could change is not run as root") {
  if (::geteuid() != 0) return;  // chown needs root, as the agent has
  testing::TempDir tmp;
  fs::create_directories(tmp.path / "rel/bin/sub");
  testing::WriteAll(tmp.path / "rel/bin/sub/start", "#!/bin/sh\n");
  Result<ConfinedDir> rel = ConfinedDir::OpenTrusted(tmp.path / "rel");
  REQUIRE(rel);
  CHECK(OpenRootOnlyProgram(*rel, "bin/sub/start"));
  REQUIRE(::chown((tmp.path / "rel/bin").c_str(), 65534, 65534) == 0);
  Result<UniqueFd> refused = OpenRootOnlyProgram(*rel, "bin/sub/start");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("rel/bin is owned by uid 65534") != std::string::npos);
  REQUIRE(::chown((tmp.path / "rel/bin").c_str(), 0, 0) == 0);
  ::chmod((tmp.path / "rel").c_str(), 0777);
  CHECK_FALSE(OpenRootOnlyProgram(*rel, "bin/sub/start"));
}
