// The layout of one deploy directory on the host, and the moves on it:
//   <dir>/releases/<commit>            complete, verified releases
//   <dir>/releases/.partial-<commit>   a checkout in progress (removed when
//                                      found: a crash left it)
//   <dir>/failed/<commit>              a release whose hook failed, kept
//                                      for inspection until the next success
//   <dir>/current -> releases/<commit> switched atomically (new symlink,
//                                      rename over the old one, fsync)
// A release is flushed to disk (syncfs) before `current` may point at it,
// so after a crash `current` names a complete release or the previous one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/base/result.h"

namespace daybook::agent {

class ReleaseDir {
 public:
  explicit ReleaseDir(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path Release(const std::string& commit) const { return dir_ / "releases" / commit; }
  std::filesystem::path Partial(const std::string& commit) const { return dir_ / "releases" / (".partial-" + commit); }
  std::filesystem::path Failed(const std::string& commit) const { return dir_ / "failed" / commit; }
  std::filesystem::path Current() const { return dir_ / "current"; }

  // The commit `current` points at; nullopt when there is no `current`.
  // kFailed when `current` is not a link into releases/.
  Result<std::optional<std::string>> LiveCommit() const;

  // Removes what an interrupted checkout left (releases/.partial-*).
  Status CleanPartials();
  // Flushes the partial checkout to disk and renames it into releases/.
  Status Promote(const std::string& commit);
  // Points `current` at releases/<commit>, atomically and durably.
  Status SwitchCurrent(const std::string& commit);
  // Removes `current` (a first release whose hook failed).
  Status RemoveCurrent();
  Status RemoveRelease(const std::string& commit);
  Status RemovePartial(const std::string& commit);
  // Moves releases/<commit> to failed/<commit>.
  Status SetAside(const std::string& commit);
  Status RemoveFailed(const std::string& commit);

 private:
  std::filesystem::path dir_;
};

}  // namespace daybook::agent
