#include "core/repo/libgit2_util.h"

#include <cstdio>

namespace daybook::repo::internal {

void HoldLibgit2() {
  static const int held = git_libgit2_init();  // thread-safe once; never shut down
  (void)held;
}

Result<RepoPtr> OpenRepository(const std::filesystem::path& path) {
  RepoPtr repo;
  if (git_repository_open_ext(&repo.ptr, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    return GitError(ErrorCode::kIo, "cannot open git repository " + path.string());
  }
  return repo;
}

Result<CommitPtr> RevisionCommit(git_repository* repo, const std::string& rev, const std::string& where) {
  ObjectPtr object;
  if (git_revparse_single(&object.ptr, repo, rev.c_str()) != 0) {
    return MakeError(ErrorCode::kNotFound, "unknown revision " + rev + " in " + where);
  }
  ObjectPtr peeled;
  if (git_object_peel(&peeled.ptr, object.ptr, GIT_OBJECT_COMMIT) != 0) {
    return GitError(ErrorCode::kNotFound, rev + " in " + where + " is not a commit");
  }
  CommitPtr commit(reinterpret_cast<git_commit*>(peeled.ptr));
  peeled.ptr = nullptr;
  return commit;
}

Result<CommitPtr> LookupCommit(git_repository* repo, const std::string& hex) {
  git_oid oid;
  CommitPtr commit;
  if (!ParseOid(hex, oid) || git_commit_lookup(&commit.ptr, repo, &oid) != 0) {
    return MakeError(ErrorCode::kNotFound, "no commit " + hex);
  }
  return commit;
}

Result<TreePtr> CommitTree(git_repository* repo, const std::string& hex) {
  Result<CommitPtr> commit = LookupCommit(repo, hex);
  if (!commit) return commit.error();
  TreePtr tree;
  if (git_commit_tree(&tree.ptr, commit->ptr) != 0) return GitError(ErrorCode::kIo, "tree of " + hex);
  return tree;
}

Status FlattenTree(git_tree* tree, std::map<std::string, std::string>& out) {
  auto visit = [](const char* root, const git_tree_entry* entry, void* payload) -> int {
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) return 0;
    char text[16];
    std::snprintf(text, sizeof text, "%06o", static_cast<unsigned>(mode));
    (*static_cast<std::map<std::string, std::string>*>(payload))[std::string(root) + git_tree_entry_name(entry)] =
        std::string(text) + " " + Hex(*git_tree_entry_id(entry));
    return 0;
  };
  if (git_tree_walk(tree, GIT_TREEWALK_PRE, visit, &out) != 0) return GitError(ErrorCode::kIo, "walk tree");
  return OkStatus();
}

}  // namespace daybook::repo::internal
