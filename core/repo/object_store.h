// The agent's git object store: a bare repository under its state dir that
// receives packs from the controller (never from a git server), checks them
// out into release directories, and proves a directory holds exactly a
// commit's tree. One ObjectStore per thread (libgit2 repositories are not
// shared between threads); several may be open on one directory.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/repo/pack_scanner.h"

namespace daybook::repo {

// Receives one pack, streamed in pieces. Destroyed before Commit(), it
// leaves nothing behind.
class PackSink {
 public:
  virtual ~PackSink() = default;
  virtual Status Append(std::string_view bytes) = 0;
  // Indexes the pack. Refused (kInvalidInput, nothing stored) when an object
  // the pack refers to is neither in it nor in the store: every commit that
  // lands is complete, with its parents, trees and blobs. Returns the number
  // of objects received.
  virtual Result<size_t> Commit() = 0;
};

// How a directory differs from a commit's tree, path by path.
struct TreeComparison {
  std::string directory_tree;          // git tree id recomputed from the directory
  std::vector<std::string> modified;   // content, mode or type differ
  std::vector<std::string> added;      // in the directory only
  std::vector<std::string> removed;    // in the commit only
  bool identical() const { return modified.empty() && added.empty() && removed.empty(); }
};

class ObjectStore {
 public:
  // Opens the store at `dir`, creating an empty bare repository there first
  // if needed.
  static Result<std::unique_ptr<ObjectStore>> Open(const std::filesystem::path& dir);
  virtual ~ObjectStore() = default;

  // Whether the complete commit is here (a commit only lands complete).
  virtual bool HasCommit(const std::string& commit) = 0;
  // Commits the store keeps (one ref each), as the controller's revwalk
  // "haves".
  virtual Result<std::vector<std::string>> KeptCommits() = 0;
  // Marks `commit` as kept / no longer kept (a ref under refs/daybook/).
  virtual Status Keep(const std::string& commit) = 0;
  virtual Status Forget(const std::string& commit) = 0;

  // A sink for one pack, refusing objects over `limits` as they arrive
  // (core/repo/pack_scanner.h).
  virtual Result<std::unique_ptr<PackSink>> ReceivePack(const PackLimits& limits) = 0;
  virtual Result<std::string> TreeOf(const std::string& commit) = 0;
  // Writes the commit's tree into `dir` (created if missing); files of `dir`
  // that are not in the tree are removed, so a drifted directory is repaired.
  virtual Status Checkout(const std::string& commit, const std::filesystem::path& dir) = 0;
  virtual Result<TreeComparison> Compare(const std::string& commit, const std::filesystem::path& dir) = 0;
};

// The git tree id a directory would have if committed as is, plus each
// file's "<mode> <blob id>" by relative path. `.git` and empty directories
// are skipped (git cannot hold them); symlinks are hashed as links.
struct DirectoryHash {
  std::string tree;
  std::vector<std::pair<std::string, std::string>> files;  // sorted by path
};
Result<DirectoryHash> HashDirectory(const std::filesystem::path& dir);

}  // namespace daybook::repo
