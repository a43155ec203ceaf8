// Confined file access, the DeployRoot seam of DESIGN.md §4-5: a directory
// held by its descriptor, and every operation relative to it. Nothing here
// follows a symbolic link: a multi-part path is resolved with openat2
// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), single names with O_NOFOLLOW and
// AT_SYMLINK_NOFOLLOW, so renaming or replacing a directory by a link while
// the agent works can at worst make an operation fail, never send it outside
// the directory it holds. Path strings are kept for messages only.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace daybook {

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

class ConfinedDir;

// Where ConfinedDir::Remove puts a directory it may not empty instead of
// refusing: `open` gives the directory (called at the first such one),
// `moved` says what went where ("from -> to"), for the first kListed of
// the `count` set aside.
struct SetAside {
  static constexpr size_t kListed = 100;
  std::function<Result<const ConfinedDir*>()> open;
  // How the entry removed is named in `moved` and messages, when not by
  // its path (a release swapped out is named as the release it was).
  std::string shown_as;
  std::vector<std::string> moved;
  size_t count = 0;
};

class ConfinedDir {
 public:
  // The directory at absolute `path`, links followed: only for directories
  // the administrator configured (the agent's root and deploy roots).
  static Result<ConfinedDir> OpenTrusted(const std::filesystem::path& path);

  // `rel` ("a" or "a/b/c", never absolute, never "..") beneath this
  // directory, every part a real directory. kNotFound when a part is
  // missing; kFailed naming the path when a part is a link or not a
  // directory.
  Result<ConfinedDir> Open(const std::string& rel) const;
  // The directory `name`, created with `mode` when missing (then exactly
  // `mode`, whatever the umask). kFailed when `name` is a link or a file.
  Result<ConfinedDir> Make(const std::string& name, unsigned mode) const;
  // A new directory `name` that did not exist before (mkdir is exclusive),
  // exactly `mode`. The directory opened is checked to be the one made
  // (ours, empty, 0700 until the chmod); in a directory only root can
  // write, nobody could have put another there in between. It carries the
  // agent's mark (an extended attribute only the agent's user can set:
  // trusted.* for root) with the token of this directory's own when it has
  // one, else a new one: a checkout's directories share one token, which
  // Remove takes as proof that a directory was made in the tree it
  // removes, not moved in from elsewhere. Where the filesystem has no such
  // attributes it goes unmarked.
  Result<ConfinedDir> MakeFresh(const std::string& name, unsigned mode) const;
  // The parent of this directory, checked to be the directory `expected`
  // describes (st_dev, st_ino): a walk that came down from it goes back up
  // with one descriptor held, and kFailed if it was moved meanwhile.
  Result<ConfinedDir> Parent(const struct stat& expected) const;

  // lstat of `name`; nullopt when it does not exist.
  Result<std::optional<struct stat>> Stat(const std::string& name) const;
  Result<struct stat> StatSelf() const;
  Result<std::string> ReadLink(const std::string& name) const;
  // Names of the entries, sorted bytewise, without "." and "..". kFailed
  // when there are more than `max` (read no further: a directory another
  // user fills costs at most `max` names).
  Result<std::vector<std::string>> List(size_t max = SIZE_MAX) const;

  // A new regular file (O_EXCL, O_NOFOLLOW), exactly `mode`, open for writing.
  Result<UniqueFd> CreateFile(const std::string& name, unsigned mode) const;
  // An existing regular file for reading; kFailed when `name` is a link or
  // anything but a regular file (a fifo never blocks the reader).
  Result<UniqueFd> OpenFile(const std::string& name) const;
  // The regular file `rel` beneath this directory, O_PATH (to execute it by
  // descriptor), no part of `rel` a link; kFailed naming it otherwise.
  Result<UniqueFd> OpenProgram(const std::string& rel) const;
  Status Symlink(const std::string& target, const std::string& name) const;
  // renameat2 of `name` here to `to_name` in `to`; `flags` as renameat2's
  // (RENAME_NOREPLACE, RENAME_EXCHANGE).
  Status Rename(const std::string& name, const ConfinedDir& to, const std::string& to_name, unsigned flags = 0) const;
  // Removes `name`: a file or link, or a directory with everything in it,
  // never following a link. A missing `name` is not an error.
  //
  // A directory inside one that someone other than the agent's user may
  // write could have been moved in from anywhere on the filesystem, with
  // files in it that whoever moved it could not delete (a root-owned
  // directory inside their own): emptying it would make the agent their
  // deputy. Such a directory is emptied only if it bears the mark of the
  // checkout `name` was made by (MakeFresh), or if whoever could have put
  // it there could have emptied it themselves (confined_removal.cc,
  // MayEmpty; write and search, dir_access.h). Any other is moved whole
  // into `aside` (nothing of it deleted) or, without `aside`, the removal
  // stops with kFailed naming it.
  Status Remove(const std::string& name, SetAside* aside = nullptr) const;

  Status Chmod(unsigned mode) const;
  // fsync of the directory (its entries are durable).
  Status Sync() const;
  // syncfs of the filesystem that holds it (a whole new release is durable).
  Status SyncFilesystem() const;

  const std::filesystem::path& path() const { return path_; }
  std::string Describe(const std::string& name) const { return (path_ / name).string(); }
  int fd() const { return fd_.get(); }

 private:
  ConfinedDir(UniqueFd fd, std::filesystem::path path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::filesystem::path path_;
};

// Whether `name` is one path part: not empty, not "." or "..", no '/'.
bool IsPlainName(const std::string& name);

}  // namespace daybook
