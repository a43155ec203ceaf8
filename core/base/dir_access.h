// Who, besides root and the agent's own user, may write a directory, and
// who may also empty it: from its mode bits, or from its POSIX access ACL
// when it has one (the extended attribute system.posix_acl_access, whose
// binary layout is Linux's: include/uapi/linux/posix_acl_xattr.h). Used by
// removals under parts of a release another user may write
// (ConfinedDir::Remove), to decide whether whoever could have put a
// directory there could have emptied it themselves.
#pragma once

#include <sys/stat.h>

#include <vector>

namespace daybook {

// One who may be granted access: a user, a group (its members), or
// everyone else.
struct Principal {
  enum class Kind { kUser, kGroup, kOthers } kind = Kind::kOthers;
  unsigned id = 0;  // uid or gid; 0 for kOthers
  bool operator==(const Principal&) const = default;
};

struct DirAccess {
  uid_t owner = 0;
  bool sticky = false;
  // Those who may write it (add, rename, remove entries), root and the
  // agent's own user left out; the owner is among them (it may chmod).
  std::vector<Principal> writers;
  // Those who may empty it: write and search both (the owner always).
  std::vector<Principal> emptiers;

  // Whether `p` may empty it. Group membership is not looked up: a user
  // who may empty it only through a group does not count (the answer errs
  // toward "no"). In a sticky directory only its owner may remove what
  // others put there.
  bool MayEmpty(const Principal& p) const;
  // Whether every one of `writers` may empty it.
  bool EveryWriterMayEmpty() const { return EveryoneMayEmpty(writers); }
  bool EveryoneMayEmpty(const std::vector<Principal>& who) const;
};

// The access of the directory open as `fd`, whose fstat is `st`.
DirAccess ReadDirAccess(int fd, const struct stat& st);

}  // namespace daybook
