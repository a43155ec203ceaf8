// Git seam fake: records Init calls; FindWorkdir answers from a set of
// repository roots; refs, committed files and local changes come from maps
// the test fills. Packs are not faked (tests that ship code use real git).
#pragma once

#include <map>
#include <set>
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

  Result<repo::CommitRef> Resolve(const std::filesystem::path& repo, const std::string& ref) override {
    auto it = refs.find(repo.string() + "#" + ref);
    if (it == refs.end()) return MakeError(ErrorCode::kNotFound, "unknown revision " + ref + " in " + repo.string());
    return it->second;
  }

  Result<repo::Pack> BuildPack(const std::filesystem::path&, const std::string&, const std::vector<std::string>&) override {
    return MakeError(ErrorCode::kInternal, "FakeGit builds no packs");
  }

  Result<repo::ChangeCount> CountChanges(const std::filesystem::path&, const std::string&, const std::string&) override {
    return MakeError(ErrorCode::kNotFound, "FakeGit counts no changes");
  }

  Result<repo::FileAtRevision> ReadFileAt(const std::filesystem::path&, const std::string& rev, const std::string& file) override {
    auto it = committed.find(file);
    if (it == committed.end()) return MakeError(ErrorCode::kNotFound, file + " is not committed at " + rev);
    return repo::FileAtRevision{head, it->second};
  }

  Result<bool> HasLocalChanges(const std::filesystem::path&, const std::string& file) override { return dirty.count(file) > 0; }

  Result<std::vector<std::string>> Unreproducible(const std::filesystem::path&, const std::string& commit, bool) override {
    auto it = unreproducible.find(commit);
    return it == unreproducible.end() ? std::vector<std::string>() : it->second;
  }

  std::vector<std::filesystem::path> roots;
  std::map<std::string, repo::CommitRef> refs;     // "<repo>#<ref>"
  std::map<std::string, std::string> committed;    // file → content at HEAD
  std::set<std::string> dirty;
  std::map<std::string, std::vector<std::string>> unreproducible;  // commit → problems
  std::string head = std::string(40, 'f');
  std::vector<std::string> inits;
};

}  // namespace daybook::testing
