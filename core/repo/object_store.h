// The agent's git object store: a bare repository under its state dir that
// receives packs from the controller (never from a git server), checks them
// out into release directories, and proves a directory holds exactly a
// commit's tree. One ObjectStore per thread (libgit2 repositories are not
// shared between threads); several may be open on one directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/confined_dir.h"
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
  std::string directory_tree;          // git tree id recomputed from the directory; "" when not computed
  std::vector<std::string> modified;   // content, mode or type differ
  std::vector<std::string> added;      // in the directory only
  std::vector<std::string> removed;    // in the commit only
  // Why the walk stopped before the end (what it saw is listed; the rest
  // is unknown, so nothing is listed as removed), "" when it read it all.
  std::string incomplete;
  // Directories and files (up to kMaxListedWritable) that a user other than
  // root may change: what is there now is a snapshot their owner can
  // change back and forth, so a same-commit push replaces the release
  // rather than trust it (docs/deploy.md, "Who may own what").
  std::vector<std::string> writable;
  bool identical() const { return modified.empty() && added.empty() && removed.empty() && incomplete.empty(); }
};

class ObjectStore {
 public:
  // Opens the store at `dir`, creating an empty bare repository there first
  // if needed.
  static Result<std::unique_ptr<ObjectStore>> Open(const std::filesystem::path& dir);
  // Removes what an interrupted pack transfer left in the store at `dir`
  // (the indexer's temp pack and lock files). Only at start-up, before any
  // session could be receiving a pack. Returns how many were removed.
  static Result<int> RemoveInterruptedTransfers(const std::filesystem::path& dir);
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
  // Writes the commit's tree into `dir`, which must be empty (a directory
  // the caller just made): files created exclusively, nothing followed.
  // kInvalidInput for a tree that holds a submodule.
  virtual Status Checkout(const std::string& commit, const ConfinedDir& dir) = 0;
  // Every entry of `dir` against the commit's tree (see DirectoryHash).
  virtual Result<TreeComparison> Compare(const std::string& commit, const ConfinedDir& dir) = 0;
};

// A file of a commit's tree as the walk of a directory expects it: its
// "<mode> <blob id>" line and, for a blob, its size in bytes.
struct ExpectedFile {
  std::string line;
  uint64_t size = 0;
};
using ExpectedTree = std::map<std::string, ExpectedFile>;

// The git tree id a directory would have if committed as is, plus each
// entry's "<mode> <blob id>" by relative path. Every entry counts, `.git`
// included; symlinks are hashed as links, never followed. What git cannot
// hold is listed ("dir/" → "40000 empty", a fifo or device → "000000
// special") but left out of the tree id.
//
// With `expected` (the commit the directory should hold), the walk costs
// what that commit costs, whatever was planted: a regular file that is not
// expected, or whose size differs, is listed ("100644 unread, N bytes")
// without reading a byte of it (a sparse 15 TB file costs nothing), and
// `tree` is then "" (it differs anyway); the walk stops, saying so in
// `stopped`, past twice the commit's entries and path bytes plus a margin
// (10,000 entries, 32 MiB), or at a directory holding more entries than that.
// Without it, the limits of a deployable tree apply (libgit2_util.h).
struct DirectoryHash {
  std::string tree;
  std::vector<std::pair<std::string, std::string>> files;  // sorted by path
  std::string stopped;                                     // "" when the walk read everything
  std::vector<std::string> writable;                       // see TreeComparison::writable
};
Result<DirectoryHash> HashDirectory(const ConfinedDir& dir, const ExpectedTree* expected = nullptr);

// How many writable entries a walk lists (a tree chowned to the
// application's user is one line per directory; the first ones say it).
constexpr size_t kMaxListedWritable = 20;

}  // namespace daybook::repo
