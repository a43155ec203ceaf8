#include "agent/deploy/release_dir.h"

#include <sys/random.h>

#include <cstdio>

#include "core/base/ownership.h"
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

// Same filesystem object: what a name holds against a handle.
bool SameFile(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

}  // namespace

Result<ReleaseDir> OpenReleaseDir(const std::filesystem::path& deploy_root, const std::string& rel, Access access) {
  if (access == Access::kCreate) {
    // The deploy root and its parents are the administrator's: made as
    // named when missing (root-owned, umask's modes).
    std::error_code ec;
    std::filesystem::create_directories(deploy_root, ec);
  }
  Result<ConfinedDir> at = ConfinedDir::OpenTrusted(deploy_root);
  if (!at) return std::move(at).error().WithContext("deploy root");
  bool writes = access != Access::kRead;
  if (writes) {
    if (Status s = RequireRootOnlyUpToRoot(*at); !s) return s.error();
  }
  for (const std::string& part : Split(rel, '/')) {
    Result<ConfinedDir> next = access == Access::kCreate ? at->Make(part, kDirMode) : at->Open(part);
    if (!next) return next.error();
    if (writes) {
      if (Status s = RequireRootOnly(*next); !s) return s.error();
    }
    at = std::move(next);
  }
  ReleaseDir dir(std::move(*at));
  if (writes) {
    if (Status s = dir.CheckSubdirs(); !s) return s.error();
  }
  return dir;
}

Status ReleaseDir::CheckSubdirs() const {
  for (const char* name : {"releases", "failed", "quarantine"}) {
    Result<ConfinedDir> sub = dir_.Open(name);
    if (!sub) {
      if (sub.error().code == ErrorCode::kNotFound) continue;
      return sub.error();
    }
    if (Status s = RequireRootOnly(*sub); !s) return s;
  }
  return OkStatus();
}

Status ReleaseDir::CheckOwnership() const {
  if (Status s = RequireRootOnlyUpToRoot(dir_); !s) return s;
  return CheckSubdirs();
}

Result<ConfinedDir> ReleaseDir::Writable(const std::string& name, bool create) const {
  Result<ConfinedDir> sub = create ? dir_.Make(name, kDirMode) : dir_.Open(name);
  if (!sub) return sub;
  if (Status s = RequireRootOnly(*sub); !s) return s.error();
  return sub;
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

Result<ConfinedDir> ReleaseDir::Releases() const { return dir_.Open("releases"); }

Result<ReleaseEntry> ReleaseDir::OpenRelease(const std::string& commit) const {
  Result<ConfinedDir> releases = Releases();
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
  Result<ConfinedDir> releases = Writable("releases", false);
  if (!releases) return releases.error().code == ErrorCode::kNotFound ? OkStatus() : Status(releases.error());
  Result<std::vector<std::string>> names = releases->List();
  if (!names) return names.error();
  for (const std::string& name : *names) {
    if (StartsWith(name, ".partial-")) {
      if (Status s = RemoveIn(*releases, name); !s) return s;
    }
  }
  return OkStatus();
}

Result<ConfinedDir> ReleaseDir::MakePartial(const std::string& commit) {
  Result<ConfinedDir> releases = Writable("releases", true);
  if (!releases) return releases.error();
  if (Status s = RemoveIn(*releases, Partial(commit)); !s) return s.error();
  return releases->MakeFresh(Partial(commit), 0700);
}

Status ReleaseDir::Promote(const std::string& commit, ConfinedDir& partial) {
  if (Status s = partial.Chmod(kDirMode); !s) return s;
  if (Status s = partial.SyncFilesystem(); !s) return s;
  Result<ConfinedDir> releases = Writable("releases", false);
  if (!releases) return releases.error();
  // The name must still hold the directory checked out and proven (in a
  // directory only root can write, nobody else can have changed it).
  Result<struct stat> ours = partial.StatSelf();
  if (!ours) return ours.error();
  Result<std::optional<struct stat>> named = releases->Stat(Partial(commit));
  if (!named) return named.error();
  if (!*named || !SameFile(**named, *ours)) {
    return MakeError(ErrorCode::kFailed, releases->Describe(Partial(commit)) + " is not the directory the agent checked out: not promoting it");
  }
  Result<std::optional<struct stat>> st = releases->Stat(commit);
  if (!st) return st.error();
  if (!*st) {
    if (Status s = releases->Rename(Partial(commit), *releases, commit, RENAME_NOREPLACE); !s) return s;
  } else {
    if (Status s = releases->Rename(Partial(commit), *releases, commit, RENAME_EXCHANGE); !s) return s;
    // The proven release is in place: a drifted tree that cannot be
    // removed now is said, left for the next deploy, and stops nothing.
    if (Status s = RemoveIn(*releases, Partial(commit), releases->Describe(commit) + " (as it was before the repair)"); !s) {
      notes_.push_back("the release as it was before the repair is left at " + releases->Describe(Partial(commit)) +
                       " (the next deploy removes it): " + s.error().message);
    }
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
  Result<ConfinedDir> releases = Writable("releases", false);
  if (!releases) return releases.error().code == ErrorCode::kNotFound ? OkStatus() : Status(releases.error());
  return RemoveIn(*releases, commit);
}

Status ReleaseDir::RemovePartial(const std::string& commit) { return RemoveRelease(Partial(commit)); }

Status ReleaseDir::RemoveFailed(const std::string& commit) {
  Result<ConfinedDir> failed = Writable("failed", false);
  if (!failed) return failed.error().code == ErrorCode::kNotFound ? OkStatus() : Status(failed.error());
  return RemoveIn(*failed, commit);
}

Status ReleaseDir::SetAside(const std::string& commit) {
  Result<ConfinedDir> failed = Writable("failed", true);
  if (!failed) return failed.error();
  Result<ConfinedDir> releases = Writable("releases", false);
  if (!releases) return releases.error();
  if (Status s = RemoveIn(*failed, commit); !s) return s;
  return releases->Rename(commit, *failed, commit);
}

Status ReleaseDir::RemoveIn(const ConfinedDir& parent, const std::string& name, const std::string& shown_as) {
  std::optional<ConfinedDir> quarantine;
  daybook::SetAside aside;
  aside.shown_as = shown_as;
  aside.open = [&]() -> Result<const ConfinedDir*> {
    if (!quarantine) {
      Result<ConfinedDir> made = dir_.Make("quarantine", 0700);
      if (!made) return made.error();
      if (Status s = RequireRootOnly(*made); !s) return s.error();
      quarantine = std::move(*made);
    }
    return &*quarantine;
  };
  Status removed = parent.Remove(name, &aside);
  for (std::string& moved : aside.moved) {
    if (set_aside_.size() < SetAside::kListed) set_aside_.push_back(std::move(moved));
  }
  set_aside_count_ += aside.count;
  if (quarantine) {
    if (Status s = quarantine->Sync(); !s && removed) return s;
  }
  return removed;
}

Result<size_t> ReleaseDir::QuarantineSize() const {
  Result<ConfinedDir> quarantine = dir_.Open("quarantine");
  if (!quarantine) return quarantine.error().code == ErrorCode::kNotFound ? Result<size_t>(size_t{0}) : Result<size_t>(quarantine.error());
  Result<std::vector<std::string>> names = quarantine->List(SetAside::kListed * 100);
  if (!names) return names.error();
  return names->size();
}

}  // namespace daybook::agent
