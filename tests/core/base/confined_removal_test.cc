// ConfinedDir::Remove never acts as the deputy of a user who may write
// inside what it removes: a directory they could have moved in from
// elsewhere, holding files they may not delete, is set aside or refused,
// never emptied. Needs root (chown to other users, trusted.* marks); on
// the real filesystem.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "core/base/confined_dir.h"
#include "tests/testing.h"

namespace fs = std::filesystem;
using namespace daybook;

namespace {

constexpr uid_t kApp = 61001;    // the user the deployed application runs as
constexpr uid_t kOther = 61002;  // someone else
constexpr gid_t kGroup = 61003;  // a group the application may be in

void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

void Own(const fs::path& p, uid_t uid, gid_t gid, mode_t mode) {
  REQUIRE(::chown(p.c_str(), uid, gid) == 0);
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

// A directory `name` in `dir` with a file in it, owned and moded as given.
fs::path Dir(const fs::path& dir, const std::string& name, uid_t uid, gid_t gid, mode_t mode) {
  fs::create_directories(dir / name);
  Write(dir / name / "f", "x\n");
  Own(dir / name, uid, gid, mode);
  return dir / name;
}

// Sets the access ACL of `path`: entries of (tag, perm, id) as in
// posix_acl_xattr.h (0x01 user_obj, 0x02 user, 0x04 group_obj, 0x08
// group, 0x10 mask, 0x20 other), as setfacl would.
struct AclEntry {
  uint16_t tag, perm;
  uint32_t id;
};
void SetAcl(const fs::path& path, std::vector<AclEntry> entries) {
  std::string acl(4, '\0');
  uint32_t version = 2;
  std::memcpy(acl.data(), &version, 4);
  acl.append(reinterpret_cast<const char*>(entries.data()), entries.size() * sizeof(AclEntry));
  REQUIRE(::setxattr(path.c_str(), "system.posix_acl_access", acl.data(), acl.size(), 0) == 0);
}

// releases/r as a checkout makes it (MakeFresh: every directory marked
// with one token), r/src given to the application (as an `after` hook's
// chown leaves it), and a place to set things aside.
struct Release {
  testing::TempDir tmp;
  fs::path releases = tmp.path / "releases";
  fs::path src = releases / "r/src";
  ConfinedDir handle = [&] {
    fs::create_directories(releases);
    fs::create_directories(tmp.path / "quarantine");
    return ConfinedDir::OpenTrusted(releases).value();
  }();
  ConfinedDir quarantine = ConfinedDir::OpenTrusted(tmp.path / "quarantine").value();
  SetAside aside;
  Release() {
    Result<ConfinedDir> r = handle.MakeFresh("r", 0755);
    REQUIRE(r);
    REQUIRE(r->MakeFresh("src", 0755));
    Own(src, kApp, kApp, 0755);
    aside.open = [this]() -> Result<const ConfinedDir*> { return &quarantine; };
  }
  size_t Quarantined() const { return static_cast<size_t>(std::distance(fs::directory_iterator(tmp.path / "quarantine"), {})); }
  // Removes r; what was set aside, by name.
  std::vector<std::string> RemoveAll() {
    REQUIRE(handle.Remove("r", &aside));
    CHECK_FALSE(fs::exists(releases / "r"));
    std::vector<std::string> names;
    for (const std::string& m : aside.moved) names.push_back(fs::path(m.substr(0, m.find(" -> "))).filename());
    CHECK(aside.count == names.size());
    CHECK(Quarantined() == names.size());
    return names;
  }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("confined removal: a root directory moved into the application's part inside its own is set aside whole, never emptied") {
  if (::geteuid() != 0) return;  // chown and trusted.* need root; the e2e confinement scenarios run as root in CI
  Release r;
  fs::create_directories(r.src / "conf/pinned");
  Write(r.src / "conf/pinned/keep", "admin pinned\n");
  Own(r.src / "conf", kApp, kApp, 0755);  // the application's own directory, moved in, carrying root's
  Write(r.src / "app.log", "the application's\n");

  SUBCASE("without a place to set it aside: refused, naming it, and root's file is kept") {
    Status s = r.handle.Remove("r");
    REQUIRE_FALSE(s);
    CHECK(s.error().message.find("r/src/conf/pinned") != std::string::npos);
    CHECK(s.error().message.find("remove it by hand") != std::string::npos);
    CHECK(fs::exists(r.src / "conf/pinned/keep"));
  }
  SUBCASE("with one: moved there whole, the rest removed") {
    CHECK(r.RemoveAll() == Names{"pinned"});
    fs::path kept = fs::directory_iterator(r.tmp.path / "quarantine")->path();
    CHECK(fs::exists(kept / "keep"));
  }
}

TEST_CASE("confined removal: inside a directory that may have been moved in, what its writers could not empty is set aside") {
  if (::geteuid() != 0) return;
  Release r;
  fs::path conf = r.src / "conf";
  fs::create_directories(conf);
  Own(conf, kApp, kApp, 0755);
  Dir(conf, "theirs", kOther, kOther, 0755);  // another user's
  Dir(conf, "shared", 0, 0, 01777);           // sticky: its writers may not remove root's file
  Dir(conf, "open", 0, 0, 0777);              // anyone may write and search it: the application could empty it
  Dir(conf, "own", kApp, kApp, 0555);         // the application's own: it may chmod it
  Names names = r.RemoveAll();
  std::sort(names.begin(), names.end());
  CHECK(names == Names{"shared", "theirs"});
}

TEST_CASE("confined removal: directly in the checkout's own directories, one its writers could not empty is set aside") {
  if (::geteuid() != 0) return;
  Release r;
  Dir(r.src, "drop", kOther, kOther, 0702);    // anyone may write it (so move it), none but its owner search it
  Dir(r.src, "team", kOther, kGroup, 0760);    // the group may write it, not search it
  Dir(r.src, "cache", kApp, kApp, 0755);       // made by the application: it may empty it
  Dir(r.src, "hook", 0, 0, 0755);              // only root could have put it here
  Dir(r.src, "theirs", kOther, kOther, 0755);  // only its owner could have moved it, and may empty it
  REQUIRE(r.handle.Open("r/src")->MakeFresh("lib", 0755));  // the checkout's own, still root's
  Write(r.src / "lib/f", "x\n");
  Names names = r.RemoveAll();
  std::sort(names.begin(), names.end());
  CHECK(names == Names{"drop", "team"});
}

TEST_CASE("confined removal: a directory another checkout made, moved in by the application, is set aside") {
  if (::geteuid() != 0) return;
  Release r;
  testing::TempDir other;
  ConfinedDir live = ConfinedDir::OpenTrusted(other.path).value();
  Result<ConfinedDir> src = live.MakeFresh("src", 0755);
  REQUIRE(src);
  REQUIRE(src->MakeFresh("keys", 0700));
  Write(other.path / "src/keys/private.pem", "the live release's key\n");
  Own(other.path / "src", kApp, kApp, 0755);
  fs::rename(other.path / "src", r.src / "live-src");
  CHECK(r.RemoveAll() == Names{"keys"});
}

TEST_CASE("confined removal: parts shared through a group or an ACL: what the application made is removed") {
  if (::geteuid() != 0) return;
  Release r;
  SUBCASE("group-writable, setgid") {
    Own(r.src, 0, kGroup, 02775);
  }
  SUBCASE("an ACL that lets the application write") {
    Own(r.src, 0, 0, 0755);
    // setfacl -m u:app:rwx
    SetAcl(r.src, {{0x01, 7, ~0u}, {0x02, 7, kApp}, {0x04, 5, ~0u}, {0x10, 7, ~0u}, {0x20, 5, ~0u}});
  }
  Dir(r.src, "cache", kApp, kGroup, 0755);
  Dir(r.src / "cache", "sessions", kApp, kGroup, 0700);
  CHECK(r.RemoveAll().empty());
}

TEST_CASE("confined removal: in a part only root may write, everything is removed as before") {
  if (::geteuid() != 0) return;
  Release r;
  Own(r.src, 0, 0, 0755);
  Dir(r.src, "theirs", kOther, kOther, 0755);  // only root could have put it here
  CHECK(r.RemoveAll().empty());
}

TEST_CASE("confined removal: an ACL entry that denies the application overrides what others may do") {
  if (::geteuid() != 0) return;
  Release r;
  SUBCASE("inside a directory moved in: everyone but the application may write and search it") {
    fs::path team = Dir(r.src, "team", kOther, kOther, 0777);
    fs::path priv = Dir(team, "private", kOther, kOther, 0777);
    SetAcl(priv, {{0x01, 7, ~0u}, {0x02, 0, kApp}, {0x04, 7, ~0u}, {0x10, 7, ~0u}, {0x20, 7, ~0u}});
    CHECK(r.RemoveAll() == Names{"private"});
  }
  SUBCASE("inside a directory moved in: a group denied, others allowed (mode 0707)") {
    fs::path team = Dir(r.src, "team", kOther, kOther, 0777);
    Dir(team, "private", kOther, kGroup, 0707);
    CHECK(r.RemoveAll() == Names{"private"});
  }
  SUBCASE("directly in the checkout's directory: the application may write and search it but not list it") {
    fs::path drop = Dir(r.src, "dropbox", kOther, kOther, 0733);
    CHECK(r.RemoveAll() == Names{"dropbox"});
  }
  SUBCASE("directly in the checkout's directory: an ACL lets the application write and search, not list") {
    fs::path drop = Dir(r.src, "drop", kOther, kOther, 0777);
    SetAcl(drop, {{0x01, 7, ~0u}, {0x02, 3, kApp}, {0x04, 7, ~0u}, {0x10, 7, ~0u}, {0x20, 7, ~0u}});
    CHECK(r.RemoveAll() == Names{"drop"});
  }
  SUBCASE("directly in the checkout's directory: the application may write it but not search it") {
    fs::path drop = Dir(r.src, "drop", kOther, kOther, 0777);
    SetAcl(drop, {{0x01, 7, ~0u}, {0x02, 2, kApp}, {0x04, 7, ~0u}, {0x10, 7, ~0u}, {0x20, 7, ~0u}});
    CHECK(r.RemoveAll() == Names{"drop"});
  }
}
