// Contract tests of ConfinedDir on the real filesystem: nothing follows a
// link, exclusive creation, removal that never leaves the directory.
#include "core/base/confined_dir.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>

#include "tests/testing.h"

namespace fs = std::filesystem;
using namespace daybook;

namespace {

void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("confined dir: links are never followed, and say so with the path") {
  testing::TempDir tmp;
  fs::create_directories(tmp.path / "root/a/b");
  fs::create_directories(tmp.path / "outside");
  Write(tmp.path / "outside/f", "outside\n");
  fs::create_symlink(tmp.path / "outside", tmp.path / "root/link");
  fs::create_symlink("../outside", tmp.path / "root/a/rel");
  fs::create_symlink(tmp.path / "outside/f", tmp.path / "root/flink");
  Result<ConfinedDir> root = ConfinedDir::OpenTrusted(tmp.path / "root");
  REQUIRE(root);
  CHECK(root->Open("a/b"));
  for (const char* rel : {"link", "a/rel", "link/x", "../outside", "a/../../outside"}) {
    Result<ConfinedDir> opened = root->Open(rel);
    INFO(rel);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code != ErrorCode::kNotFound);
  }
  CHECK(root->Open("link").error().message.find("root/link leads through a symbolic link") != std::string::npos);
  CHECK_FALSE(root->Make("link", 0755));
  CHECK_FALSE(root->MakeFresh("link", 0755));
  CHECK_FALSE(root->OpenFile("flink"));
  CHECK_FALSE(root->CreateFile("flink", 0644));
  CHECK(root->Open("missing").error().code == ErrorCode::kNotFound);
  // Removal unlinks the links, never what they point at.
  REQUIRE(root->Remove("link"));
  REQUIRE(root->Remove("flink"));
  REQUIRE(root->Remove("a"));
  CHECK(Read(tmp.path / "outside/f") == "outside\n");
  CHECK(*root->List() == std::vector<std::string>{});
}

TEST_CASE("confined dir: fresh directories and files are exclusive and exactly their mode") {
  testing::TempDir tmp;
  ::umask(077);
  Result<ConfinedDir> root = ConfinedDir::OpenTrusted(tmp.path);
  REQUIRE(root);
  Result<ConfinedDir> fresh = root->MakeFresh("d", 0755);
  REQUIRE(fresh);
  CHECK((fresh->StatSelf()->st_mode & 07777) == 0755);
  CHECK_FALSE(root->MakeFresh("d", 0755));
  Result<UniqueFd> file = fresh->CreateFile("f", 0644);
  REQUIRE(file);
  CHECK(::write(file->get(), "x", 1) == 1);
  CHECK(((*fresh->Stat("f"))->st_mode & 07777) == 0644);
  CHECK_FALSE(fresh->CreateFile("f", 0644));
  REQUIRE(fresh->Symlink("f", "l"));
  CHECK(*fresh->ReadLink("l") == "f");
  CHECK(*fresh->List() == std::vector<std::string>{"f", "l"});
  REQUIRE(root->Make("d", 0700));  // exists: opened, mode untouched
  CHECK((fresh->StatSelf()->st_mode & 07777) == 0755);
  ::umask(022);
}

TEST_CASE("confined dir: rename and exchange between handles") {
  testing::TempDir tmp;
  fs::create_directories(tmp.path / "a");
  fs::create_directories(tmp.path / "b");
  Write(tmp.path / "a/x", "1");
  fs::create_symlink("/etc", tmp.path / "b/x");
  Result<ConfinedDir> root = ConfinedDir::OpenTrusted(tmp.path);
  Result<ConfinedDir> a = root->Open("a");
  Result<ConfinedDir> b = root->Open("b");
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(a->Rename("x", *b, "x", RENAME_NOREPLACE));
  REQUIRE(a->Rename("x", *b, "x", RENAME_EXCHANGE));
  CHECK(fs::is_symlink(tmp.path / "a/x"));
  CHECK(Read(tmp.path / "b/x") == "1");
}

TEST_CASE("confined dir: a tree 12,000 levels deep is removed with 64 descriptors, without recursion") {
  testing::TempDir tmp;
  REQUIRE(testing::MakeDeepTree(tmp.path, 12'000));
  testing::WriteAll(tmp.path / "d/beside", "x");
  fs::create_directories(tmp.path / "d/e/f");
  Result<ConfinedDir> root = ConfinedDir::OpenTrusted(tmp.path);
  REQUIRE(root);
  {
    testing::FdLimit limit(64);
    Status removed = root->Remove("d");
    CHECK_MESSAGE(removed, (removed ? "" : removed.error().message));
  }
  CHECK(*root->List() == std::vector<std::string>{});
}

TEST_CASE("confined dir: the way back up is checked to be the directory the walk came down from") {
  testing::TempDir tmp;
  fs::create_directories(tmp.path / "a/b");
  fs::create_directories(tmp.path / "c");
  Result<ConfinedDir> root = ConfinedDir::OpenTrusted(tmp.path);
  Result<ConfinedDir> a = root->Open("a");
  Result<ConfinedDir> b = root->Open("a/b");
  REQUIRE(a);
  REQUIRE(b);
  Result<struct stat> a_id = a->StatSelf();
  REQUIRE(a_id);
  Result<ConfinedDir> up = b->Parent(*a_id);
  REQUIRE(up);
  CHECK(up->StatSelf()->st_ino == a_id->st_ino);
  fs::rename(tmp.path / "a/b", tmp.path / "c/b");  // moved under the walk's feet
  Result<ConfinedDir> moved = b->Parent(*a_id);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().message.find("was moved while the agent worked in it") != std::string::npos);
}

TEST_CASE("confined dir: a program is opened beneath the directory, never through a link") {
  testing::TempDir tmp;
  fs::create_directories(tmp.path / "rel/bin");
  fs::create_directories(tmp.path / "outside");
  Write(tmp.path / "rel/bin/start", "#!/bin/sh\n");
  Write(tmp.path / "outside/evil", "#!/bin/sh\n");
  fs::create_symlink(tmp.path / "outside/evil", tmp.path / "rel/bin/link");
  fs::create_directory_symlink(tmp.path / "outside", tmp.path / "rel/shared");
  Result<ConfinedDir> rel = ConfinedDir::OpenTrusted(tmp.path / "rel");
  REQUIRE(rel);
  CHECK(rel->OpenProgram("bin/start"));
  CHECK(rel->OpenProgram("./bin/start"));
  CHECK(rel->OpenProgram("bin/link").error().message.find("bin/link leads through a symbolic link") != std::string::npos);
  CHECK_FALSE(rel->OpenProgram("shared/evil"));
  CHECK_FALSE(rel->OpenProgram("../outside/evil"));
  CHECK_FALSE(rel->OpenProgram("/bin/sh"));
  CHECK(rel->OpenProgram("bin").error().message.find("is not a regular file") != std::string::npos);
}

TEST_CASE("confined dir: removal of wide directories, full of files and of non-empty directories, in bounded passes") {
  testing::TempDir tmp;
  fs::path top = tmp.path / "wide";
  fs::create_directories(top);
  // More non-empty subdirectories than a pass notes (4096), files beside
  // them, empty directories, links and a short chain in each.
  for (int i = 0; i < 5000; ++i) {
    fs::path sub = top / ("d" + std::to_string(i));
    fs::create_directories(sub / "x" / "y");
    testing::WriteAll(sub / "x" / "y" / "f", "f");
    testing::WriteAll(top / ("f" + std::to_string(i)), "f");
  }
  fs::create_directories(top / "empty");
  fs::create_symlink("/etc/passwd", top / "link");
  Result<ConfinedDir> dir = ConfinedDir::OpenTrusted(tmp.path);
  REQUIRE(dir);
  Status removed = dir->Remove("wide");
  REQUIRE_MESSAGE(removed, (removed ? "" : removed.error().message));
  CHECK_FALSE(fs::exists(top));
  CHECK(fs::exists("/etc/passwd"));
}
