// ConfinedDir::Remove on Linux: a removal that never follows a link, holds
// bounded memory and descriptors at any depth or width, and never makes
// the agent the deputy of a user who moved a directory in (see
// ConfinedDir::Remove).
#include "core/base/confined_removal.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/base/dir_access.h"
#include "core/base/ownership.h"

namespace daybook {
namespace {

Error OsError(const std::string& what, const std::string& path, int err) {
  return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

const char* MarkName() { return ::geteuid() == 0 ? "trusted.daybook.made" : "user.daybook.made"; }

// Whether the directory `st` (open as `fd`, `ours` when it bears the mark
// of the checkout being removed), found in `parent` (open as `parent_fd`,
// `parent_ours` likewise), may be emptied: see ConfinedDir::Remove.
//  - A parent nobody but root (or the agent's user) may write holds only
//    what they put there.
//  - A directory of the checkout being removed holds only what was put in
//    it directly: by whoever made the directory (its owner) or moved it
//    there, who had to be allowed to write it (rename(2) updates its
//    ".."). So every one who may write it must be able to empty it.
//  - Any other parent may itself have been moved in, with `st` in it:
//    every one who may write the parent must be able to empty `st`.
bool MayEmpty(int parent_fd, const struct stat& parent, bool parent_ours, int fd, const struct stat& st, bool ours) {
  if (!WritableByOthers(parent, Sticky::kRefused)) return true;
  if (ours) return true;
  DirAccess self = DirAccess::Read(fd, st);
  if (parent_ours) return self.EveryWriterMayEmpty();
  return self.EveryoneMayEmpty(DirAccess::Read(parent_fd, parent).writers());
}

// A name for `name` set aside: itself (at most 200 bytes of it) and 16
// random hex digits, so that nothing already set aside is replaced.
std::string AsideName(const std::string& name) {
  unsigned char bytes[8] = {};
  (void)::getrandom(bytes, sizeof bytes, 0);
  std::string out = name.substr(0, 200) + "-";
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

}  // namespace

std::string NewMarkToken() { return AsideName("").substr(1); }

bool MarkMadeByAgent(int fd, const std::string& token) { return ::fsetxattr(fd, MarkName(), token.data(), token.size(), 0) == 0; }

std::string AgentMark(int fd) {
  char value[64];
  ssize_t n = ::fgetxattr(fd, MarkName(), value, sizeof value);
  return n > 0 ? std::string(value, static_cast<size_t>(n)) : std::string();
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

namespace {

// One directory entered by RemoveEntry: its name in its parent, its
// identity, and some of the directories in it still to remove.
struct Level {
  std::string name;
  struct stat st;
  std::vector<std::string> subdirs;
  bool ours = false;  // bears the mark of the checkout being removed
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

}  // namespace

// Removes `name` of `dir` (`where` for messages) and everything in it,
// never following a link. No recursion, two descriptors at most and
// bounded memory at any depth or width (a tree 12,000 levels deep, or a
// directory of a million names, exhausts neither stack, descriptors nor
// memory), and time linear in the entries: it goes down one directory at a
// time and back up through "..", checked to be the directory it came
// from, so a directory moved meanwhile stops the removal instead of
// steering it elsewhere. A directory is swept again after each of its
// subdirectories is gone, until a sweep finds none left. A directory it
// may not empty (MayEmpty) is set aside whole, or stops it.
Status RemoveEntry(int dir, const std::string& name, const std::string& where, SetAside* aside) {
  if (::unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return OkStatus();
  if (errno != EISDIR && errno != EPERM) return OsError("cannot remove", where, errno);
  struct stat top {};
  if (::fstat(dir, &top) != 0) return OsError("cannot stat", where, errno);
  std::string token;  // the mark of the entry removed, when the agent made it
  std::vector<Level> down;  // the directories entered, `name` first
  UniqueFd at;              // the last one entered
  size_t held = 0;          // names in every level's `subdirs`
  // Where the removal is, for messages: not the whole path, which would
  // cost time and memory quadratic in the depth.
  auto here = [&] {
    return down.size() <= 1 ? where : where + "/.../" + down.back().name + " (" + std::to_string(down.size() - 1) + " levels down)";
  };
  // The path of `child` of the current level, for a message about it:
  // whole up to PATH_MAX, else the short form.
  auto path_of = [&](const std::string& child) {
    if (down.empty()) return where;
    std::string path = where;
    for (size_t i = 1; i < down.size() && path.size() <= PATH_MAX; ++i) path += "/" + down[i].name;
    path += "/" + child;
    return path.size() <= PATH_MAX ? path : here() + "/" + child;
  };
  // Sets aside the directory `child` of `parent`, or refuses.
  auto set_aside = [&](int parent, const std::string& child) -> Status {
    std::string path = path_of(child);
    if (aside == nullptr) {
      return MakeError(ErrorCode::kFailed, "not removing " + path +
                                               ": the agent did not make it, and a user who may write where it is could have moved it "
                                               "in from outside with files they may not delete; remove it by hand");
    }
    Result<const ConfinedDir*> to = aside->open();
    if (!to) return to.error();
    std::string moved = AsideName(child);
    if (::renameat2(parent, child.c_str(), (*to)->fd(), moved.c_str(), RENAME_NOREPLACE) != 0) {
      return OsError("cannot set aside", path, errno);
    }
    if (++aside->count <= SetAside::kListed) aside->moved.push_back(path + " -> " + (*to)->Describe(moved));
    return OkStatus();
  };
  // Opens `child` of `parent` and enters it; false when it was gone, had
  // become a file or a link meanwhile (then removed as such), or was set
  // aside.
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
    // Only root sets trusted.* marks, whoever owns the directory now (a
    // hook may have chowned it). A user.* mark anyone who may write the
    // directory can set (and read): it counts only on a directory of the
    // agent's user that nobody else may write.
    if (::geteuid() == 0 || (level.st.st_uid == ::geteuid() && !WritableByOthers(level.st, Sticky::kRefused))) {
      std::string mark = AgentMark(fd);
      if (down.empty()) token = mark;
      level.ours = !mark.empty() && mark == token;
    }
    if (!MayEmpty(parent, down.empty() ? top : down.back().st, !down.empty() && down.back().ours, fd, level.st, level.ours)) {
      if (Status s = set_aside(parent, child); !s) return s.error();
      return false;
    }
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


}  // namespace daybook
