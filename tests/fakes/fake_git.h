// Git seam fake: records Init calls; FindWorkdir answers from a set of
// repository roots (each resolves any revision to `head`); refs, committed
// files, local changes and files changed by later commits come from maps
// the test fills; CommitAll commits a fake filesystem's files. Packs are not
// faked (tests that ship code use real git).
#pragma once

#include <fnmatch.h>

#include <algorithm>
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
    bool fleet_root = std::find(roots.begin(), roots.end(), repo) != roots.end();
    if (it == refs.end() && fleet_root) return repo::CommitRef{head, std::string(40, 'e')};
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

  Result<std::vector<std::string>> ListFilesAt(const std::filesystem::path&, const std::string&, const std::string& dir) override {
    std::vector<std::string> files;
    for (const auto& [path, text] : committed) {
      if (path.rfind(dir + "/", 0) == 0 && path.find('/', dir.size() + 1) == std::string::npos) files.push_back(path);
    }
    return files;
  }

  // The dirty files, and those committed since `commit` (changed_since),
  // the pathspecs match (`*` matches `/` too, as in git).
  Result<std::vector<std::string>> DiffersFrom(const std::filesystem::path&, const std::string& commit,
                                               const std::vector<std::string>& pathspecs) override {
    std::vector<std::string> changed;
    std::set<std::string> files = dirty;
    if (auto since = changed_since.find(commit); since != changed_since.end()) files.insert(since->second.begin(), since->second.end());
    for (const std::string& file : files) {
      for (const std::string& spec : pathspecs) {
        if (fnmatch(spec.c_str(), file.c_str(), 0) == 0) {
          changed.push_back(file + " (modified)");
          break;
        }
      }
    }
    return changed;
  }

  // Commits every file of `fs` under `root` as it is now.
  void CommitAll(const std::map<std::string, std::string>& files, const std::filesystem::path& root) {
    for (const auto& [path, text] : files) {
      std::filesystem::path relative = std::filesystem::path(path).lexically_relative(root);
      if (!relative.empty() && *relative.begin() != "..") committed[relative.string()] = text;
    }
  }

  Result<std::vector<std::string>> Unreproducible(const std::filesystem::path&, const std::string& commit, bool) override {
    auto it = unreproducible.find(commit);
    return it == unreproducible.end() ? std::vector<std::string>() : it->second;
  }

  std::vector<std::filesystem::path> roots;
  std::map<std::string, repo::CommitRef> refs;     // "<repo>#<ref>"
  std::map<std::string, std::string> committed;    // file → content at HEAD
  std::set<std::string> dirty;
  std::map<std::string, std::set<std::string>> changed_since;  // commit → files committed differently since
  std::map<std::string, std::vector<std::string>> unreproducible;  // commit → problems
  std::string head = std::string(40, 'f');
  std::vector<std::string> inits;
};

}  // namespace daybook::testing
