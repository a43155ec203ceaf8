// A real git repository in a temp dir, driven by the git CLI, for tests of
// the libgit2 adapters and of deploys.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/testing.h"

namespace daybook::testing {

class GitRepo {
 public:
  explicit GitRepo(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    Git("init -q -b main");
  }

  const std::filesystem::path& dir() const { return dir_; }

  void Write(const std::string& file, const std::string& content, bool executable = false) {
    std::filesystem::path path = dir_ / file;
    std::filesystem::create_directories(path.parent_path());
    WriteAll(path, content);
    ::chmod(path.c_str(), executable ? 0755 : 0644);
  }

  void Remove(const std::string& file) { std::filesystem::remove(dir_ / file); }

  // Commits everything; returns the commit id.
  std::string Commit(const std::string& message) {
    Git("add -A");
    Git("-c user.name=Test -c user.email=test@example.org commit -q --allow-empty -m '" + message + "'");
    return Git("rev-parse HEAD");
  }

  // Runs `git ARGS` in the repository; throws on failure. Output trimmed.
  std::string Git(const std::string& args) {
    auto [rc, out] = RunShell("cd '" + dir_.string() + "' && git " + args);
    if (rc != 0) throw std::runtime_error("git " + args + ": " + out);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace daybook::testing
