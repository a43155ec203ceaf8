// ObjectStore over a bare libgit2 repository (notes/deps-debian12.md §3).
// Packs go through git_indexer with verification against the store's odb,
// so a pack that leaves an object missing is refused before it lands.
#include "core/repo/object_store.h"

#include <map>

#include "core/repo/libgit2_util.h"

namespace daybook::repo {
namespace {

namespace fs = std::filesystem;
using namespace internal;

constexpr const char* kKeptPrefix = "refs/daybook/";

class IndexerSink final : public PackSink {
 public:
  IndexerSink(git_indexer* indexer, git_odb* odb, PackLimits limits) : indexer_(indexer), odb_(odb), scanner_(limits) {}
  ~IndexerSink() override { git_indexer_free(indexer_); }
  IndexerSink(const IndexerSink&) = delete;
  IndexerSink& operator=(const IndexerSink&) = delete;

  // The scanner sees every byte before libgit2 does, so an object over the
  // limits is refused before libgit2 inflates (or allocates) it.
  Status Append(std::string_view bytes) override {
    if (Status checked = scanner_.Feed(bytes); !checked) return checked;
    if (git_indexer_append(indexer_, bytes.data(), bytes.size(), &stats_) != 0) {
      return GitError(ErrorCode::kInvalidInput, "pack refused");
    }
    return OkStatus();
  }

  Result<size_t> Commit() override {
    if (Status complete = scanner_.Finish(); !complete) return complete.error();
    if (git_indexer_commit(indexer_, &stats_) != 0) return GitError(ErrorCode::kInvalidInput, "pack refused");
    if (git_odb_refresh(odb_) != 0) return GitError(ErrorCode::kIo, "refresh object store");
    return static_cast<size_t>(stats_.indexed_objects);
  }

 private:
  git_indexer* indexer_;
  git_odb* odb_;
  PackScanner scanner_;
  git_indexer_progress stats_{};
};

class Libgit2ObjectStore final : public ObjectStore {
 public:
  Libgit2ObjectStore(RepoPtr repo, OdbPtr odb, fs::path dir)
      : repo_(std::move(repo)), odb_(std::move(odb)), dir_(std::move(dir)) {}
  ~Libgit2ObjectStore() override {
    odb_ = OdbPtr();
    repo_ = RepoPtr();
    git_libgit2_shutdown();
  }
  Libgit2ObjectStore(const Libgit2ObjectStore&) = delete;
  Libgit2ObjectStore& operator=(const Libgit2ObjectStore&) = delete;

  bool HasCommit(const std::string& commit) override { return static_cast<bool>(LookupCommit(repo_.ptr, commit)); }

  Result<std::vector<std::string>> KeptCommits() override {
    std::vector<std::string> commits;
    auto add = [](const char* name, void* payload) -> int {
      std::string ref(name);
      static_cast<std::vector<std::string>*>(payload)->push_back(ref.substr(std::string(kKeptPrefix).size()));
      return 0;
    };
    if (git_reference_foreach_glob(repo_.ptr, "refs/daybook/*", add, &commits) != 0) {
      return GitError(ErrorCode::kIo, "list kept commits");
    }
    return commits;
  }

  Status Keep(const std::string& commit) override {
    git_oid oid;
    if (!ParseOid(commit, oid)) return MakeError(ErrorCode::kInvalidInput, "bad commit id " + commit);
    Owned<git_reference, git_reference_free> ref;
    if (git_reference_create(&ref.ptr, repo_.ptr, (kKeptPrefix + commit).c_str(), &oid, 1, "daybook keep") != 0) {
      return GitError(ErrorCode::kIo, "keep " + commit);
    }
    return OkStatus();
  }

  Status Forget(const std::string& commit) override {
    int rc = git_reference_remove(repo_.ptr, (kKeptPrefix + commit).c_str());
    if (rc != 0 && rc != GIT_ENOTFOUND) return GitError(ErrorCode::kIo, "forget " + commit);
    return OkStatus();
  }

  Result<std::unique_ptr<PackSink>> ReceivePack(const PackLimits& limits) override {
    git_indexer_options options = GIT_INDEXER_OPTIONS_INIT;
    options.verify = 1;
    git_indexer* indexer = nullptr;
    fs::path pack_dir = dir_ / "objects" / "pack";
    if (git_indexer_new(&indexer, pack_dir.c_str(), 0, odb_.ptr, &options) != 0) {
      return GitError(ErrorCode::kIo, "start receiving a pack");
    }
    return std::unique_ptr<PackSink>(std::make_unique<IndexerSink>(indexer, odb_.ptr, limits));
  }

  Result<std::string> TreeOf(const std::string& commit) override {
    Result<CommitPtr> found = LookupCommit(repo_.ptr, commit);
    if (!found) return found.error();
    return Hex(*git_commit_tree_id(found->ptr));
  }

  Status Checkout(const std::string& commit, const ConfinedDir& dir) override {
    Result<TreePtr> tree = CommitTree(repo_.ptr, commit);
    if (!tree) return tree.error();
    Result<std::vector<std::string>> present = dir.List();
    if (!present) return present.error();
    if (!present->empty()) return MakeError(ErrorCode::kInternal, "checkout into " + dir.path().string() + ", which is not empty");
    if (Status s = CheckoutTree(repo_.ptr, tree->ptr, dir); !s) {
      return std::move(s).error().WithContext("checkout " + commit.substr(0, 12) + " into " + dir.path().string());
    }
    return OkStatus();
  }

  Result<TreeComparison> Compare(const std::string& commit, const ConfinedDir& dir) override {
    Result<TreePtr> tree = CommitTree(repo_.ptr, commit);
    if (!tree) return tree.error();
    ExpectedTree expected;
    if (Status s = FlattenTree(tree->ptr, expected); !s) return s.error();
    Result<DirectoryHash> actual = HashDirectory(dir, &expected);
    if (!actual) return actual.error();
    TreeComparison comparison;
    comparison.directory_tree = actual->tree;
    comparison.incomplete = actual->stopped;
    comparison.writable = std::move(actual->writable);
    for (const auto& [path, id] : actual->files) {
      auto it = expected.find(path);
      if (it == expected.end()) {
        comparison.added.push_back(path);
      } else {
        if (it->second.line != id) comparison.modified.push_back(path);
        expected.erase(it);
      }
    }
    // What a walk that stopped did not reach is unknown, not removed.
    if (comparison.incomplete.empty()) {
      for (const auto& entry : expected) comparison.removed.push_back(entry.first);
    }
    return comparison;
  }

 private:
  RepoPtr repo_;
  OdbPtr odb_;
  fs::path dir_;
};

}  // namespace

// libgit2's indexer streams a pack into objects/pack/pack_git2_<random>
// (mkstemp) and writes the index through pack-<id>.idx.lock: a kill -9
// leaves either behind.
Result<int> ObjectStore::RemoveInterruptedTransfers(const fs::path& dir) {
  Result<ConfinedDir> store = ConfinedDir::OpenTrusted(dir);
  if (!store) return store.error().code == ErrorCode::kNotFound ? Result<int>(0) : Result<int>(store.error());
  Result<ConfinedDir> packs = store->Open("objects/pack");
  if (!packs) return packs.error().code == ErrorCode::kNotFound ? Result<int>(0) : Result<int>(packs.error());
  Result<std::vector<std::string>> names = packs->List();
  if (!names) return names.error();
  int removed = 0;
  for (const std::string& name : *names) {
    bool temp = name.rfind("pack_git2_", 0) == 0 || (name.size() > 5 && name.compare(name.size() - 5, 5, ".lock") == 0);
    if (!temp) continue;
    if (Status s = packs->Remove(name); !s) return s.error();
    ++removed;
  }
  return removed;
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(const fs::path& dir) {
  internal::HoldLibgit2();
  git_libgit2_init();
  auto fail = [](Error e) {
    git_libgit2_shutdown();
    return e;
  };
  RepoPtr repo;
  if (git_repository_open_bare(&repo.ptr, dir.c_str()) != 0 &&
      git_repository_init(&repo.ptr, dir.c_str(), /*is_bare=*/1) != 0) {
    return fail(GitError(ErrorCode::kIo, "cannot open or create the object store " + dir.string()));
  }
  OdbPtr odb;
  if (git_repository_odb(&odb.ptr, repo.ptr) != 0) return fail(GitError(ErrorCode::kIo, "object store " + dir.string()));
  return std::unique_ptr<ObjectStore>(std::make_unique<Libgit2ObjectStore>(std::move(repo), std::move(odb), dir));
}

}  // namespace daybook::repo
