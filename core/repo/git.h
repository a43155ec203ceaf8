// Git seam: what daybook asks of git repositories. The one implementation
// (repo_git.cc) is the only file that includes libgit2.
#pragma once

#include <filesystem>
#include <memory>

#include "core/base/result.h"

namespace daybook::repo {

class Git {
 public:
  virtual ~Git() = default;

  // Creates a non-bare repository in the existing directory `dir`, HEAD on
  // branch `main`. kInvalidInput when `dir` already is a repository.
  virtual Status Init(const std::filesystem::path& dir) = 0;

  // The top of the working tree of the repository that contains `start`
  // (as `git rev-parse --show-toplevel`). kNotFound outside any repository.
  virtual Result<std::filesystem::path> FindWorkdir(const std::filesystem::path& start) = 0;
};

// libgit2-backed Git. Initialises libgit2 for the lifetime of the object.
std::unique_ptr<Git> MakeLibgit2();

}  // namespace daybook::repo
