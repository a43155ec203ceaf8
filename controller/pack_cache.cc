#include "controller/pack_cache.h"

#include <algorithm>
#include <chrono>

namespace daybook::controller {

std::shared_ptr<const CachedPack> PackCache::Get(const std::filesystem::path& repo, const std::string& want,
                                                 std::vector<std::string> haves) {
  std::sort(haves.begin(), haves.end());
  std::string key = repo.string() + "\n" + want;
  for (const std::string& have : haves) key += "\n" + have;
  std::promise<std::shared_ptr<const CachedPack>> promise;
  std::shared_future<std::shared_ptr<const CachedPack>> future;
  bool build = false;
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = packs_.try_emplace(key);
    if (inserted) {
      it->second = promise.get_future().share();
      build = true;
    }
    future = it->second;
  }
  if (!build) return future.get();  // another thread builds it
  auto start = std::chrono::steady_clock::now();
  Result<repo::Pack> pack = git_.BuildPack(repo, want, haves);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  auto built = std::make_shared<const CachedPack>(CachedPack{std::move(pack), ms});
  promise.set_value(built);
  return built;
}

}  // namespace daybook::controller
