// Internal to core/repo: RAII and error helpers over libgit2 1.5. Only the
// files of this module include it (and so libgit2).
#pragma once

#include <git2.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/base/result.h"
#include "core/repo/object_store.h"

namespace daybook {
class ConfinedDir;
}

namespace daybook::repo::internal {

// Frees a libgit2 object at scope exit.
template <typename T, void (*Free)(T*)>
struct Owned {
  T* ptr = nullptr;
  Owned() = default;
  explicit Owned(T* p) : ptr(p) {}
  Owned(Owned&& other) noexcept : ptr(other.ptr) { other.ptr = nullptr; }
  Owned& operator=(Owned&& other) noexcept {
    std::swap(ptr, other.ptr);
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (ptr != nullptr) Free(ptr);
  }
};

using RepoPtr = Owned<git_repository, git_repository_free>;
using CommitPtr = Owned<git_commit, git_commit_free>;
using TreePtr = Owned<git_tree, git_tree_free>;
using ObjectPtr = Owned<git_object, git_object_free>;
using OdbPtr = Owned<git_odb, git_odb_free>;

// `what: <libgit2's last message>`.
inline Error GitError(ErrorCode code, const std::string& what) {
  const git_error* e = git_error_last();
  return MakeError(code, what + ": " + (e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error"));
}

inline std::string Hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

// A full 40-hex object id, or nullopt.
inline bool ParseOid(const std::string& hex, git_oid& out) {
  return hex.size() == GIT_OID_HEXSZ && git_oid_fromstr(&out, hex.c_str()) == 0;
}

// The repository at exactly `path` (bare or not, no search upwards).
// Sets up libgit2's global state once per process and keeps it. The
// init/shutdown pairs around each use then only count references. Without
// it, every first init re-read the system CA bundle (libgit2 with mbedtls),
// and an agent, which opens its object store per request, spent most of a
// no-op push parsing certificates.
void HoldLibgit2();

Result<RepoPtr> OpenRepository(const std::filesystem::path& path);

// The commit `rev` (any revspec) peeled to a commit; kNotFound otherwise.
Result<CommitPtr> RevisionCommit(git_repository* repo, const std::string& rev, const std::string& where);

// The commit with the full id `hex`, and its tree; kNotFound otherwise.
Result<CommitPtr> LookupCommit(git_repository* repo, const std::string& hex);
Result<TreePtr> CommitTree(git_repository* repo, const std::string& hex);

// A packfile holding exactly `objects` (whole, deflated), in that order.
Result<std::string> WritePackOf(git_odb* odb, const std::vector<git_oid>& objects);

// What one deployed tree may hold, at any depth. A commit is small on the
// wire but its tree can name the same subtree many times (a 48 KB pack can
// list millions of paths, each up to a kilobyte deep), and every walk of it
// (plan, checkout, the identity proof) costs memory and time per path: so
// the limits bound the walk, not the pack. Past them, plan refuses the
// commit, naming the limit, and a host refuses to check it out; a directory
// on a host that goes past them is drift (directory_hash.cc).
//   - kMaxTreeDepth directories deep (git's own core.maxTreeDepth default
//     is 4096; no real project nears either). Walks are iterative and hold
//     a fixed number of descriptors, so this bounds time and path lengths,
//     not the stack;
//   - kMaxTreeEntries files, links and directories (a large monorepo
//     checkout holds a few hundred thousand);
//   - kMaxPathBytes bytes in one path (Linux's PATH_MAX: git itself cannot
//     check out a longer one);
//   - kMaxTreePathBytes bytes of all paths together.
constexpr int kMaxTreeDepth = 1024;
constexpr size_t kMaxTreeEntries = 1'000'000;
constexpr size_t kMaxPathBytes = 4096;
constexpr uint64_t kMaxTreePathBytes = 128ull << 20;

// Writes `tree` into the empty directory `dir` (checkout.cc). A submodule,
// or a tree past the limits above, is refused.
Status CheckoutTree(git_repository* repo, git_tree* tree, const ConfinedDir& dir);

// Calls `visit(path, entry, subtree)` for every entry of `tree`, depth
// first in tree order, without recursion; `subtree` is the entry's tree
// for a directory (its entries come next), else null. kInvalidInput naming
// the path for a tree past one of the limits above; an error from `visit`
// stops the walk.
Status WalkTree(git_repository* repo, git_tree* tree,
                const std::function<Status(const std::string& path, const git_tree_entry* entry, git_tree* subtree)>& visit);

// Every blob, symlink and submodule of `tree`, at any depth: "dir/file" →
// "<mode> <oid>" and, for a blob or symlink, its size.
Status FlattenTree(git_tree* tree, ExpectedTree& out);

}  // namespace daybook::repo::internal
