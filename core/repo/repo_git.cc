// Git seam over libgit2 1.5 (see notes/deps-debian12.md §3).
#include "core/repo/git.h"
#include "core/repo/libgit2_util.h"

namespace daybook::repo {

using namespace internal;

// In pack.cc.
Result<Pack> BuildPackIn(const std::filesystem::path& repo, const std::string& want, const std::vector<std::string>& haves);
Result<ChangeCount> CountChangesIn(const std::filesystem::path& repo, const std::string& from, const std::string& to);
Result<std::vector<std::string>> UnreproducibleIn(const std::filesystem::path& repo, const std::string& commit, bool lfs_pointers);
// In worktree.cc.
Result<std::vector<std::string>> ListFilesAtIn(const std::filesystem::path& workdir, const std::string& rev, const std::string& dir);
Result<std::vector<std::string>> DiffersFromIn(const std::filesystem::path& workdir, const std::string& commit,
                                               const std::vector<std::string>& pathspecs);

namespace {

namespace fs = std::filesystem;

class Libgit2 final : public Git {
 public:
  Libgit2() {
    internal::HoldLibgit2();
    git_libgit2_init();
  }
  ~Libgit2() override { git_libgit2_shutdown(); }
  Libgit2(const Libgit2&) = delete;
  Libgit2& operator=(const Libgit2&) = delete;

  Status Init(const fs::path& dir) override {
    RepoPtr existing;
    if (git_repository_open_ext(&existing.ptr, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0) {
      return MakeError(ErrorCode::kInvalidInput, dir.string() + " is already a git repository");
    }
    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    options.initial_head = "main";
    RepoPtr repo;
    if (git_repository_init_ext(&repo.ptr, dir.c_str(), &options) != 0) {
      return GitError(ErrorCode::kIo, "git init " + dir.string());
    }
    return OkStatus();
  }

  Result<fs::path> FindWorkdir(const fs::path& start) override {
    git_buf found = GIT_BUF_INIT;
    if (git_repository_discover(&found, start.c_str(), 0, nullptr) != 0) {
      git_buf_dispose(&found);
      return MakeError(ErrorCode::kNotFound, "no git repository contains " + start.string());
    }
    std::string git_dir(found.ptr, found.size);
    git_buf_dispose(&found);
    RepoPtr repo;
    if (git_repository_open(&repo.ptr, git_dir.c_str()) != 0) {
      return GitError(ErrorCode::kIo, "open repository " + git_dir);
    }
    const char* workdir = git_repository_workdir(repo.ptr);
    if (workdir == nullptr) {
      return MakeError(ErrorCode::kInvalidInput, git_dir + " is a bare repository");
    }
    fs::path top(workdir);
    return top.has_filename() ? top : top.parent_path();  // libgit2 ends it with '/'
  }

  Result<CommitRef> Resolve(const fs::path& path, const std::string& ref) override {
    Result<RepoPtr> repo = OpenRepository(path);
    if (!repo) return repo.error();
    Result<CommitPtr> commit = RevisionCommit(repo->ptr, ref, path.string());
    if (!commit) return commit.error();
    return CommitRef{Hex(*git_commit_id(commit->ptr)), Hex(*git_commit_tree_id(commit->ptr))};
  }

  Result<Pack> BuildPack(const fs::path& repo, const std::string& want, const std::vector<std::string>& haves) override {
    return BuildPackIn(repo, want, haves);
  }

  Result<ChangeCount> CountChanges(const fs::path& repo, const std::string& from, const std::string& to) override {
    return CountChangesIn(repo, from, to);
  }

  Result<FileAtRevision> ReadFileAt(const fs::path& workdir, const std::string& rev, const std::string& file) override {
    Result<RepoPtr> repo = OpenRepository(workdir);
    if (!repo) return repo.error();
    Result<CommitPtr> commit = RevisionCommit(repo->ptr, rev, workdir.string());
    if (!commit) return commit.error();
    std::string id = Hex(*git_commit_id(commit->ptr));
    TreePtr tree;
    Owned<git_tree_entry, git_tree_entry_free> entry;
    if (git_commit_tree(&tree.ptr, commit->ptr) != 0 || git_tree_entry_bypath(&entry.ptr, tree.ptr, file.c_str()) != 0) {
      return MakeError(ErrorCode::kNotFound, file + " is not committed at " + rev + " (" + id.substr(0, 12) + ")");
    }
    Owned<git_blob, git_blob_free> blob;
    if (git_tree_entry_type(entry.ptr) != GIT_OBJECT_BLOB ||
        git_blob_lookup(&blob.ptr, repo->ptr, git_tree_entry_id(entry.ptr)) != 0) {
      return MakeError(ErrorCode::kInvalidInput, file + " at " + rev + " is not a file");
    }
    const char* data = static_cast<const char*>(git_blob_rawcontent(blob.ptr));
    return FileAtRevision{id, std::string(data, static_cast<size_t>(git_blob_rawsize(blob.ptr)))};
  }

  Result<std::vector<std::string>> Unreproducible(const fs::path& repo, const std::string& commit, bool lfs_pointers) override {
    return UnreproducibleIn(repo, commit, lfs_pointers);
  }

  Result<bool> HasLocalChanges(const fs::path& workdir, const std::string& file) override {
    Result<RepoPtr> repo = OpenRepository(workdir);
    if (!repo) return repo.error();
    unsigned int flags = 0;
    int rc = git_status_file(&flags, repo->ptr, file.c_str());
    if (rc == GIT_ENOTFOUND) return false;  // neither tracked nor present
    if (rc != 0) return GitError(ErrorCode::kIo, "git status " + file);
    return flags != GIT_STATUS_CURRENT;
  }

  Result<std::vector<std::string>> ListFilesAt(const fs::path& workdir, const std::string& rev, const std::string& dir) override {
    return ListFilesAtIn(workdir, rev, dir);
  }

  Result<std::vector<std::string>> DiffersFrom(const fs::path& workdir, const std::string& commit,
                                               const std::vector<std::string>& pathspecs) override {
    return DiffersFromIn(workdir, commit, pathspecs);
  }
};

}  // namespace

std::unique_ptr<Git> MakeLibgit2() { return std::make_unique<Libgit2>(); }

}  // namespace daybook::repo
