// ConfinedDir on Linux: openat2(2) for multi-part paths (glibc 2.36 has no
// wrapper, so syscall(2)), the *at(2) calls with O_NOFOLLOW and
// AT_SYMLINK_NOFOLLOW for single names.
#include "core/base/confined_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace daybook {
namespace {

namespace fs = std::filesystem;

Error OsError(const std::string& what, const std::string& path, int err) {
  return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

// An open that met a link or a non-directory where a directory was wanted.
Error OpenError(const std::string& path, int err) {
  if (err == ELOOP) return MakeError(ErrorCode::kFailed, path + " leads through a symbolic link: not following it");
  if (err == ENOTDIR) return MakeError(ErrorCode::kFailed, path + " is not a directory");
  if (err == EXDEV) return MakeError(ErrorCode::kFailed, path + " leads outside its directory: not following it");
  return OsError("cannot open", path, err);
}

long OpenAt2(int dir, const char* rel, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir, rel, &how, sizeof how);
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return fd;
}

// A directory stream over a fresh descriptor of the directory `fd` (its
// own read position), closed by closedir.
Result<DIR*> OpenDirStream(int fd, const std::string& where) {
  int copy = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) return OsError("cannot list", where, errno);
  DIR* d = ::fdopendir(copy);
  if (d == nullptr) {
    int err = errno;
    ::close(copy);
    return OsError("cannot list", where, err);
  }
  return d;
}

Result<std::vector<std::string>> ListFd(int fd, const std::string& where, size_t max = SIZE_MAX) {
  Result<DIR*> opened = OpenDirStream(fd, where);
  if (!opened) return opened.error();
  DIR* d = *opened;
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
    if (names.size() > max) break;
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return OsError("cannot list", where, err);
  if (names.size() > max) return MakeError(ErrorCode::kFailed, where + " holds more than " + std::to_string(max) + " entries");
  std::sort(names.begin(), names.end());
  return names;
}

// One directory entered by RemoveEntry: its name in its parent, its
// identity, and some of the directories in it still to remove.
struct Level {
  std::string name;
  struct stat st;
  std::vector<std::string> subdirs;
};

// How many names of subdirectories a removal holds at once, all levels
// together (each level keeps at least one): a directory of a million
// entries, or a chain of them, costs bounded memory; what is not held is
// found again by the next pass over the directory.
constexpr size_t kRemovalNamesHeld = 4096;

// One pass over the directory `fd`: removes its files, links and empty
// directories, and notes up to `room` (at least one) of the others.
Status Sweep(int fd, const std::string& where, size_t room, std::vector<std::string>& subdirs) {
  Result<DIR*> opened = OpenDirStream(fd, where);
  if (!opened) return opened.error();
  DIR* d = *opened;
  room = std::max<size_t>(room, 1);
  int err = 0;
  for (;;) {
    errno = 0;
    dirent* e = ::readdir(d);
    if (e == nullptr) {
      err = errno;
      break;
    }
    const char* name = e->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    if (::unlinkat(fd, name, 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) {
      err = errno;
      break;
    }
    if (::unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) continue;  // an empty directory
    if (subdirs.size() < room) subdirs.emplace_back(name);
  }
  ::closedir(d);
  if (err != 0) return OsError("cannot remove in", where, err);
  return OkStatus();
}

// Removes `name` of `dir` (`where` for messages) and everything in it,
// never following a link. No recursion, two descriptors at most and
// bounded memory at any depth or width (a tree 12,000 levels deep, or a
// directory of a million names, exhausts neither stack, descriptors nor
// memory), and time linear in the entries: it goes down one directory at a
// time and back up through "..", checked to be the directory it came
// from, so a directory moved meanwhile stops the removal instead of
// steering it elsewhere. A directory is swept again after each of its
// subdirectories is gone, until a sweep finds none left.
Status RemoveEntry(int dir, const std::string& name, const std::string& where) {
  if (::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return OkStatus();
  if (errno != EISDIR && errno != EPERM) return OsError("cannot remove", where, errno);
  std::vector<Level> down;  // the directories entered, `name` first
  UniqueFd at;              // the last one entered
  size_t held = 0;          // names in every level's `subdirs`
  // Where the removal is, for messages: not the whole path, which would
  // cost time and memory quadratic in the depth.
  auto here = [&] {
    return down.size() <= 1 ? where : where + "/.../" + down.back().name + " (" + std::to_string(down.size() - 1) + " levels down)";
  };
  // Opens `child` of `parent` and sweeps it; false when it was gone, or
  // had become a file or a link meanwhile (then removed as such).
  auto enter = [&](int parent, const std::string& child) -> Result<bool> {
    int fd = ::openat(parent, child.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return false;
      if (errno != ENOTDIR && errno != ELOOP) return OsError("cannot open", here() + "/" + child, errno);
      if (::unlinkat(parent, child.c_str(), 0) != 0 && errno != ENOENT) return OsError("cannot remove", here() + "/" + child, errno);
      return false;
    }
    UniqueFd sub(fd);
    Level level{child, {}, {}};
    if (::fstat(fd, &level.st) != 0) return OsError("cannot stat", here() + "/" + child, errno);
    at = std::move(sub);
    down.push_back(std::move(level));
    return true;
  };
  Result<bool> entered = enter(dir, name);
  if (!entered) return entered.error();
  bool swept = false;  // the current level was swept since it was entered or came back to
  while (!down.empty()) {
    Level& level = down.back();
    if (!swept) {
      if (Status s = Sweep(at.get(), here(), kRemovalNamesHeld > held ? kRemovalNamesHeld - held : 1, level.subdirs); !s) return s;
      held += level.subdirs.size();
      swept = true;
    }
    if (!level.subdirs.empty()) {
      std::string child = std::move(level.subdirs.back());
      level.subdirs.pop_back();
      --held;
      entered = enter(at.get(), child);
      if (!entered) return entered.error();
      swept = !*entered;
      continue;
    }
    // Nothing noted is left: a last sweep to be sure it is empty (a sweep
    // with no room may have left some), then back up and remove it.
    std::vector<std::string> more;
    if (Status s = Sweep(at.get(), here(), kRemovalNamesHeld > held ? kRemovalNamesHeld - held : 1, more); !s) return s;
    if (!more.empty()) {
      held += more.size();
      level.subdirs = std::move(more);
      continue;
    }
    std::string path = here();
    std::string done = std::move(level.name);
    down.pop_back();
    UniqueFd up;
    if (!down.empty()) {
      up = UniqueFd(::openat(at.get(), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      struct stat st {};
      if (up.get() < 0 || ::fstat(up.get(), &st) != 0) return OsError("cannot open the parent of", path, errno);
      if (st.st_dev != down.back().st.st_dev || st.st_ino != down.back().st.st_ino) {
        return MakeError(ErrorCode::kFailed, path + " was moved while it was being removed: stopping");
      }
    }
    if (::unlinkat(down.empty() ? dir : up.get(), done.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      return OsError("cannot remove", path, errno);
    }
    at = std::move(up);
    swept = true;  // the parent's noted subdirectories are still to do
  }
  return OkStatus();
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

bool IsPlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

Result<ConfinedDir> ConfinedDir::OpenTrusted(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OpenError(path.string(), errno);
  return ConfinedDir(UniqueFd(fd), path);
}

Result<ConfinedDir> ConfinedDir::Open(const std::string& rel) const {
  std::string where = Describe(rel);
  if (rel.empty() || rel.front() == '/') return MakeError(ErrorCode::kInvalidInput, "not a relative path: " + where);
  long fd = OpenAt2(fd_.get(), rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) {
    int err = errno;
    if (err != ELOOP && err != ENOTDIR) return OpenError(where, err);
    // Name the first part that is a link or not a directory (lstat only,
    // for the message: the parts before it are real directories).
    std::string prefix;
    for (size_t at = 0; at != std::string::npos;) {
      size_t slash = rel.find('/', at);
      prefix = rel.substr(0, slash);
      struct stat st {};
      if (::fstatat(fd_.get(), prefix.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) break;
      if (S_ISLNK(st.st_mode)) return OpenError(Describe(prefix), ELOOP);
      if (!S_ISDIR(st.st_mode)) return OpenError(Describe(prefix), ENOTDIR);
      at = slash == std::string::npos ? slash : slash + 1;
    }
    return OpenError(where, err);
  }
  return ConfinedDir(UniqueFd(static_cast<int>(fd)), path_ / rel);
}

Result<ConfinedDir> ConfinedDir::Make(const std::string& name, unsigned mode) const {
  if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "bad directory name " + Describe(name));
  bool made = ::mkdirat(fd_.get(), name.c_str(), static_cast<mode_t>(mode)) == 0;
  if (!made && errno != EEXIST) return OsError("cannot create", Describe(name), errno);
  Result<ConfinedDir> dir = Open(name);
  if (dir && made) {
    if (Status s = dir->Chmod(mode); !s) return s.error();
  }
  return dir;
}

Result<ConfinedDir> ConfinedDir::MakeFresh(const std::string& name, unsigned mode) const {
  if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "bad directory name " + Describe(name));
  // 0700 until chmod: nobody else may enter it in between.
  if (::mkdirat(fd_.get(), name.c_str(), 0700) != 0) return OsError("cannot create", Describe(name), errno);
  Result<ConfinedDir> dir = Open(name);
  if (!dir) return dir;
  // The one just made: ours, still 0700 (any umask leaves at most that),
  // and empty, or someone swapped another in between.
  Result<struct stat> st = dir->StatSelf();
  if (!st) return st.error();
  Result<std::vector<std::string>> inside = dir->List();
  if (!inside) return inside.error();
  if (st->st_uid != ::geteuid() || (st->st_mode & 077) != 0 || !inside->empty()) {
    return MakeError(ErrorCode::kFailed, Describe(name) + " was replaced right after it was created: not using it");
  }
  if (Status s = dir->Chmod(mode); !s) return s.error();
  return dir;
}

Result<ConfinedDir> ConfinedDir::Parent(const struct stat& expected) const {
  fs::path where = path_.has_relative_path() ? path_.parent_path() : path_;
  int fd = ::openat(fd_.get(), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return OsError("cannot open", where.string(), errno);
  ConfinedDir parent(UniqueFd(fd), where);
  Result<struct stat> st = parent.StatSelf();
  if (!st) return st.error();
  if (st->st_dev != expected.st_dev || st->st_ino != expected.st_ino) {
    return MakeError(ErrorCode::kFailed, path_.string() + " was moved while the agent worked in it: stopping");
  }
  return parent;
}

Result<std::optional<struct stat>> ConfinedDir::Stat(const std::string& name) const {
  struct stat st {};
  if (::fstatat(fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::optional<struct stat>();
    return OsError("cannot stat", Describe(name), errno);
  }
  return std::optional<struct stat>(st);
}

Result<struct stat> ConfinedDir::StatSelf() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return OsError("cannot stat", path_.string(), errno);
  return st;
}

Result<std::string> ConfinedDir::ReadLink(const std::string& name) const {
  std::string target(4096, '\0');
  ssize_t n = ::readlinkat(fd_.get(), name.c_str(), target.data(), target.size());
  if (n < 0) return OsError("cannot read link", Describe(name), errno);
  if (static_cast<size_t>(n) == target.size()) {
    return MakeError(ErrorCode::kIo, "link " + Describe(name) + " is too long");
  }
  target.resize(static_cast<size_t>(n));
  return target;
}

Result<std::vector<std::string>> ConfinedDir::List(size_t max) const { return ListFd(fd_.get(), path_.string(), max); }

Result<UniqueFd> ConfinedDir::CreateFile(const std::string& name, unsigned mode) const {
  if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "bad file name " + Describe(name));
  int fd = ::openat(fd_.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return OsError("cannot create", Describe(name), errno);
  UniqueFd file(fd);
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return OsError("cannot chmod", Describe(name), errno);
  return file;
}

Result<UniqueFd> ConfinedDir::OpenFile(const std::string& name) const {
  int fd = ::openat(fd_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ELOOP) return MakeError(ErrorCode::kFailed, Describe(name) + " is a symbolic link: not following it");
    return OsError("cannot open", Describe(name), errno);
  }
  UniqueFd file(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return OsError("cannot stat", Describe(name), errno);
  if (!S_ISREG(st.st_mode)) return MakeError(ErrorCode::kFailed, Describe(name) + " is not a regular file");
  return file;
}

Result<UniqueFd> ConfinedDir::OpenProgram(const std::string& rel) const {
  std::string where = Describe(rel);
  if (rel.empty() || rel.front() == '/') return MakeError(ErrorCode::kInvalidInput, "not a relative path: " + where);
  long fd = OpenAt2(fd_.get(), rel.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC,
                    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) return OpenError(where, errno);
  UniqueFd file(static_cast<int>(fd));
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return OsError("cannot stat", where, errno);
  // O_PATH|O_NOFOLLOW opens a trailing link itself rather than failing.
  if (S_ISLNK(st.st_mode)) return OpenError(where, ELOOP);
  if (!S_ISREG(st.st_mode)) return MakeError(ErrorCode::kFailed, where + " is not a regular file");
  return file;
}

Status ConfinedDir::Symlink(const std::string& target, const std::string& name) const {
  if (::symlinkat(target.c_str(), fd_.get(), name.c_str()) != 0) return OsError("cannot create link", Describe(name), errno);
  return OkStatus();
}

Status ConfinedDir::Rename(const std::string& name, const ConfinedDir& to, const std::string& to_name, unsigned flags) const {
  if (!IsPlainName(name) || !IsPlainName(to_name)) {
    return MakeError(ErrorCode::kInvalidInput, "bad name to rename: " + Describe(name) + " to " + to.Describe(to_name));
  }
  if (::renameat2(fd_.get(), name.c_str(), to.fd(), to_name.c_str(), flags) != 0) {
    return OsError("cannot rename", Describe(name) + " to " + to.Describe(to_name), errno);
  }
  return OkStatus();
}

Status ConfinedDir::Remove(const std::string& name) const {
  if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "bad name to remove: " + Describe(name));
  return RemoveEntry(fd_.get(), name, Describe(name));
}

Status ConfinedDir::Chmod(unsigned mode) const {
  if (::fchmod(fd_.get(), static_cast<mode_t>(mode)) != 0) return OsError("cannot chmod", path_.string(), errno);
  return OkStatus();
}

Status ConfinedDir::Sync() const {
  if (::fsync(fd_.get()) != 0) return OsError("cannot fsync", path_.string(), errno);
  return OkStatus();
}

Status ConfinedDir::SyncFilesystem() const {
  if (::syncfs(fd_.get()) != 0) return OsError("cannot syncfs", path_.string(), errno);
  return OkStatus();
}

}  // namespace daybook
