// ConfinedDir on Linux: openat2(2) for multi-part paths (glibc 2.36 has no
// wrapper, so syscall(2)), the *at(2) calls with O_NOFOLLOW and
// AT_SYMLINK_NOFOLLOW for single names.
#include "core/base/confined_dir.h"

#include "core/base/confined_removal.h"

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
  // The checkout's token: the parent's when the agent made it too, else a new one.
  std::string token = AgentMark(fd_.get());
  (void)MarkMadeByAgent(dir->fd(), token.empty() ? NewMarkToken() : token);
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

Status ConfinedDir::Remove(const std::string& name, SetAside* aside) const {
  if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "bad name to remove: " + Describe(name));
  return RemoveEntry(fd_.get(), name, aside != nullptr && !aside->shown_as.empty() ? aside->shown_as : Describe(name), aside);
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
