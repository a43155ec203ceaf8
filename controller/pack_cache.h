// Packs built once per rollout: fresh hosts (and hosts on the same release)
// need the same objects, so the first thread that asks builds the pack and
// the others wait for it instead of packing the same tree again.
#pragma once

#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/repo/git.h"

namespace daybook::controller {

struct CachedPack {
  Result<repo::Pack> pack;
  int64_t build_ms = 0;
};

class PackCache {
 public:
  explicit PackCache(repo::Git& git) : git_(git) {}
  repo::Git& git() { return git_; }

  // The pack of `want` for an agent that keeps `haves` (built at most once
  // per distinct request).
  std::shared_ptr<const CachedPack> Get(const std::filesystem::path& repo, const std::string& want,
                                        std::vector<std::string> haves);

 private:
  repo::Git& git_;
  std::mutex mu_;
  std::map<std::string, std::shared_future<std::shared_ptr<const CachedPack>>> packs_;
};

}  // namespace daybook::controller
