// Git seam: what daybook asks of git repositories. The one implementation
// (repo_git.cc) is the only file that includes libgit2.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace daybook::repo {

// A commit and the id of its tree, both as 40 hex digits.
struct CommitRef {
  std::string commit;
  std::string tree;
};

// A packfile ready to send.
struct Pack {
  std::string bytes;
  size_t objects = 0;
};

// Files that differ between two commits (renames count as remove + add).
struct ChangeCount {
  int added = 0;
  int changed = 0;  // content or mode
  int removed = 0;
};

// A file as committed.
struct FileAtRevision {
  std::string commit;
  std::string content;
};

class Git {
 public:
  virtual ~Git() = default;

  // Creates a non-bare repository in the existing directory `dir`, HEAD on
  // branch `main`. kInvalidInput when `dir` already is a repository.
  virtual Status Init(const std::filesystem::path& dir) = 0;

  // The top of the working tree of the repository that contains `start`
  // (as `git rev-parse --show-toplevel`). kNotFound outside any repository.
  virtual Result<std::filesystem::path> FindWorkdir(const std::filesystem::path& start) = 0;

  // `ref` (tag, branch, full or abbreviated commit id, any revspec) in the
  // repository at `repo` (bare or not), peeled to a commit. kNotFound for an
  // unknown ref, kIo for an unreadable repository.
  virtual Result<CommitRef> Resolve(const std::filesystem::path& repo, const std::string& ref) = 0;

  // A pack with every object reachable from `want` and not from any of
  // `haves` (ids the repository does not know are ignored).
  virtual Result<Pack> BuildPack(const std::filesystem::path& repo, const std::string& want,
                                 const std::vector<std::string>& haves) = 0;

  // Files added, changed and removed from commit `from` (empty: from
  // nothing) to commit `to`. kNotFound when the repository does not have `from`.
  virtual Result<ChangeCount> CountChanges(const std::filesystem::path& repo, const std::string& from,
                                           const std::string& to) = 0;

  // The content of `file` (relative to the top of `workdir`) at revision
  // `rev`, with the commit id `rev` resolved to.
  virtual Result<FileAtRevision> ReadFileAt(const std::filesystem::path& workdir, const std::string& rev,
                                            const std::string& file) = 0;

  // Whether `file` (relative to the top of `workdir`) differs in the index
  // or the working tree from HEAD, or is untracked.
  virtual Result<bool> HasLocalChanges(const std::filesystem::path& workdir, const std::string& file) = 0;

  // The files directly in directory `dir` (relative to the top of
  // `workdir`) at revision `rev`, as "dir/name", sorted. Empty when that
  // commit has no such directory.
  virtual Result<std::vector<std::string>> ListFilesAt(const std::filesystem::path& workdir, const std::string& rev,
                                                       const std::string& dir) = 0;

  // How the index and the working tree differ from commit `commit` for the
  // files matching `pathspecs` (git pathspecs, `*` matches `/` too), one
  // "path (what)" each: modified, deleted, staged, untracked, ignored,
  // type changed. Empty when they hold exactly what the commit holds.
  virtual Result<std::vector<std::string>> DiffersFrom(const std::filesystem::path& workdir, const std::string& commit,
                                                       const std::vector<std::string>& pathspecs) = 0;

  // What of commit `commit` a host cannot reproduce exactly from the commit
  // alone, one "path: reason" each (submodules, Git LFS pointer files unless
  // `lfs_pointers`, files behind another clean/smudge filter, empty or
  // unwritable tree entries). Empty when the tree deploys as committed.
  virtual Result<std::vector<std::string>> Unreproducible(const std::filesystem::path& repo, const std::string& commit,
                                                          bool lfs_pointers) = 0;
};

// libgit2-backed Git. Initialises libgit2 for the lifetime of the object.
std::unique_ptr<Git> MakeLibgit2();

}  // namespace daybook::repo
