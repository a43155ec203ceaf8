// A Filesystem that forwards to another and injects faults: the Nth write
// (append or atomic write, counting from 1) fails after writing part of its
// data, as a full disk does. Used to test that nothing is half-written.
#pragma once

#include "core/base/filesystem.h"

namespace daybook::testing {

class FaultyFilesystem final : public Filesystem {
 public:
  explicit FaultyFilesystem(Filesystem& base) : base_(base) {}

  int fail_at = 0;     // 0 = never
  int writes = 0;      // writes seen so far

  Result<std::string> ReadFile(const std::filesystem::path& p) override { return base_.ReadFile(p); }
  Result<std::vector<std::string>> ListDirectory(const std::filesystem::path& d) override { return base_.ListDirectory(d); }
  bool Exists(const std::filesystem::path& p) override { return base_.Exists(p); }
  Result<std::optional<std::string>> ReadLink(const std::filesystem::path& p) override { return base_.ReadLink(p); }
  Result<unsigned> FileMode(const std::filesystem::path& p) override { return base_.FileMode(p); }
  Status CreateDirectories(const std::filesystem::path& d) override { return base_.CreateDirectories(d); }
  Status TruncateFile(const std::filesystem::path& p, uint64_t size) override { return base_.TruncateFile(p, size); }
  Result<std::unique_ptr<Lock>> LockFile(const std::filesystem::path& p) override { return base_.LockFile(p); }
  Result<std::optional<int>> LockHolder(const std::filesystem::path& p) override { return base_.LockHolder(p); }
  Status RemoveFile(const std::filesystem::path& p) override { return base_.RemoveFile(p); }

  Status WriteFileAtomic(const std::filesystem::path& p, const std::string& data, unsigned mode) override {
    if (++writes == fail_at) return MakeError(ErrorCode::kIo, "cannot write " + p.string() + ": No space left on device");
    return base_.WriteFileAtomic(p, data, mode);
  }

  Status AppendFile(const std::filesystem::path& p, const std::string& data, unsigned mode) override {
    if (++writes == fail_at) {
      (void)base_.AppendFile(p, data.substr(0, data.size() / 2), mode);  // a partial write, then ENOSPC
      return MakeError(ErrorCode::kIo, "cannot append to " + p.string() + ": No space left on device");
    }
    return base_.AppendFile(p, data, mode);
  }

 private:
  Filesystem& base_;
};

}  // namespace daybook::testing
