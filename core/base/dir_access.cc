#include "core/base/dir_access.h"

#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace daybook {
namespace {

// The ACL's on-disk form (posix_acl_xattr.h): a version, then entries.
constexpr uint32_t kAclVersion = 2;
constexpr uint16_t kUserObj = 0x01, kUser = 0x02, kGroupObj = 0x04, kGroup = 0x08, kMask = 0x10, kOther = 0x20;
constexpr unsigned kWrite = 2;
constexpr size_t kMaxEntries = 64;

bool Trusted(unsigned uid) { return uid == 0 || uid == ::geteuid(); }
// Emptying needs all three: read to list the names, write and search to
// remove them.
bool Empties(unsigned perm) { return (perm & 7) == 7; }

}  // namespace

DirAccess DirAccess::Read(int fd, const struct stat& st) {
  DirAccess a;
  a.owner_ = st.st_uid;
  a.group_ = st.st_gid;
  a.sticky_ = (st.st_mode & S_ISVTX) != 0;
  a.group_perm_ = (st.st_mode >> 3) & 7;
  a.other_perm_ = st.st_mode & 7;
  unsigned char raw[4 + 8 * kMaxEntries];
  ssize_t n = ::fgetxattr(fd, "system.posix_acl_access", raw, sizeof raw);
  if (n < 0 && errno == ERANGE) a.unknown_ = true;  // more entries than this reads
  if (n >= 4) {
    uint32_t version = 0;
    std::memcpy(&version, raw, 4);
    if (version != kAclVersion || (n - 4) % 8 != 0) a.unknown_ = true;
  }
  if (n >= 4 && !a.unknown_) {
    unsigned mask = 7;
    for (ssize_t at = 4; at + 8 <= n; at += 8) {
      uint16_t tag = 0, perm = 0;
      std::memcpy(&tag, raw + at, 2);
      if (tag == kMask) {
        std::memcpy(&perm, raw + at + 2, 2);
        mask = perm & 7;
      }
    }
    for (ssize_t at = 4; at + 8 <= n; at += 8) {
      uint16_t tag = 0, perm = 0;
      uint32_t id = 0;
      std::memcpy(&tag, raw + at, 2);
      std::memcpy(&perm, raw + at + 2, 2);
      std::memcpy(&id, raw + at + 4, 4);
      switch (tag) {
        case kUser: a.users_[id] = perm & mask; break;
        case kGroupObj: a.group_perm_ = perm & mask; break;
        case kGroup: a.groups_[id] = perm & mask; break;
        case kOther: a.other_perm_ = perm & 7; break;
        case kUserObj:
        case kMask: break;
        default: a.unknown_ = true;
      }
    }
  }
  // Who may write: the owner (it may chmod), each entry that grants write.
  auto add = [&](Principal p) {
    if (p.kind == Principal::Kind::kUser && Trusted(p.id)) return;
    if (std::find(a.writers_.begin(), a.writers_.end(), p) == a.writers_.end()) a.writers_.push_back(p);
  };
  add({Principal::Kind::kUser, a.owner_});
  for (const auto& [uid, perm] : a.users_) {
    if (perm & kWrite) add({Principal::Kind::kUser, uid});
  }
  if (a.group_perm_ & kWrite) add({Principal::Kind::kGroup, a.group_});
  for (const auto& [gid, perm] : a.groups_) {
    if (perm & kWrite) add({Principal::Kind::kGroup, gid});
  }
  if ((a.other_perm_ & kWrite) || a.unknown_) add({Principal::Kind::kOthers, 0});
  return a;
}

bool DirAccess::MayEmpty(const Principal& p) const {
  if (p.kind == Principal::Kind::kUser && (p.id == owner_ || Trusted(p.id))) return true;
  if (sticky_ || unknown_) return false;
  // Every group entry allows it: whichever groups one is in, access is
  // granted (POSIX: a matching group entry that grants decides).
  bool all_groups = Empties(group_perm_) &&
                    std::all_of(groups_.begin(), groups_.end(), [](const auto& g) { return Empties(g.second); });
  bool all_users = std::all_of(users_.begin(), users_.end(), [&](const auto& u) { return Empties(u.second) || u.first == owner_; });
  switch (p.kind) {
    case Principal::Kind::kUser: {
      // A named entry decides alone; otherwise its groups, or others.
      auto named = users_.find(p.id);
      if (named != users_.end()) return Empties(named->second);
      return all_groups && Empties(other_perm_);
    }
    case Principal::Kind::kGroup: {
      // Members may be the owner (may chmod) or named users (their entry
      // decides). The group's own entry, when it has one, decides for the
      // rest; without one they may match other group entries, or none.
      if (!all_users) return false;
      if (p.id == group_) return Empties(group_perm_);
      auto named = groups_.find(p.id);
      if (named != groups_.end()) return Empties(named->second);
      return all_groups && Empties(other_perm_);
    }
    case Principal::Kind::kOthers:
      // Everyone matched by no entry of the parent: they may match any
      // entry here.
      return all_users && all_groups && Empties(other_perm_);
  }
  return false;
}

bool DirAccess::EveryoneMayEmpty(const std::vector<Principal>& who) const {
  return std::all_of(who.begin(), who.end(), [&](const Principal& p) { return MayEmpty(p); });
}

}  // namespace daybook
