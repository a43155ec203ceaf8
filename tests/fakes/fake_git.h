// Git seam fake: records Init calls; FindWorkdir answers from a set of
// repository roots.
#pragma once

#include <string>
#include <vector>

#include "core/repo/git.h"

namespace daybook::testing {

class FakeGit final : public repo::Git {
 public:
  Status Init(const std::filesystem::path& dir) override {
    inits.push_back(dir.string());
    roots.push_back(dir);
    return OkStatus();
  }

  Result<std::filesystem::path> FindWorkdir(const std::filesystem::path& start) override {
    for (const std::filesystem::path& root : roots) {
      auto rel = start.lexically_relative(root);
      if (!rel.empty() && *rel.begin() != "..") return root;
    }
    return MakeError(ErrorCode::kNotFound, "no git repository contains " + start.string());
  }

  std::vector<std::filesystem::path> roots;
  std::vector<std::string> inits;
};

}  // namespace daybook::testing
