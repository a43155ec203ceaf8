// Git seam over libgit2 1.5 (see notes/deps-debian12.md §3).
#include <git2.h>

#include "core/repo/git.h"

namespace daybook::repo {
namespace {

namespace fs = std::filesystem;

Error GitError(ErrorCode code, const std::string& what) {
  const git_error* e = git_error_last();
  return MakeError(code, what + ": " + (e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error"));
}

// Frees a libgit2 object at scope exit.
template <typename T, void (*Free)(T*)>
struct Owned {
  T* ptr = nullptr;
  ~Owned() {
    if (ptr != nullptr) Free(ptr);
  }
};

class Libgit2 final : public Git {
 public:
  Libgit2() { git_libgit2_init(); }
  ~Libgit2() override { git_libgit2_shutdown(); }
  Libgit2(const Libgit2&) = delete;
  Libgit2& operator=(const Libgit2&) = delete;

  Status Init(const fs::path& dir) override {
    Owned<git_repository, git_repository_free> existing;
    if (git_repository_open_ext(&existing.ptr, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0) {
      return MakeError(ErrorCode::kInvalidInput, dir.string() + " is already a git repository");
    }
    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    options.initial_head = "main";
    Owned<git_repository, git_repository_free> repo;
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
    Owned<git_repository, git_repository_free> repo;
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
};

}  // namespace

std::unique_ptr<Git> MakeLibgit2() { return std::make_unique<Libgit2>(); }

}  // namespace daybook::repo
