// The layout of one deploy directory on the host, and the moves on it:
//   <dir>/releases/<commit>            complete, verified releases
//   <dir>/releases/.partial-<commit>   a checkout in progress, made fresh
//                                      and 0700 by the agent (removed when
//                                      found: a crash left it)
//   <dir>/failed/<commit>              a release whose hook failed, kept
//                                      for inspection until the next success
//   <dir>/current -> releases/<commit> switched atomically (new symlink,
//                                      rename over the old one, fsync)
//   <dir>/quarantine/<name>-<random>   a directory a removal would not
//                                      empty (ConfinedDir::Remove: it may
//                                      come from outside the roots), moved
//                                      there whole, root's alone (0700),
//                                      for the administrator to look at
// A release is flushed to disk (syncfs) before `current` may point at it,
// so after a crash `current` names a complete release or the previous one.
//
// Every move goes through ConfinedDir handles opened from the deploy root
// down without following links: a link the agent did not make (`releases`
// or a release replaced by one) is never followed; where it is in the way
// the move is refused naming the path, or the link itself is replaced.
// Handles alone do not stop a user who may write in `releases` (or above)
// from swapping a name between a check and a rename, so every move is
// refused unless root alone can change `releases`, `failed` and every
// directory above them (ownership.h); the partial checkout is promoted
// only if the name still holds the directory the agent made.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/base/confined_dir.h"
#include "core/base/result.h"

namespace daybook::agent {

// What releases/<commit> is on disk.
struct ReleaseEntry {
  enum class Kind { kMissing, kDirectory, kOther } kind = Kind::kMissing;
  std::optional<ConfinedDir> dir;  // set for kDirectory
  std::string what;                // for kOther: "a symbolic link to X", "a file"...
};

class ReleaseDir {
 public:
  explicit ReleaseDir(ConfinedDir dir) : dir_(std::move(dir)) {}

  // Paths, for messages (and the hook's DAYBOOK_RELEASE_DIR) only.
  const std::filesystem::path& path() const { return dir_.path(); }
  std::filesystem::path Release(const std::string& commit) const { return path() / "releases" / commit; }
  std::filesystem::path Current() const { return path() / "current"; }
  const ConfinedDir& handle() const { return dir_; }

  // The commit `current` points at; nullopt when there is no `current`.
  // kFailed when `current` is not a link to releases/<commit id>.
  Result<std::optional<std::string>> LiveCommit() const;

  // What releases/<commit> is; kFailed when `releases` itself is a link.
  Result<ReleaseEntry> OpenRelease(const std::string& commit) const;

  // kFailed naming the first directory of this deploy (`releases`,
  // `failed`, the deploy directory or one above it) that someone other
  // than root could change. The moves below check it for what they touch.
  Status CheckOwnership() const;
  // The part of it for `releases` and `failed`, where they exist.
  Status CheckSubdirs() const;

  // Removes what an interrupted checkout left (releases/.partial-*).
  Status CleanPartials();
  // A fresh, empty, 0700 releases/.partial-<commit> to check out into.
  Result<ConfinedDir> MakePartial(const std::string& commit);
  // Makes the proven partial checkout readable (0755), flushes it to disk
  // and puts it in place of releases/<commit>: a plain rename for a new
  // release, an atomic exchange for a repair (then the drifted tree, or
  // the link that stood there, is removed without being followed).
  Status Promote(const std::string& commit, ConfinedDir& partial);
  // Points `current` at releases/<commit>, atomically and durably.
  Status SwitchCurrent(const std::string& commit);
  // Removes `current` (a first release whose hook failed).
  Status RemoveCurrent();
  Status RemoveRelease(const std::string& commit);
  Status RemovePartial(const std::string& commit);
  // Moves releases/<commit> to failed/<commit>.
  Status SetAside(const std::string& commit);
  Status RemoveFailed(const std::string& commit);

  // What the removals so far set aside in quarantine/ ("from -> to", the
  // first SetAside::kListed), and how many.
  const std::vector<std::string>& set_aside() const { return set_aside_; }
  size_t set_aside_count() const { return set_aside_count_; }
  // What went wrong without stopping the move that met it.
  const std::vector<std::string>& notes() const { return notes_; }
  // How many entries quarantine/ holds (0 when it does not exist).
  Result<size_t> QuarantineSize() const;

 private:
  // Removes `name` of `parent` (releases/ or failed/), setting aside in
  // quarantine/ what may not be emptied; `shown_as` names it in what is
  // said of that (its path when empty).
  Status RemoveIn(const ConfinedDir& parent, const std::string& name, const std::string& shown_as = "");
  Result<ConfinedDir> Releases() const;
  // `releases` or `failed` to change things in: root's alone, or kFailed.
  Result<ConfinedDir> Writable(const std::string& name, bool create) const;
  ConfinedDir dir_;
  std::vector<std::string> set_aside_;
  std::vector<std::string> notes_;
  size_t set_aside_count_ = 0;
};

// What the deploy directory is opened for: reading (status), changing
// (rollback), or changing and making what is missing (deploy).
enum class Access { kRead, kWrite, kCreate };

// Opens (kCreate: makes, 0755, owned by root) the directory `rel` beneath
// the deploy root `deploy_root`, never following a link below the deploy
// root. kFailed naming the path when a part is a link or a file; kNotFound
// when it is missing and `access` is not kCreate. To change (kWrite,
// kCreate), the deploy root, everything above it and every part below it
// must be changeable by root only, checked before anything is made in it.
Result<ReleaseDir> OpenReleaseDir(const std::filesystem::path& deploy_root, const std::string& rel, Access access);

}  // namespace daybook::agent
