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
constexpr uint16_t kWrite = 2, kSearch = 1;

struct AclEntry {
  uint16_t tag;
  uint16_t perm;
  uint32_t id;
};

bool Trusted(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

void Grant(DirAccess& access, const Principal& p, unsigned perm) {
  if (p.kind == Principal::Kind::kUser && Trusted(p.id)) return;
  if ((perm & kWrite) == 0) return;
  access.writers.push_back(p);
  if ((perm & kSearch) != 0) access.emptiers.push_back(p);
}

}  // namespace

bool DirAccess::MayEmpty(const Principal& p) const {
  if (p.kind == Principal::Kind::kUser && (p.id == owner || Trusted(p.id))) return true;
  if (sticky) return false;
  auto has = [&](const Principal& q) { return std::find(emptiers.begin(), emptiers.end(), q) != emptiers.end(); };
  return has(p) || has(Principal{Principal::Kind::kOthers, 0});
}

bool DirAccess::EveryoneMayEmpty(const std::vector<Principal>& who) const {
  return std::all_of(who.begin(), who.end(), [&](const Principal& p) { return MayEmpty(p); });
}

DirAccess ReadDirAccess(int fd, const struct stat& st) {
  DirAccess access;
  access.owner = st.st_uid;
  access.sticky = (st.st_mode & S_ISVTX) != 0;
  Grant(access, {Principal::Kind::kUser, st.st_uid}, kWrite | kSearch);
  unsigned char raw[4 + 8 * 64];
  ssize_t n = ::fgetxattr(fd, "system.posix_acl_access", raw, sizeof raw);
  if (n < 0 && errno == ERANGE) n = static_cast<ssize_t>(sizeof raw);  // more entries than read: see below
  uint32_t version = 0;
  if (n >= 4) std::memcpy(&version, raw, 4);
  if (n < 4 || version != kAclVersion || (n - 4) % 8 != 0) {
    // No ACL (or one this does not read): the mode bits say it all.
    unsigned mode = st.st_mode;
    Grant(access, {Principal::Kind::kGroup, st.st_gid}, (mode >> 3) & 7);
    Grant(access, {Principal::Kind::kOthers, 0}, mode & 7);
    if (n >= 4 && (version != kAclVersion || (n - 4) % 8 != 0)) {
      access.writers.push_back({Principal::Kind::kOthers, 0});  // unreadable ACL: assume anyone may write
    }
    return access;
  }
  std::vector<AclEntry> entries;
  for (ssize_t at = 4; at + 8 <= n; at += 8) {
    AclEntry e{};
    std::memcpy(&e.tag, raw + at, 2);
    std::memcpy(&e.perm, raw + at + 2, 2);
    std::memcpy(&e.id, raw + at + 4, 4);
    entries.push_back(e);
  }
  unsigned mask = 7;
  for (const AclEntry& e : entries) {
    if (e.tag == kMask) mask = e.perm;
  }
  for (const AclEntry& e : entries) {
    switch (e.tag) {
      case kUser: Grant(access, {Principal::Kind::kUser, e.id}, e.perm & mask); break;
      case kGroupObj: Grant(access, {Principal::Kind::kGroup, st.st_gid}, e.perm & mask); break;
      case kGroup: Grant(access, {Principal::Kind::kGroup, e.id}, e.perm & mask); break;
      case kOther: Grant(access, {Principal::Kind::kOthers, 0}, e.perm); break;
      case kUserObj:
      case kMask: break;
      default: access.writers.push_back({Principal::Kind::kOthers, 0});  // a tag this does not know: assume the worst
    }
  }
  if (entries.size() >= 64) access.writers.push_back({Principal::Kind::kOthers, 0});  // entries past those read: the worst
  return access;
}

}  // namespace daybook
