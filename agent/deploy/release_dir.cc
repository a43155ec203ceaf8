#include "agent/deploy/release_dir.h"

#include <sys/random.h>

#include <cstdio>

#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

constexpr unsigned kDirMode = 0755;

bool IsCommitId(const std::string& id) {
  return id.size() == 40 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string Partial(const std::string& commit) { return ".partial-" + commit; }

// A name nobody can guess, for the new `current` link before its rename.
std::string UniqueName(const std::string& prefix) {
  unsigned char bytes[8] = {};
  (void)::getrandom(bytes, sizeof bytes, 0);
  std::string name = prefix;
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    name += hex;
  }
  return name;
}

std::string Describe(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  if (S_ISREG(st.st_mode)) return "a file";
  if (S_ISDIR(st.st_mode)) return "a directory";
  return "a special file";
}

}  // namespace

Result<ReleaseDir> OpenReleaseDir(const std::filesystem::path& deploy_root, const std::string& rel, bool create) {
  if (create) {
    // The deploy root and its parents are the administrator's: made as
    // named when missing (root-owned, umask's modes).
    std::error_code ec;
    std::filesystem::create_directories(deploy_root, ec);
  }
  Result<ConfinedDir> at = ConfinedDir::OpenTrusted(deploy_root);
  if (!at) return std::move(at).error().WithContext("deploy root");
  for (const std::string& part : Split(rel, '/')) {
    Result<ConfinedDir> next = create ? at->Make(part, kDirMode) : at->Open(part);
    if (!next) return next.error();
    at = std::move(next);
  }
  return ReleaseDir(std::move(*at));
}

Result<std::optional<std::string>> ReleaseDir::LiveCommit() const {
  Result<std::optional<struct stat>> st = dir_.Stat("current");
  if (!st) return st.error();
  if (!*st) return std::optional<std::string>();
  if (!S_ISLNK((*st)->st_mode)) {
    return MakeError(ErrorCode::kFailed, Current().string() + " is " + Describe(**st) + ", not a symlink: not touching it");
  }
  Result<std::string> target = dir_.ReadLink("current");
  if (!target) return target.error();
  if (!StartsWith(*target, "releases/") || !IsCommitId(target->substr(9))) {
    return MakeError(ErrorCode::kFailed, Current().string() + " points at " + EscapeBytes(*target) + ", not into releases/");
  }
  return std::optional<std::string>(target->substr(9));
}

Result<ConfinedDir> ReleaseDir::Releases(bool create) const {
  return create ? dir_.Make("releases", kDirMode) : dir_.Open("releases");
}

Result<ReleaseEntry> ReleaseDir::OpenRelease(const std::string& commit) const {
  Result<ConfinedDir> releases = Releases(false);
  if (!releases) {
    if (releases.error().code == ErrorCode::kNotFound) return ReleaseEntry{};
    return releases.error();
  }
  Result<std::optional<struct stat>> st = releases->Stat(commit);
  if (!st) return st.error();
  if (!*st) return ReleaseEntry{};
  if (!S_ISDIR((*st)->st_mode)) {
    std::string what = Describe(**st);
    if (S_ISLNK((*st)->st_mode)) {
      if (Result<std::string> target = releases->ReadLink(commit); target) what += " to " + EscapeBytes(*target);
    }
    return ReleaseEntry{ReleaseEntry::Kind::kOther, std::nullopt, what};
  }
  Result<ConfinedDir> dir = releases->Open(commit);
  if (!dir) return dir.error();
  return ReleaseEntry{ReleaseEntry::Kind::kDirectory, std::move(*dir), "a directory"};
}

Status ReleaseDir::CleanPartials() {
  Result<ConfinedDir> releases = Releases(false);
  if (!releases) return releases.error().code == ErrorCode::kNotFound ? OkStatus() : Status(releases.error());
  Result<std::vector<std::string>> names = releases->List();
  if (!names) return names.error();
  for (const std::string& name : *names) {
    if (StartsWith(name, ".partial-")) {
      if (Status s = releases->Remove(name); !s) return s;
    }
  }
  return OkStatus();
}

Result<ConfinedDir> ReleaseDir::MakePartial(const std::string& commit) {
  Result<ConfinedDir> releases = Releases(true);
  if (!releases) return releases.error();
  if (Status s = releases->Remove(Partial(commit)); !s) return s.error();
  return releases->MakeFresh(Partial(commit), 0700);
}

Status ReleaseDir::Promote(const std::string& commit, ConfinedDir& partial) {
  if (Status s = partial.Chmod(kDirMode); !s) return s;
  if (Status s = partial.SyncFilesystem(); !s) return s;
  Result<ConfinedDir> releases = Releases(false);
  if (!releases) return releases.error();
  Result<std::optional<struct stat>> st = releases->Stat(commit);
  if (!st) return st.error();
  if (!*st) {
    if (Status s = releases->Rename(Partial(commit), *releases, commit, RENAME_NOREPLACE); !s) return s;
  } else {
    if (Status s = releases->Rename(Partial(commit), *releases, commit, RENAME_EXCHANGE); !s) return s;
    if (Status s = releases->Remove(Partial(commit)); !s) return s;
  }
  return releases->Sync();
}

Status ReleaseDir::SwitchCurrent(const std::string& commit) {
  Result<ReleaseEntry> release = OpenRelease(commit);
  if (!release) return release.error();
  if (release->kind != ReleaseEntry::Kind::kDirectory) {
    return MakeError(ErrorCode::kFailed, Release(commit).string() + " is not a release directory: not switching to it");
  }
  std::string next = UniqueName(".current-");
  if (Status s = dir_.Symlink("releases/" + commit, next); !s) return s;
  // rename(2) replaces the old link atomically; over a directory it fails.
  if (Status s = dir_.Rename(next, dir_, "current"); !s) {
    (void)dir_.Remove(next);
    return s;
  }
  return dir_.Sync();
}

Status ReleaseDir::RemoveCurrent() {
  Result<std::optional<struct stat>> st = dir_.Stat("current");
  if (!st) return st.error();
  if (!*st) return OkStatus();
  if (!S_ISLNK((*st)->st_mode)) return MakeError(ErrorCode::kFailed, Current().string() + " is not a symlink: not removing it");
  if (Status s = dir_.Remove("current"); !s) return s;
  return dir_.Sync();
}

Status ReleaseDir::RemoveRelease(const std::string& commit) {
  Result<ConfinedDir> releases = Releases(false);
  if (!releases) return releases.error().code == ErrorCode::kNotFound ? OkStatus() : Status(releases.error());
  return releases->Remove(commit);
}

Status ReleaseDir::RemovePartial(const std::string& commit) { return RemoveRelease(Partial(commit)); }

Status ReleaseDir::RemoveFailed(const std::string& commit) {
  Result<ConfinedDir> failed = dir_.Open("failed");
  if (!failed) return failed.error().code == ErrorCode::kNotFound ? OkStatus() : Status(failed.error());
  return failed->Remove(commit);
}

Status ReleaseDir::SetAside(const std::string& commit) {
  Result<ConfinedDir> failed = dir_.Make("failed", kDirMode);
  if (!failed) return failed.error();
  Result<ConfinedDir> releases = Releases(false);
  if (!releases) return releases.error();
  if (Status s = failed->Remove(commit); !s) return s;
  return releases->Rename(commit, *failed, commit);
}

}  // namespace daybook::agent
