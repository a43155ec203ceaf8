// In-memory Filesystem that records what it was asked, for unit tests.
// Directories exist implicitly as prefixes of files, or when created.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/base/filesystem.h"

namespace daybook::testing {

class FakeFilesystem final : public Filesystem {
 public:
  const std::map<std::string, std::string>& files() const { return files_; }

  void AddFile(const std::filesystem::path& path, std::string contents) {
    files_[path.lexically_normal().string()] = std::move(contents);
  }

  // A symbolic link at `path` (what ReadLink answers; the other methods do
  // not follow it).
  void AddLink(const std::filesystem::path& path, std::string target) {
    links_[path.lexically_normal().string()] = std::move(target);
  }

  // Another process holds a record lock on `path` (what LockHolder answers).
  void HoldLock(const std::filesystem::path& path, int pid) { lock_holders_[path.lexically_normal().string()] = pid; }

  Result<std::optional<int>> LockHolder(const std::filesystem::path& path) override {
    auto it = lock_holders_.find(path.lexically_normal().string());
    if (it == lock_holders_.end()) return std::optional<int>();
    return std::optional<int>(it->second);
  }

  Result<std::optional<std::string>> ReadLink(const std::filesystem::path& path) override {
    auto it = links_.find(path.lexically_normal().string());
    if (it == links_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Result<std::string> ReadFile(const std::filesystem::path& path) override {
    auto it = files_.find(path.lexically_normal().string());
    if (it == files_.end()) return MakeError(ErrorCode::kNotFound, "cannot read " + path.string() + ": No such file or directory");
    return it->second;
  }

  Result<std::vector<std::string>> ListDirectory(const std::filesystem::path& dir) override {
    std::string prefix = dir.lexically_normal().string() + "/";
    std::set<std::string> names;
    for (const auto& [path, contents] : files_) {
      if (path.rfind(prefix, 0) != 0) continue;
      std::string rest = path.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('/')));
    }
    for (const std::string& d : dirs_) {
      if (d.rfind(prefix, 0) == 0) {
        std::string rest = d.substr(prefix.size());
        names.insert(rest.substr(0, rest.find('/')));
      }
    }
    if (names.empty() && !Exists(dir)) return MakeError(ErrorCode::kNotFound, "cannot list " + dir.string());
    return std::vector<std::string>(names.begin(), names.end());
  }

  bool Exists(const std::filesystem::path& path) override {
    std::string p = path.lexically_normal().string();
    if (files_.count(p) || dirs_.count(p)) return true;
    for (const auto& entry : files_) {
      if (entry.first.rfind(p + "/", 0) == 0) return true;
    }
    return false;
  }

  Result<unsigned> FileMode(const std::filesystem::path& path) override {
    for (auto it = writes.rbegin(); it != writes.rend(); ++it) {
      if (it->path == path.lexically_normal().string()) return it->mode;
    }
    if (Exists(path)) return 0644u;
    return MakeError(ErrorCode::kNotFound, "cannot stat " + path.string());
  }

  Status CreateDirectories(const std::filesystem::path& dir) override {
    dirs_.insert(dir.lexically_normal().string());
    return OkStatus();
  }

  Status WriteFileAtomic(const std::filesystem::path& path, const std::string& contents, unsigned mode) override {
    writes.push_back({path.lexically_normal().string(), mode});
    files_[path.lexically_normal().string()] = contents;
    return OkStatus();
  }

  Status AppendFile(const std::filesystem::path& path, const std::string& data, unsigned mode) override {
    writes.push_back({path.lexically_normal().string(), mode});
    files_[path.lexically_normal().string()] += data;
    return OkStatus();
  }

  Status TruncateFile(const std::filesystem::path& path, uint64_t size) override {
    auto it = files_.find(path.lexically_normal().string());
    if (it == files_.end()) return MakeError(ErrorCode::kNotFound, "cannot truncate " + path.string());
    it->second.resize(size);
    return OkStatus();
  }

  Status RemoveFile(const std::filesystem::path& path) override {
    files_.erase(path.lexically_normal().string());
    return OkStatus();
  }

  Result<std::unique_ptr<Lock>> LockFile(const std::filesystem::path& path) override {
    std::string key = path.lexically_normal().string();
    if (locked_.count(key)) return MakeError(ErrorCode::kFailed, key + " is locked by another process");
    locked_.insert(key);
    return std::unique_ptr<Lock>(new FakeLock(locked_, key));
  }

  struct Write {
    std::string path;
    unsigned mode;
  };
  std::vector<Write> writes;  // every WriteFileAtomic, in order

 private:
  std::map<std::string, std::string> files_;
  std::set<std::string> dirs_;
  std::map<std::string, std::string> links_;
  std::map<std::string, int> lock_holders_;
  std::set<std::string> locked_;

  class FakeLock final : public Lock {
   public:
    FakeLock(std::set<std::string>& set, std::string key) : set_(set), key_(std::move(key)) {}
    ~FakeLock() override { set_.erase(key_); }

   private:
    std::set<std::string>& set_;
    std::string key_;
  };
};

}  // namespace daybook::testing
