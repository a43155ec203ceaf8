#include "core/base/ownership.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace daybook {
namespace {

// Deeper than any real directory: past it the ".." walk has gone wrong.
constexpr int kMaxAncestors = 4096;

std::string Mode(const struct stat& st) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return text;
}

}  // namespace

std::optional<std::string> WritableByOthers(const struct stat& st, Sticky sticky) {
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) return "owned by uid " + std::to_string(st.st_uid);
  if (S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0 && sticky == Sticky::kAccepted) return std::nullopt;
  if ((st.st_mode & S_IWOTH) != 0) return "writable by anyone (mode " + Mode(st) + ")";
  // Group write whatever the group: with a POSIX ACL these bits are its
  // mask, set when a named user or group may write (setfacl -m u:app:rwx
  // on a root:root directory), which the mode shows no other way.
  if ((st.st_mode & S_IWGRP) != 0) {
    return "writable by group " + std::to_string(st.st_gid) + " or an ACL entry (mode " + Mode(st) + ")";
  }
  return std::nullopt;
}

Status RequireRootOnly(const ConfinedDir& dir) {
  Result<struct stat> st = dir.StatSelf();
  if (!st) return st.error();
  if (std::optional<std::string> why = WritableByOthers(*st, Sticky::kRefused)) {
    return MakeError(ErrorCode::kFailed, dir.path().string() + " is " + *why +
                                             ": another user could swap what the agent works on; only root may write there");
  }
  return OkStatus();
}

Status RequireRootOnlyUpToRoot(const ConfinedDir& dir) {
  if (Status s = RequireRootOnly(dir); !s) return s;
  std::filesystem::path where = dir.path();
  UniqueFd at(::fcntl(dir.fd(), F_DUPFD_CLOEXEC, 0));
  if (at.get() < 0) return MakeError(ErrorCode::kIo, "cannot duplicate the handle of " + where.string());
  struct stat st {};
  if (::fstat(at.get(), &st) != 0) return MakeError(ErrorCode::kIo, "cannot stat " + where.string());
  for (int level = 0; level < kMaxAncestors; ++level) {
    UniqueFd up(::openat(at.get(), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    where = where.has_relative_path() ? where.parent_path() : where;
    if (up.get() < 0) return MakeError(ErrorCode::kIo, "cannot open " + where.string() + ": " + std::strerror(errno));
    struct stat parent {};
    if (::fstat(up.get(), &parent) != 0) return MakeError(ErrorCode::kIo, "cannot stat " + where.string());
    if (parent.st_dev == st.st_dev && parent.st_ino == st.st_ino) return OkStatus();  // "/": its own parent
    if (std::optional<std::string> why = WritableByOthers(parent, Sticky::kAccepted)) {
      return MakeError(ErrorCode::kFailed, where.string() + " (above " + dir.path().string() + ") is " + *why +
                                               ": another user could swap what the agent works on; only root may write there");
    }
    at = std::move(up);
    st = parent;
  }
  return MakeError(ErrorCode::kFailed, dir.path().string() + " is more than " + std::to_string(kMaxAncestors) + " levels deep");
}

Result<UniqueFd> OpenRootOnlyProgram(const ConfinedDir& dir, const std::string& rel) {
  // The directories on the way too: in one another user may write to, the
  // program could be swapped for a root-owned file of their choosing (a
  // hard link to an interpreter) between this check and the run.
  if (Status s = RequireRootOnly(dir); !s) return s.error();
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
    Result<ConfinedDir> step = dir.Open(rel.substr(0, slash));
    if (!step) return step.error();
    if (Status s = RequireRootOnly(*step); !s) return std::move(s).error().WithContext("not running " + dir.Describe(rel) + " as root");
  }
  Result<UniqueFd> program = dir.OpenProgram(rel);
  if (!program) return program;
  struct stat st {};
  if (::fstat(program->get(), &st) != 0) return MakeError(ErrorCode::kIo, "cannot stat " + dir.Describe(rel));
  if (std::optional<std::string> why = WritableByOthers(st, Sticky::kRefused)) {
    return MakeError(ErrorCode::kFailed, dir.Describe(rel) + " is " + *why + ": not running it as root");
  }
  return program;
}

}  // namespace daybook
