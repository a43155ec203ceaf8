// Contract tests of the real filesystem adapter, in a temp dir.
#include "core/base/filesystem.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <cstdlib>

#include "tests/fakes/fake_filesystem.h"

namespace fs = std::filesystem;
using namespace daybook;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "daybook-fs-XXXXXX").string();
    path = ::mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("posix filesystem: atomic write, exact mode, read back, list") {
  TempDir tmp;
  auto fsys = MakePosixFilesystem();
  ::umask(022);
  REQUIRE(fsys->CreateDirectories(tmp.path / "a/b").ok());
  REQUIRE(fsys->WriteFileAtomic(tmp.path / "a/b/key", "secret", 0600).ok());
  struct stat st{};
  REQUIRE(::stat((tmp.path / "a/b/key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(*fsys->ReadFile(tmp.path / "a/b/key") == "secret");
  REQUIRE(fsys->WriteFileAtomic(tmp.path / "a/b/key", "replaced", 0600).ok());
  CHECK(*fsys->ReadFile(tmp.path / "a/b/key") == "replaced");
  REQUIRE(fsys->WriteFileAtomic(tmp.path / "a/b/x.toml", "", 0644).ok());
  CHECK(*fsys->ListDirectory(tmp.path / "a/b") == std::vector<std::string>{"key", "x.toml"});  // no temp left
  auto tomls = ListFilesWithSuffix(*fsys, tmp.path / "a/b", ".toml");
  REQUIRE(tomls.ok());
  CHECK(tomls->size() == 1);
}

TEST_CASE("posix filesystem: missing files are kNotFound, with the path") {
  TempDir tmp;
  auto fsys = MakePosixFilesystem();
  Result<std::string> missing = fsys->ReadFile(tmp.path / "nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(missing.error().message.find("nope") != std::string::npos);
  CHECK_FALSE(fsys->ListDirectory(tmp.path / "nodir").ok());
  CHECK_FALSE(fsys->Exists(tmp.path / "nope"));
  CHECK_FALSE(fsys->WriteFileAtomic(tmp.path / "nodir/f", "x", 0644).ok());
}

TEST_CASE("posix filesystem: a link planted at the old guessable temp name is never written through") {
  TempDir tmp;
  auto fsys = MakePosixFilesystem();
  fs::create_directories(tmp.path / "outside");
  { std::FILE* f = std::fopen((tmp.path / "outside/secret").c_str(), "w"); std::fputs("keep\n", f); std::fclose(f); }
  ::chmod((tmp.path / "outside/secret").c_str(), 0600);
  // Before: the temp file was <path>.tmp.<pid>, opened O_CREAT|O_TRUNC.
  fs::create_symlink(tmp.path / "outside/secret", tmp.path / ("state.json.tmp." + std::to_string(::getpid())));
  REQUIRE(fsys->WriteFileAtomic(tmp.path / "state.json", "{}\n", 0644).ok());
  CHECK(*fsys->ReadFile(tmp.path / "outside/secret") == "keep\n");
  struct stat st{};
  REQUIRE(::stat((tmp.path / "outside/secret").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(*fsys->ReadFile(tmp.path / "state.json") == "{}\n");
}

TEST_CASE("posix filesystem: a taken lock names its holder, and forgets it when released") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  fs::path path = tmp.path / "lock";
  Result<std::unique_ptr<Filesystem::Lock>> first = fs->LockFile(path);
  REQUIRE(first);
  REQUIRE((*first)->SetHolder("intervention 20261129T182301Z-ab12 by alice@devteam\x1b[31m, begun 18:23:01Z"));
  Result<std::unique_ptr<Filesystem::Lock>> second = fs->LockFile(path);  // another open file: refused
  REQUIRE_FALSE(second);
  CHECK(second.error().code == ErrorCode::kFailed);
  CHECK(second.error().message ==
        path.string() + " is locked by another process: intervention 20261129T182301Z-ab12 by alice@devteam?[31m, begun 18:23:01Z");
  first->reset();
  Result<std::unique_ptr<Filesystem::Lock>> third = fs->LockFile(path);
  REQUIRE(third);
  CHECK(fs::file_size(path) == 0);
}

TEST_CASE("ResolveInRoot: links resolve inside the root, never out of it") {
  TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  std::filesystem::path root = tmp.path / "root";
  std::filesystem::create_directories(root / "run");
  std::filesystem::create_directories(root / "var");
  std::filesystem::create_directory_symlink("/run", root / "var/run");          // as in a Debian root
  std::filesystem::create_directory_symlink("../../..", root / "run/up");        // tries to climb out
  std::filesystem::create_symlink("loop2", root / "loop1");
  std::filesystem::create_symlink("loop1", root / "loop2");
  Result<std::filesystem::path> flag = ResolveInRoot(*fs, root, "/var/run/reboot-required");
  REQUIRE(flag);
  CHECK(*flag == root / "run/reboot-required");
  Result<std::filesystem::path> up = ResolveInRoot(*fs, root, "/run/up/etc/passwd");
  REQUIRE(up);
  CHECK(*up == root / "etc/passwd");
  CHECK(ResolveInRoot(*fs, "/", "/var/run/x").value() == "/var/run/x");
  CHECK_FALSE(ResolveInRoot(*fs, root, "/loop1/x"));

  daybook::testing::FakeFilesystem fake;
  fake.AddLink("/r/var/run", "/run");
  CHECK(ResolveInRoot(fake, "/r", "/var/run/reboot-required").value() == "/r/run/reboot-required");
}

TEST_CASE("posix filesystem: LockHolder sees a record lock of another process, without taking or creating") {
  TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  std::filesystem::path lock = tmp.path / "lock-frontend";
  CHECK_FALSE(fs->LockHolder(lock).value().has_value());
  CHECK_FALSE(std::filesystem::exists(lock));  // not created
  std::filesystem::path ready = tmp.path / "ready";
  std::string holder = "python3 -c 'import fcntl,sys,time; f=open(sys.argv[1],\"w\"); fcntl.lockf(f, fcntl.LOCK_EX); "
                       "open(sys.argv[2],\"w\").close(); time.sleep(30)' '" + lock.string() + "' '" + ready.string() +
                       "' > /dev/null 2>&1 & echo $!";
  FILE* pipe = ::popen(holder.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[32] = {};
  REQUIRE(std::fgets(buf, sizeof buf, pipe) != nullptr);
  ::pclose(pipe);
  int pid = std::atoi(buf);
  for (int i = 0; i < 400 && !std::filesystem::exists(ready); ++i) ::usleep(25000);
  REQUIRE(std::filesystem::exists(ready));
  Result<std::optional<int>> held = fs->LockHolder(lock);
  ::kill(pid, SIGKILL);
  REQUIRE(held);
  REQUIRE(held->has_value());
  CHECK(**held == pid);
  for (int i = 0; i < 400 && fs->LockHolder(lock).value().has_value(); ++i) ::usleep(25000);
  CHECK_FALSE(fs->LockHolder(lock).value().has_value());  // released with its holder
}
