// The fleet repository's committed state against its working tree (issue
// 15, "one commit for everything"): which files a commit holds in a
// directory, and which of a set of files the index or the working tree
// hold differently from that commit, untracked and ignored ones included,
// because a file git does not track is still a file someone may believe
// is in force.
#include <algorithm>

#include "core/repo/libgit2_util.h"

namespace daybook::repo {

using namespace internal;
namespace fs = std::filesystem;

namespace {

using DiffPtr = Owned<git_diff, git_diff_free>;

const char* DeltaName(git_delta_t status) {
  switch (status) {
    case GIT_DELTA_ADDED: return "staged, not committed";
    case GIT_DELTA_DELETED: return "deleted";
    case GIT_DELTA_MODIFIED: return "modified";
    case GIT_DELTA_RENAMED: return "renamed";
    case GIT_DELTA_COPIED: return "copied";
    case GIT_DELTA_IGNORED: return "ignored by git, not committed";
    case GIT_DELTA_UNTRACKED: return "untracked";
    case GIT_DELTA_TYPECHANGE: return "type changed";
    case GIT_DELTA_CONFLICTED: return "conflicted";
    default: return "changed";
  }
}

}  // namespace

Result<std::vector<std::string>> ListFilesAtIn(const fs::path& workdir, const std::string& rev, const std::string& dir) {
  Result<RepoPtr> repo = OpenRepository(workdir);
  if (!repo) return repo.error();
  Result<CommitPtr> commit = RevisionCommit(repo->ptr, rev, workdir.string());
  if (!commit) return commit.error();
  TreePtr root;
  if (git_commit_tree(&root.ptr, commit->ptr) != 0) return GitError(ErrorCode::kIo, "tree of " + rev);
  Owned<git_tree_entry, git_tree_entry_free> entry;
  std::vector<std::string> files;
  if (git_tree_entry_bypath(&entry.ptr, root.ptr, dir.c_str()) != 0) return files;
  if (git_tree_entry_type(entry.ptr) != GIT_OBJECT_TREE) return files;
  TreePtr tree;
  if (git_tree_lookup(&tree.ptr, repo->ptr, git_tree_entry_id(entry.ptr)) != 0) {
    return GitError(ErrorCode::kIo, "tree " + dir + " at " + rev);
  }
  for (size_t i = 0; i < git_tree_entrycount(tree.ptr); ++i) {
    const git_tree_entry* child = git_tree_entry_byindex(tree.ptr, i);
    if (git_tree_entry_type(child) == GIT_OBJECT_BLOB) files.push_back(dir + "/" + git_tree_entry_name(child));
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::vector<std::string>> DiffersFromIn(const fs::path& workdir, const std::string& commit,
                                               const std::vector<std::string>& pathspecs) {
  Result<RepoPtr> repo = OpenRepository(workdir);
  if (!repo) return repo.error();
  Result<TreePtr> tree = CommitTree(repo->ptr, commit);
  if (!tree) return tree.error();
  std::vector<char*> specs;
  std::vector<std::string> owned = pathspecs;
  for (std::string& spec : owned) specs.push_back(spec.data());
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_INCLUDE_IGNORED |
                  GIT_DIFF_RECURSE_IGNORED_DIRS | GIT_DIFF_INCLUDE_TYPECHANGE;
  options.pathspec = {specs.data(), specs.size()};
  DiffPtr diff;
  if (git_diff_tree_to_workdir_with_index(&diff.ptr, repo->ptr, tree->ptr, &options) != 0) {
    return GitError(ErrorCode::kIo, "compare the working tree of " + workdir.string() + " with " + commit.substr(0, 12));
  }
  std::vector<std::string> changed;
  for (size_t i = 0; i < git_diff_num_deltas(diff.ptr); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.ptr, i);
    const char* path = delta->new_file.path != nullptr ? delta->new_file.path : delta->old_file.path;
    changed.push_back(std::string(path) + " (" + DeltaName(delta->status) + ")");
  }
  return changed;
}

}  // namespace daybook::repo
