// Controller side of code shipping: packs of the objects an agent lacks,
// and change counts between two commits (notes/deps-debian12.md §3).
#include "core/repo/git.h"
#include "core/repo/libgit2_util.h"

namespace daybook::repo {

using namespace internal;

Result<Pack> BuildPackIn(const std::filesystem::path& path, const std::string& want, const std::vector<std::string>& haves) {
  Result<RepoPtr> repo = OpenRepository(path);
  if (!repo) return repo.error();
  git_oid want_oid;
  if (!ParseOid(want, want_oid)) return MakeError(ErrorCode::kInvalidInput, "bad commit id " + want);
  Owned<git_revwalk, git_revwalk_free> walk;
  if (git_revwalk_new(&walk.ptr, repo->ptr) != 0 || git_revwalk_push(walk.ptr, &want_oid) != 0) {
    return GitError(ErrorCode::kNotFound, "walk from " + want);
  }
  for (const std::string& have : haves) {
    git_oid oid;
    CommitPtr known;
    // The agent may hold commits this repository never had (another repo,
    // a rewritten branch): they cannot be hidden, and need not be.
    if (!ParseOid(have, oid) || git_commit_lookup(&known.ptr, repo->ptr, &oid) != 0) continue;
    if (git_revwalk_hide(walk.ptr, &oid) != 0) return GitError(ErrorCode::kIo, "hide " + have);
  }
  Owned<git_packbuilder, git_packbuilder_free> builder;
  if (git_packbuilder_new(&builder.ptr, repo->ptr) != 0 || git_packbuilder_insert_walk(builder.ptr, walk.ptr) != 0) {
    return GitError(ErrorCode::kIo, "pack objects of " + want);
  }
  git_buf buf = GIT_BUF_INIT;
  if (git_packbuilder_write_buf(&buf, builder.ptr) != 0) {
    git_buf_dispose(&buf);
    return GitError(ErrorCode::kIo, "write pack of " + want);
  }
  Pack pack{std::string(buf.ptr, buf.size), git_packbuilder_object_count(builder.ptr)};
  git_buf_dispose(&buf);
  return pack;
}

Result<ChangeCount> CountChangesIn(const std::filesystem::path& path, const std::string& from, const std::string& to) {
  Result<RepoPtr> repo = OpenRepository(path);
  if (!repo) return repo.error();
  Result<TreePtr> old_tree = CommitTree(repo->ptr, from);
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
