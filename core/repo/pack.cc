// Controller side of code shipping: packs of the objects an agent lacks
// (pack_writer.cc writes them), and change counts between two commits.
#include <cstring>
#include <unordered_set>

#include "core/repo/git.h"
#include "core/repo/libgit2_util.h"

namespace daybook::repo {

using namespace internal;

namespace {

struct OidHash {
  size_t operator()(const git_oid& oid) const {
    size_t h = 0;
    std::memcpy(&h, oid.id, sizeof h);
    return h;
  }
};
struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b) != 0; }
};
using OidSet = std::unordered_set<git_oid, OidHash, OidEqual>;

// Adds `tree` and every tree and blob under it that is neither in `seen`
// nor in `skip` to `seen` and (when given) to `out`. Submodule entries are
// left out: they name commits of other repositories.
Status CollectTree(git_repository* repo, const git_oid& tree_id, OidSet& seen, const OidSet* skip,
                   std::vector<git_oid>* out) {
  if (seen.count(tree_id) != 0 || (skip != nullptr && skip->count(tree_id) != 0)) return OkStatus();
  seen.insert(tree_id);
  if (out != nullptr) out->push_back(tree_id);
  TreePtr tree;
  if (git_tree_lookup(&tree.ptr, repo, &tree_id) != 0) return GitError(ErrorCode::kIo, "read tree " + Hex(tree_id));
  for (size_t i = 0; i < git_tree_entrycount(tree.ptr); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree.ptr, i);
    const git_oid& id = *git_tree_entry_id(entry);
    git_object_t type = git_tree_entry_type(entry);
    if (type == GIT_OBJECT_TREE) {
      if (Status s = CollectTree(repo, id, seen, skip, out); !s) return s;
    } else if (type == GIT_OBJECT_BLOB && seen.count(id) == 0 && (skip == nullptr || skip->count(id) == 0)) {
      seen.insert(id);
      if (out != nullptr) out->push_back(id);
    }
  }
  return OkStatus();
}

}  // namespace

// The commits reachable from `want` but not from the haves, then every tree
// and blob of theirs that the haves' trees do not hold already.
Result<Pack> BuildPackIn(const std::filesystem::path& path, const std::string& want, const std::vector<std::string>& haves) {
  Result<RepoPtr> repo = OpenRepository(path);
  if (!repo) return repo.error();
  git_oid want_oid;
  if (!ParseOid(want, want_oid)) return MakeError(ErrorCode::kInvalidInput, "bad commit id " + want);
  Owned<git_revwalk, git_revwalk_free> walk;
  if (git_revwalk_new(&walk.ptr, repo->ptr) != 0 || git_revwalk_push(walk.ptr, &want_oid) != 0) {
    return GitError(ErrorCode::kNotFound, "walk from " + want);
  }
  OidSet known;  // everything the agent has for sure: the trees of its commits
  for (const std::string& have : haves) {
    // The agent may hold commits this repository never had (another repo,
    // a rewritten branch): they cannot be hidden, and need not be.
    Result<CommitPtr> commit = LookupCommit(repo->ptr, have);
    if (!commit) continue;
    if (git_revwalk_hide(walk.ptr, git_commit_id(commit->ptr)) != 0) return GitError(ErrorCode::kIo, "hide " + have);
    if (Status s = CollectTree(repo->ptr, *git_commit_tree_id(commit->ptr), known, nullptr, nullptr); !s) return s.error();
  }
  std::vector<git_oid> objects, contents;
  OidSet seen;
  git_oid oid;
  while (git_revwalk_next(&oid, walk.ptr) == 0) {
    objects.push_back(oid);
    Result<CommitPtr> commit = LookupCommit(repo->ptr, Hex(oid));
    if (!commit) return commit.error();
    if (Status s = CollectTree(repo->ptr, *git_commit_tree_id(commit->ptr), seen, &known, &contents); !s) return s.error();
  }
  objects.insert(objects.end(), contents.begin(), contents.end());
  OdbPtr odb;
  if (git_repository_odb(&odb.ptr, repo->ptr) != 0) return GitError(ErrorCode::kIo, "object database of " + path.string());
  Result<std::string> bytes = WritePackOf(odb.ptr, objects);
  if (!bytes) return bytes.error();
  return Pack{std::move(*bytes), objects.size()};
}

Result<ChangeCount> CountChangesIn(const std::filesystem::path& path, const std::string& from, const std::string& to) {
  Result<RepoPtr> repo = OpenRepository(path);
  if (!repo) return repo.error();
  Result<TreePtr> old_tree = from.empty() ? Result<TreePtr>(TreePtr()) : CommitTree(repo->ptr, from);
  if (!old_tree) return old_tree.error();
  Result<TreePtr> new_tree = CommitTree(repo->ptr, to);
  if (!new_tree) return new_tree.error();
  Owned<git_diff, git_diff_free> diff;
  if (git_diff_tree_to_tree(&diff.ptr, repo->ptr, old_tree->ptr, new_tree->ptr, nullptr) != 0) {
    return GitError(ErrorCode::kIo, "diff " + from + ".." + to);
  }
  ChangeCount count;
  for (size_t i = 0; i < git_diff_num_deltas(diff.ptr); ++i) {
    switch (git_diff_get_delta(diff.ptr, i)->status) {
      case GIT_DELTA_ADDED: ++count.added; break;
      case GIT_DELTA_DELETED: ++count.removed; break;
      default: ++count.changed; break;
    }
  }
  return count;
}

}  // namespace daybook::repo
