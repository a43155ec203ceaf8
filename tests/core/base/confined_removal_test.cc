// ConfinedDir::Remove never acts as the deputy of a user who may write
// inside what it removes: a directory they could have moved in from
// elsewhere, holding files they may not delete, is set aside or refused,
// never emptied. Needs root (chown to other users); on the real filesystem.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "core/base/confined_dir.h"
#include "tests/testing.h"

namespace fs = std::filesystem;
using namespace daybook;

namespace {

constexpr uid_t kApp = 61001;    // the user the deployed application runs as
constexpr uid_t kOther = 61002;  // someone else

void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

void Own(const fs::path& p, uid_t uid, gid_t gid, mode_t mode) {
  REQUIRE(::chown(p.c_str(), uid, gid) == 0);
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

// releases/<r>: root's, with src/ owned by the application (as an `after`
// hook's chown leaves it), and a set-aside area.
struct Release {
  testing::TempDir tmp;
  fs::path releases = tmp.path / "releases";
  fs::path src = releases / "r/src";
  ConfinedDir handle = [&] {
    fs::create_directories(src);
    fs::create_directories(tmp.path / "quarantine");
    Own(src, kApp, kApp, 0755);
    return ConfinedDir::OpenTrusted(releases).value();
  }();
  ConfinedDir quarantine = ConfinedDir::OpenTrusted(tmp.path / "quarantine").value();
  SetAside aside{[this]() -> Result<const ConfinedDir*> { return &quarantine; }, {}, 0};
  size_t Quarantined() const { return static_cast<size_t>(std::distance(fs::directory_iterator(tmp.path / "quarantine"), {})); }
};

}  // namespace

TEST_CASE("confined removal: a root directory moved into the application's part is set aside whole, never emptied") {
  if (::geteuid() != 0) return;  // chown needs root; the e2e confinement scenarios run as root in CI
  Release r;
  fs::create_directories(r.src / "conf/pinned");
  Write(r.src / "conf/pinned/keep", "admin pinned\n");
  Own(r.src / "conf", kApp, kApp, 0755);  // the application's own directory, moved in, carrying root's
  Write(r.src / "app.log", "the application's\n");

  SUBCASE("without a place to set it aside: refused, naming it, and root's file is kept") {
    Status s = r.handle.Remove("r");
    REQUIRE_FALSE(s);
    CHECK(s.error().message.find("conf/pinned") != std::string::npos);
    CHECK(s.error().message.find("remove it by hand") != std::string::npos);
    CHECK(fs::exists(r.src / "conf/pinned/keep"));
  }
  SUBCASE("with one: moved there whole, the rest removed") {
    REQUIRE(r.handle.Remove("r", &r.aside));
    CHECK_FALSE(fs::exists(r.releases / "r"));
    CHECK(r.aside.count == 1);
    REQUIRE(r.aside.moved.size() == 1);
    CHECK(r.aside.moved[0].find("pinned -> ") != std::string::npos);
    REQUIRE(r.Quarantined() == 1);
    fs::path kept = fs::directory_iterator(r.tmp.path / "quarantine")->path();
    CHECK(fs::exists(kept / "keep"));
  }
}

TEST_CASE("confined removal: another user's directory, or a sticky one, inside the application's part is set aside") {
  if (::geteuid() != 0) return;
  Release r;
  fs::create_directories(r.src / "theirs");
  Write(r.src / "theirs/f", "another user's\n");
  fs::create_directories(r.src / "shared");
  Write(r.src / "shared/f", "root's, in a sticky directory\n");
  Own(r.src / "theirs", kOther, kOther, 0755);
  Own(r.src / "shared", 0, 0, 01777);
  REQUIRE(r.handle.Remove("r", &r.aside));
  CHECK(r.aside.count == 2);
  CHECK(r.Quarantined() == 2);
}

TEST_CASE("confined removal: what the application could empty itself, and what the agent made, is removed") {
  if (::geteuid() != 0) return;
  Release r;
  // The application's own tree, however deep, even without write permission on it.
  fs::create_directories(r.src / "cache/a/b");
  Write(r.src / "cache/a/b/f", "x");
  Own(r.src / "cache/a/b", kApp, kApp, 0555);
  Own(r.src / "cache/a", kApp, kApp, 0755);
  Own(r.src / "cache", kApp, kApp, 0755);
  // A directory anyone may write.
  fs::create_directories(r.src / "tmp");
  Write(r.src / "tmp/f", "x");
  Own(r.src / "tmp", 0, 0, 0777);
  // A directory the agent made (a checkout), still root's under the application's part.
  Result<ConfinedDir> src = r.handle.Open("r/src");
  REQUIRE(src);
  REQUIRE(src->MakeFresh("lib", 0755));
  Write(r.src / "lib/f", "x");
  // One made the same way but without the agent's mark.
  fs::create_directories(r.src / "unmarked");
  Write(r.src / "unmarked/f", "x");

  REQUIRE(r.handle.Remove("r", &r.aside));
  CHECK_FALSE(fs::exists(r.releases / "r"));
  CHECK(r.aside.count == 1);  // "unmarked" alone
  REQUIRE(r.aside.moved.size() == 1);
  CHECK(r.aside.moved[0].find("unmarked -> ") != std::string::npos);
}

TEST_CASE("confined removal: in a part only root may write, everything is removed as before") {
  if (::geteuid() != 0) return;
  Release r;
  Own(r.src, 0, 0, 0755);
  fs::create_directories(r.src / "theirs");
  Write(r.src / "theirs/f", "x");
  Own(r.src / "theirs", kOther, kOther, 0755);  // only root could have put it here
  REQUIRE(r.handle.Remove("r", &r.aside));
  CHECK_FALSE(fs::exists(r.releases / "r"));
  CHECK(r.aside.count == 0);
}

TEST_CASE("confined removal: a group-writable part: a directory of the same group, group-writable, is emptied, one not is set aside") {
  if (::geteuid() != 0) return;
  Release r;
  Own(r.src, 0, kApp, 0775);
  fs::create_directories(r.src / "same/x");
  Own(r.src / "same", 0, kApp, 0775);
  Own(r.src / "same/x", 0, kApp, 0775);
  fs::create_directories(r.src / "closed/x");
  Own(r.src / "closed", 0, kApp, 0755);
  REQUIRE(r.handle.Remove("r", &r.aside));
  CHECK(r.aside.count == 1);
  REQUIRE(r.aside.moved.size() == 1);
  CHECK(r.aside.moved[0].find("closed -> ") != std::string::npos);
}
