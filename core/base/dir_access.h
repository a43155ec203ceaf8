// Who, besides root and the agent's own user, may write a directory, and
// whether a given one of them may also empty it: from its mode bits, or
// from its POSIX access ACL when it has one (the extended attribute
// system.posix_acl_access, in Linux's layout:
// include/uapi/linux/posix_acl_xattr.h), checked in the order of POSIX.1e
// access checks (acl(5), "ACCESS CHECK ALGORITHM"). Used by removals
// under parts of a release another user may write (ConfinedDir::Remove),
// to decide whether whoever could have put a directory there could have
// emptied it themselves.
#pragma once

#include <sys/stat.h>

#include <map>
#include <vector>

namespace daybook {

// One who may be granted access: a user, a group (every member of it), or
// everyone matched by no other entry.
struct Principal {
  enum class Kind { kUser, kGroup, kOthers } kind = Kind::kOthers;
  unsigned id = 0;  // uid or gid; 0 for kOthers
  bool operator==(const Principal&) const = default;
};

class DirAccess {
 public:
  // The access of the directory open as `fd`, whose fstat is `st`.
  static DirAccess Read(int fd, const struct stat& st);

  // Those who may write it (add, rename, remove entries), root and the
  // agent's own user left out; the owner is among them (it may chmod).
  const std::vector<Principal>& writers() const { return writers_; }

  // Whether `p` may surely empty it: read, write and search it, and in a sticky
  // one be its owner. Group membership is not looked up, so where it
  // would decide (a user who may also match group entries, members of a
  // group who may also match named users or other groups) every entry
  // they could match must allow it: the answer errs toward "no".
  bool MayEmpty(const Principal& p) const;
  bool EveryoneMayEmpty(const std::vector<Principal>& who) const;
  bool EveryWriterMayEmpty() const { return EveryoneMayEmpty(writers_); }

 private:
  uid_t owner_ = 0;
  gid_t group_ = 0;
  bool sticky_ = false;
  // Permission bits (4 read, 2 write, 1 search), the mask applied.
  unsigned group_perm_ = 0;
  unsigned other_perm_ = 0;
  std::map<unsigned, unsigned> users_;   // named user entries
  std::map<unsigned, unsigned> groups_;  // named group entries
  bool unknown_ = false;                 // an ACL this does not read: nobody but the owner may surely empty it
  std::vector<Principal> writers_;
};

}  // namespace daybook
