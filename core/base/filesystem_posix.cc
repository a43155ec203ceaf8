// The real Filesystem: std::filesystem for reads and listings, POSIX calls
// for the durable atomic write (std::filesystem has no fsync).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/base/filesystem.h"

namespace daybook {
namespace {

namespace fs = std::filesystem;

Error IoError(const std::string& what, const fs::path& path, int err) {
  return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                   what + " " + path.string() + ": " + std::strerror(err));
}

// Writes all of `data` to `fd`, retrying on short writes and EINTR.
bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

Status FsyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync directory", dir, err);
  return OkStatus();
}

class PosixFilesystem final : public Filesystem {
 public:
  Result<std::string> ReadFile(const fs::path& path) override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return IoError("cannot read", path, errno ? errno : ENOENT);
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad()) return IoError("cannot read", path, EIO);
    return contents.str();
  }

  Result<std::string> ReadSmallRegularFile(const fs::path& path, size_t max_bytes) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      if (errno == ELOOP) return MakeError(ErrorCode::kFailed, path.string() + " is a symbolic link: not following it");
      return IoError("cannot read", path, errno);
    }
    struct stat st {};
    std::string text;
    bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular && static_cast<uint64_t>(st.st_size) <= max_bytes) {
      text.resize(max_bytes + 1);
      size_t got = 0;
      for (ssize_t n; got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) != 0;) {
        if (n < 0) {
          if (errno == EINTR) continue;
          int err = errno;
          ::close(fd);
          return IoError("cannot read", path, err);
        }
        got += static_cast<size_t>(n);
      }
      text.resize(got);
    }
    ::close(fd);
    if (!regular) return MakeError(ErrorCode::kFailed, path.string() + " is not a regular file: not reading it");
    if (static_cast<uint64_t>(st.st_size) > max_bytes || text.size() > max_bytes) {
      return MakeError(ErrorCode::kFailed, path.string() + " is larger than " + std::to_string(max_bytes) + " bytes: not reading it");
    }
    return text;
  }

  Result<std::vector<std::string>> ListDirectory(const fs::path& dir) override {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return IoError("cannot list", dir, ec.value());
    std::sort(names.begin(), names.end());
    return names;
  }

  bool Exists(const fs::path& path) override {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
  }

  Result<std::optional<std::string>> ReadLink(const fs::path& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return std::optional<std::string>();
    std::error_code ec;
    fs::path target = fs::read_symlink(path, ec);
    if (ec) return IoError("cannot read the link", path, ec.value());
    return std::optional<std::string>(target.string());
  }

  Result<unsigned> FileMode(const fs::path& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return IoError("cannot stat", path, errno);
    return static_cast<unsigned>(st.st_mode & 07777);
  }

  Status CreateDirectories(const fs::path& dir) override {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IoError("cannot create directory", dir, ec.value());
    return OkStatus();
  }

  Status WriteFileAtomic(const fs::path& path, const std::string& contents,
                         unsigned mode) override {
    // A fresh name made exclusively (mkostemp: O_CREAT | O_EXCL, 0600): a
    // file or link planted at a guessable name is never written through.
    std::string temp_name = path.string() + ".tmp-XXXXXX";
    int fd = ::mkostemp(temp_name.data(), O_CLOEXEC);
    fs::path temp = temp_name;
    if (fd < 0) return IoError("cannot create", temp, errno);
    // fchmod: open() applied the umask, and a key file must be exactly `mode`.
    bool ok = ::fchmod(fd, mode) == 0 && WriteAll(fd, contents) && ::fsync(fd) == 0;
    int err = errno;
    ok = (::close(fd) == 0) && ok;
    if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
      ok = false;
      err = errno;
    }
    if (!ok) {
      ::unlink(temp.c_str());
      return IoError("cannot write", path, err);
    }
    return FsyncDirectory(path.parent_path());
  }

  Status AppendFile(const fs::path& path, const std::string& data, unsigned mode) override {
    bool existed = Exists(path);
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0) return IoError("cannot open", path, errno);
    bool ok = WriteAll(fd, data) && ::fdatasync(fd) == 0;
    int err = errno;
    ok = (::close(fd) == 0) && ok;
    if (!ok) return IoError("cannot append to", path, err);
    // A new file's directory entry must be durable too.
    if (!existed) return FsyncDirectory(path.parent_path());
    return OkStatus();
  }

  Status TruncateFile(const fs::path& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return IoError("cannot open", path, errno);
    bool ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0 && ::fsync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (!ok) return IoError("cannot truncate", path, err);
    return OkStatus();
  }

  Status RemoveFile(const fs::path& path) override {
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return OkStatus();
      return IoError("cannot remove", path, errno);
    }
    fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return IoError("cannot open directory", dir, errno);
    bool ok = ::fsync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (!ok) return IoError("cannot sync directory", dir, err);
    return OkStatus();
  }

  Result<std::unique_ptr<Lock>> LockFile(const fs::path& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return IoError("cannot open lock", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        std::string holder = ReadHolder(path);
        return MakeError(ErrorCode::kFailed,
                         path.string() + " is locked by another process" + (holder.empty() ? "" : ": " + holder));
      }
      return IoError("cannot lock", path, err);
    }
    return std::unique_ptr<Lock>(new FdLock(fd));
  }

  Result<std::optional<int>> LockHolder(const fs::path& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT) return std::optional<int>();
      return IoError("cannot open lock", path, errno);
    }
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    int rc = ::fcntl(fd, F_GETLK, &probe);
    int err = errno;
    ::close(fd);
    if (rc != 0) return IoError("cannot test the lock", path, err);
    if (probe.l_type == F_UNLCK) return std::optional<int>();
    return std::optional<int>(probe.l_pid);
  }

 private:
  // What the holder wrote in the lock file: its first line, at most 512
  // bytes, printable ASCII only (it is shown on a terminal).
  static std::string ReadHolder(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return "";
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    std::string holder;
    for (ssize_t i = 0; i < n && buf[i] != '\n'; ++i) holder.push_back(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?');
    return holder;
  }

  class FdLock final : public Lock {
   public:
    explicit FdLock(int fd) : fd_(fd) {}
    ~FdLock() override {
      (void)::ftruncate(fd_, 0);  // nobody holds it any more
      ::close(fd_);               // closing releases the flock
    }
    Status SetHolder(const std::string& holder) override {
      std::string line = holder + "\n";
      if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
        return MakeError(ErrorCode::kIo, std::string("cannot write the lock holder: ") + std::strerror(errno));
      }
      return OkStatus();
    }
    FdLock(const FdLock&) = delete;
    FdLock& operator=(const FdLock&) = delete;

   private:
    int fd_;
  };
};

}  // namespace

std::unique_ptr<Filesystem> MakePosixFilesystem() { return std::make_unique<PosixFilesystem>(); }

Result<fs::path> ResolveInRoot(Filesystem& fs, const fs::path& root, const std::string& path) {
  if (root == "/" || root.empty()) return fs::path(path);
  auto parts = [](const std::string& p) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string::npos) end = p.size();
      if (end > start) out.push_back(p.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  std::vector<std::string> todo = parts(path);  // in reverse: the next part at the back
  std::reverse(todo.begin(), todo.end());
  fs::path done = root;  // resolved so far: no link in it below root
  size_t depth = 0;      // parts of `done` below root
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (depth > 0) {
        done = done.parent_path();
        --depth;
      }
      continue;
    }
    Result<std::optional<std::string>> target = fs.ReadLink(done / part);
    if (!target) return std::move(target).error();
    if (!target->has_value()) {
      done /= part;
      ++depth;
      continue;
    }
    if (++links > 40) return MakeError(ErrorCode::kFailed, "too many levels of links resolving " + path + " in " + root.string());
    std::vector<std::string> more = parts(**target);
    if (!target->value().empty() && target->value().front() == '/') {
      done = root;
      depth = 0;
    }
    todo.insert(todo.end(), more.rbegin(), more.rend());
  }
  return done;
}

Result<std::vector<fs::path>> ListFilesWithSuffix(Filesystem& fs, const fs::path& dir,
                                                  std::string_view suffix) {
  Result<std::vector<std::string>> names = fs.ListDirectory(dir);
  if (!names) return std::move(names).error();
  std::vector<fs::path> paths;
  for (const std::string& name : *names) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      paths.push_back(dir / name);
    }
  }
  return paths;
}

}  // namespace daybook
