// PackCache: one build per distinct (repo, want, haves), shared by threads.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "controller/pack_cache.h"
#include "tests/fakes/fake_git.h"

namespace daybook::controller {
namespace {

class CountingGit final : public repo::Git {
 public:
  Status Init(const std::filesystem::path&) override { return OkStatus(); }
  Result<std::filesystem::path> FindWorkdir(const std::filesystem::path& p) override { return p; }
  Result<repo::CommitRef> Resolve(const std::filesystem::path&, const std::string&) override { return repo::CommitRef{}; }
  Result<repo::Pack> BuildPack(const std::filesystem::path&, const std::string& want, const std::vector<std::string>& haves) override {
    ++builds;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // long enough for the others to ask meanwhile
    return repo::Pack{want + ":" + std::to_string(haves.size()), 1};
  }
  Result<repo::ChangeCount> CountChanges(const std::filesystem::path&, const std::string&, const std::string&) override {
    return repo::ChangeCount{};
  }
  Result<repo::FileAtRevision> ReadFileAt(const std::filesystem::path&, const std::string&, const std::string&) override {
    return repo::FileAtRevision{};
  }
  Result<bool> HasLocalChanges(const std::filesystem::path&, const std::string&) override { return false; }
  Result<std::vector<std::string>> ListFilesAt(const std::filesystem::path&, const std::string&, const std::string&) override {
    return std::vector<std::string>();
  }
  Result<std::vector<std::string>> DiffersFrom(const std::filesystem::path&, const std::string&,
                                               const std::vector<std::string>&) override {
    return std::vector<std::string>();
  }
  Result<std::vector<std::string>> Unreproducible(const std::filesystem::path&, const std::string&, bool) override {
    return std::vector<std::string>();
  }
  std::atomic<int> builds{0};
};

TEST_CASE("pack cache: concurrent requests for the same pack build it once, other haves build another") {
  CountingGit git;
  PackCache cache(git);
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto pack = cache.Get("/repo", "c2", {"b", "a"});
      if (pack->pack && pack->pack->bytes == "c2:2") ++right;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(right == 8);
  CHECK(git.builds == 1);
  CHECK(cache.Get("/repo", "c2", {"a", "b"})->pack->bytes == "c2:2");  // same set, other order
  CHECK(git.builds == 1);
  CHECK(cache.Get("/repo", "c2", {"a"})->pack->bytes == "c2:1");
  CHECK(git.builds == 2);
}

}  // namespace
}  // namespace daybook::controller
