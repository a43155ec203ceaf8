#include "agent/deploy/release_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/base/strings.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;

Error IoError(const std::string& what, const std::error_code& ec) {
  return MakeError(ErrorCode::kIo, what + ": " + ec.message());
}

// Opens `dir` and runs `sync` on it: fsync makes a rename or a new entry in
// the directory durable, syncfs flushes the whole filesystem that holds it
// (a release's files).
Status SyncDirectory(const fs::path& dir, int (*sync)(int) = ::fsync, const char* what = "fsync") {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, "open " + dir.string() + ": " + std::strerror(errno));
  int rc = sync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kIo, std::string(what) + " " + dir.string() + ": " + std::strerror(error));
  return OkStatus();
}

Status RemoveTree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return IoError("remove " + path.string(), ec);
  return OkStatus();
}

}  // namespace

Result<std::optional<std::string>> ReleaseDir::LiveCommit() const {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(Current(), ec))) {
    if (fs::exists(fs::symlink_status(Current(), ec))) {
      return MakeError(ErrorCode::kFailed, Current().string() + " exists and is not a symlink: not touching it");
    }
    return std::optional<std::string>();
  }
  fs::path target = fs::read_symlink(Current(), ec);
  if (ec) return IoError("read " + Current().string(), ec);
  if (target.parent_path() != "releases") {
    return MakeError(ErrorCode::kFailed, Current().string() + " points at " + target.string() + ", not into releases/");
  }
  return std::optional<std::string>(target.filename().string());
}

Status ReleaseDir::CleanPartials() {
  std::error_code ec;
  fs::path releases = dir_ / "releases";
  if (!fs::exists(releases, ec)) return OkStatus();
  for (fs::directory_iterator it(releases, ec), end; !ec && it != end; it.increment(ec)) {
    if (StartsWith(it->path().filename().string(), ".partial-")) {
      if (Status s = RemoveTree(it->path()); !s) return s;
    }
  }
  if (ec) return IoError("list " + releases.string(), ec);
  return OkStatus();
}

Status ReleaseDir::Promote(const std::string& commit) {
  if (Status s = SyncDirectory(Partial(commit), ::syncfs, "syncfs"); !s) return s;
  std::error_code ec;
  fs::rename(Partial(commit), Release(commit), ec);
  if (ec) return IoError("rename " + Partial(commit).string(), ec);
  return SyncDirectory(dir_ / "releases");
}

Status ReleaseDir::SwitchCurrent(const std::string& commit) {
  fs::path next = dir_ / ".current.next";
  std::error_code ec;
  fs::remove(next, ec);
  fs::create_symlink(fs::path("releases") / commit, next, ec);
  if (ec) return IoError("create " + next.string(), ec);
  fs::rename(next, Current(), ec);  // rename(2) replaces the old link atomically
  if (ec) return IoError("switch " + Current().string(), ec);
  return SyncDirectory(dir_);
}

Status ReleaseDir::RemoveCurrent() {
  std::error_code ec;
  fs::remove(Current(), ec);
  if (ec) return IoError("remove " + Current().string(), ec);
  return SyncDirectory(dir_);
}

Status ReleaseDir::RemoveRelease(const std::string& commit) { return RemoveTree(Release(commit)); }
Status ReleaseDir::RemovePartial(const std::string& commit) { return RemoveTree(Partial(commit)); }
Status ReleaseDir::RemoveFailed(const std::string& commit) { return RemoveTree(Failed(commit)); }

Status ReleaseDir::SetAside(const std::string& commit) {
  std::error_code ec;
  fs::create_directories(dir_ / "failed", ec);
  if (ec) return IoError("create " + (dir_ / "failed").string(), ec);
  if (Status s = RemoveTree(Failed(commit)); !s) return s;
  fs::rename(Release(commit), Failed(commit), ec);
  if (ec) return IoError("move " + Release(commit).string() + " aside", ec);
  return OkStatus();
}

}  // namespace daybook::agent
