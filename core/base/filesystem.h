// Filesystem seam: every file read or write of the libraries goes through
// this interface, so logic is tested on an in-memory fake
// (tests/fakes/fake_filesystem.h) and crash safety by fault injection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace daybook {

class Filesystem {
 public:
  virtual ~Filesystem() = default;

  // Whole file contents. kNotFound when it does not exist.
  virtual Result<std::string> ReadFile(const std::filesystem::path& path) = 0;

  // A file someone else controls (a managed root's os-release, a reboot
  // flag's package list): read only if `path` itself is a regular file
  // (not a link, a fifo or a device: opened O_NOFOLLOW | O_NONBLOCK) of at
  // most `max_bytes`; kFailed naming it otherwise. kNotFound when missing.
  virtual Result<std::string> ReadSmallRegularFile(const std::filesystem::path& path, size_t max_bytes) {
    Result<std::string> text = ReadFile(path);
    if (text && text->size() > max_bytes) return MakeError(ErrorCode::kFailed, path.string() + " is larger than expected");
    return text;
  }

  // Names (not paths) of the entries of `dir`, sorted. kNotFound when `dir`
  // does not exist.
  virtual Result<std::vector<std::string>> ListDirectory(const std::filesystem::path& dir) = 0;

  virtual bool Exists(const std::filesystem::path& path) = 0;

  // The target of the symbolic link `path` (its last part is not
  // followed); nullopt when `path` is not a link or does not exist.
  virtual Result<std::optional<std::string>> ReadLink(const std::filesystem::path& path) = 0;

  // Permission bits of `path` (as in st_mode & 07777). kNotFound when missing.
  virtual Result<unsigned> FileMode(const std::filesystem::path& path) = 0;

  // mkdir -p.
  virtual Status CreateDirectories(const std::filesystem::path& dir) = 0;

  // Replaces `path` atomically and durably (temp file, fsync, rename, fsync
  // of the directory) with permission bits `mode`: after a crash the file
  // holds either the old or the new contents.
  virtual Status WriteFileAtomic(const std::filesystem::path& path, const std::string& contents,
                                 unsigned mode) = 0;

  // Appends `data` to `path` (created with `mode` if missing) and makes it
  // durable (fdatasync) before returning. On failure part of `data` may have
  // been written: callers that need all-or-nothing truncate back.
  virtual Status AppendFile(const std::filesystem::path& path, const std::string& data, unsigned mode) = 0;

  // Cuts `path` to `size` bytes, durably.
  virtual Status TruncateFile(const std::filesystem::path& path, uint64_t size) = 0;

  // Removes the file `path` and makes that durable (fsync of the
  // directory). Removing a file that does not exist is not an error.
  virtual Status RemoveFile(const std::filesystem::path& path) = 0;

  // An exclusive advisory lock on `path` (created if missing), held until the
  // returned object is destroyed. kFailed at once when another process
  // holds it, the message ending with what the holder said of itself.
  class Lock {
   public:
    virtual ~Lock() = default;
    // Says who holds the lock and why (one line, kept in the lock file), for
    // the message another process gets when it finds the lock taken.
    virtual Status SetHolder(const std::string& holder) {
      (void)holder;
      return OkStatus();
    }
  };
  virtual Result<std::unique_ptr<Lock>> LockFile(const std::filesystem::path& path) = 0;

  // Whether another process holds a POSIX record lock (fcntl, as dpkg and
  // apt take theirs) on `path`, tested without taking it and without
  // creating the file: the holder's pid (-1 for an open-file-description
  // lock, which has none), or nullopt when nobody holds one or `path` does
  // not exist.
  virtual Result<std::optional<int>> LockHolder(const std::filesystem::path& path) = 0;
};

// The real filesystem (POSIX). Thread-compatible: no state of its own.
std::unique_ptr<Filesystem> MakePosixFilesystem();

// The entries of `dir` whose names end in `suffix`, as full paths, sorted.
Result<std::vector<std::filesystem::path>> ListFilesWithSuffix(Filesystem& fs,
                                                               const std::filesystem::path& dir,
                                                               std::string_view suffix);

// `path` (absolute) as a process chrooted in `root` sees it, as a host path
// beneath `root`: every link on the way is resolved inside `root` (an
// absolute target starts again at `root`, ".." never climbs above it), the
// way systemd's chase() does with a root prefix. A managed root's
// var/run -> /run then means <root>/run, never the host's /run. kFailed
// after 40 links (a loop). `root` "/" resolves nothing: the host's own path.
Result<std::filesystem::path> ResolveInRoot(Filesystem& fs, const std::filesystem::path& root, const std::string& path);

}  // namespace daybook
