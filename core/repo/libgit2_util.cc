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

Status WalkTree(git_repository* repo, git_tree* tree,
                const std::function<Status(const std::string& path, const git_tree_entry* entry, git_tree* subtree)>& visit) {
  struct Level {
    TreePtr owned;  // null at the top: `tree` is the caller's
    git_tree* tree;
    std::string prefix;
    size_t next;
  };
  std::vector<Level> levels;
  levels.push_back({TreePtr(), tree, "", 0});
  size_t entries = 0;
  uint64_t path_bytes = 0;
  while (!levels.empty()) {
    Level& level = levels.back();
    if (level.next == git_tree_entrycount(level.tree)) {
      levels.pop_back();
      continue;
    }
    const git_tree_entry* entry = git_tree_entry_byindex(level.tree, level.next++);
    std::string name = git_tree_entry_name(entry);
    if (level.prefix.size() + name.size() > kMaxPathBytes) {
      return MakeError(ErrorCode::kInvalidInput, level.prefix.substr(0, 200) + "...: a path longer than " +
                                                     std::to_string(kMaxPathBytes) + " bytes");
    }
    std::string path = level.prefix + name;
    path_bytes += path.size();
    if (++entries > kMaxTreeEntries || path_bytes > kMaxTreePathBytes) {
      return MakeError(ErrorCode::kInvalidInput, "the tree holds more than " +
                                                     (entries > kMaxTreeEntries ? std::to_string(kMaxTreeEntries) + " entries"
                                                                                : std::to_string(kMaxTreePathBytes >> 20) + " MiB of paths") +
                                                     " (at " + path.substr(0, 200) + ")");
    }
    if (git_tree_entry_filemode(entry) != GIT_FILEMODE_TREE) {
      if (Status s = visit(path, entry, nullptr); !s) return s;
      continue;
    }
    if (levels.size() > static_cast<size_t>(kMaxTreeDepth)) {
      return MakeError(ErrorCode::kInvalidInput, path + ": deeper than " + std::to_string(kMaxTreeDepth) + " levels");
    }
    TreePtr sub;
    if (git_tree_lookup(&sub.ptr, repo, git_tree_entry_id(entry)) != 0) return GitError(ErrorCode::kIo, "read " + path);
    if (Status s = visit(path, entry, sub.ptr); !s) return s;
    git_tree* raw = sub.ptr;
    levels.push_back({std::move(sub), raw, path + "/", 0});
  }
  return OkStatus();
}

Status FlattenTree(git_tree* tree, ExpectedTree& out) {
  git_repository* repo = git_tree_owner(tree);
  OdbPtr odb;
  if (git_repository_odb(&odb.ptr, repo) != 0) return GitError(ErrorCode::kIo, "object database");
  return WalkTree(repo, tree, [&](const std::string& path, const git_tree_entry* entry, git_tree* subtree) -> Status {
    if (subtree != nullptr) return OkStatus();
    char text[16];
    std::snprintf(text, sizeof text, "%06o", static_cast<unsigned>(git_tree_entry_filemode(entry)));
    ExpectedFile& file = out[path];
    file.line = std::string(text) + " " + Hex(*git_tree_entry_id(entry));
    if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      if (git_odb_read_header(&size, &type, odb.ptr, git_tree_entry_id(entry)) != 0) {
        return GitError(ErrorCode::kIo, "read " + path);
      }
      file.size = size;
    }
    return OkStatus();
  });
}

}  // namespace daybook::repo::internal
