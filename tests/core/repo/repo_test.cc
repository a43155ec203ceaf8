// The libgit2 adapters against real repositories: resolving refs, packs of
// only the missing objects, the agent's object store (verified import,
// checkout, tree-id proof, drift) and reading committed files.
#include <doctest/doctest.h>
#include <algorithm>
#include <sys/stat.h>

#include "core/repo/git.h"
#include "core/repo/object_store.h"
#include "tests/core/repo/git_fixture.h"

namespace daybook::repo {
namespace {

using testing::GitRepo;
using testing::TempDir;

std::unique_ptr<ObjectStore> OpenStore(const std::filesystem::path& dir) {
  Result<std::unique_ptr<ObjectStore>> store = ObjectStore::Open(dir);
  REQUIRE_MESSAGE(store, (store ? "" : store.error().message));
  return std::move(store).value();
}

// A new empty directory at `path`, held as checkouts want it.
ConfinedDir Fresh(const std::filesystem::path& path) {
  std::filesystem::create_directories(path);
  Result<ConfinedDir> dir = ConfinedDir::OpenTrusted(path);
  REQUIRE(dir);
  return std::move(dir).value();
}

Status Import(ObjectStore& store, const Pack& pack, size_t piece = 1000) {
  Result<std::unique_ptr<PackSink>> sink = store.ReceivePack({});
  if (!sink) return sink.error();
  for (size_t at = 0; at < pack.bytes.size(); at += piece) {
    if (Status s = (*sink)->Append(std::string_view(pack.bytes).substr(at, piece)); !s) return s;
  }
  Result<size_t> objects = (*sink)->Commit();
  if (!objects) return objects.error();
  return OkStatus();
}

TEST_CASE("resolve: tags, branches, abbreviated ids, unknown refs and unreadable repositories are errors") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  repo.Write("README", "one\n");
  std::string first = repo.Commit("first");
  repo.Git("tag -a v1.0 -m release");
  repo.Write("README", "two\n");
  std::string second = repo.Commit("second");
  auto git = MakeLibgit2();

  Result<CommitRef> tag = git->Resolve(repo.dir(), "v1.0");
  REQUIRE(tag);
  CHECK(tag->commit == first);  // an annotated tag peels to its commit
  CHECK(tag->tree == repo.Git("rev-parse " + first + "^{tree}"));
  CHECK(git->Resolve(repo.dir(), "main")->commit == second);
  CHECK(git->Resolve(repo.dir(), first.substr(0, 10))->commit == first);
  CHECK(git->Resolve(repo.dir() / ".git", "main")->commit == second);

  Result<CommitRef> unknown = git->Resolve(repo.dir(), "v9.9");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(unknown.error().message.find("unknown revision v9.9") != std::string::npos);
  Result<CommitRef> missing = git->Resolve(tmp.path / "nowhere", "main");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kIo);
}

TEST_CASE("pack and store: a first pack carries everything, the next only the delta, checkout proves the tree") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  for (int i = 0; i < 50; ++i) repo.Write("src/file" + std::to_string(i) + ".txt", "content " + std::to_string(i) + "\n");
  repo.Write("bin/run.sh", "#!/bin/sh\necho run\n", true);
  std::filesystem::create_symlink("bin/run.sh", repo.dir() / "run");
  std::string first = repo.Commit("first");
  repo.Write("src/file7.txt", "changed\n");
  std::string second = repo.Commit("second");
  auto git = MakeLibgit2();
  auto store = OpenStore(tmp.path / "store");

  Result<Pack> full = git->BuildPack(repo.dir(), first, {});
  REQUIRE(full);
  CHECK(full->objects == 56);  // commit, 3 trees, 50 files, the script, the link
  REQUIRE(Import(*store, *full));
  CHECK(store->HasCommit(first));
  REQUIRE(store->Keep(first));

  Result<Pack> delta = git->BuildPack(repo.dir(), second, *store->KeptCommits());
  REQUIRE(delta);
  CHECK(delta->objects == 4);  // commit, root tree, src tree, one blob
  // Bounded by the changed objects themselves (raw sizes, before zlib).
  size_t changed = 0;
  for (const char* object : {"", "^{tree}", "^{tree}:src", ":src/file7.txt"}) {
    changed += std::stoul(repo.Git("cat-file -s " + second + object));
  }
  CHECK(delta->bytes.size() <= 2 * changed);
  CHECK(delta->bytes.size() < full->bytes.size());
  REQUIRE(Import(*store, *delta, 7));
  CHECK(store->HasCommit(second));

  std::filesystem::path release = tmp.path / "releases" / second;
  ConfinedDir release_dir = Fresh(release);
  REQUIRE(store->Checkout(second, release_dir));
  CHECK(testing::ReadAll(release / "src/file7.txt") == "changed\n");
  CHECK(std::filesystem::read_symlink(release / "run") == "bin/run.sh");
  struct stat st {};
  REQUIRE(::stat((release / "bin/run.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & S_IXUSR) != 0);
  Result<TreeComparison> same = store->Compare(second, release_dir);
  REQUIRE(same);
  CHECK(same->identical());
  CHECK(same->directory_tree == *store->TreeOf(second));
  CHECK(same->directory_tree == repo.Git("rev-parse " + second + "^{tree}"));

  Result<ChangeCount> changes = git->CountChanges(repo.dir(), first, second);
  REQUIRE(changes);
  CHECK(changes->changed == 1);
  CHECK(changes->added == 0);
  CHECK(changes->removed == 0);
  Result<ChangeCount> install = git->CountChanges(repo.dir(), "", first);
  REQUIRE(install);
  CHECK(install->added == 52);  // everything is new on a first deploy
}

TEST_CASE("store: a pack that leaves objects missing is refused and nothing lands") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  repo.Write("a", "1\n");
  std::string first = repo.Commit("first");
  repo.Write("b", "2\n");
  std::string second = repo.Commit("second");
  auto git = MakeLibgit2();
  auto store = OpenStore(tmp.path / "store");
  // A delta against a commit this store never received.
  Result<Pack> delta = git->BuildPack(repo.dir(), second, {first});
  REQUIRE(delta);
  Status imported = Import(*store, *delta);
  REQUIRE_FALSE(imported);
  CHECK(imported.error().code == ErrorCode::kInvalidInput);
  CHECK(imported.error().message.find("missing") != std::string::npos);
  CHECK_FALSE(store->HasCommit(second));
  auto packs = testing::RunShell("ls '" + (tmp.path / "store/objects/pack").string() + "'");
  CHECK(packs.second.empty());
  // Garbage is refused too.
  Result<std::unique_ptr<PackSink>> sink = store->ReceivePack({});
  REQUIRE(sink);
  Status appended = (*sink)->Append("PACK but not really a pack at all, just text");
  bool refused = !appended || !(*sink)->Commit();
  CHECK(refused);
}

TEST_CASE("store: drift is named path by path, empty directories included, a fresh checkout is identical") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  repo.Write("README.md", "hello\n");
  repo.Write("bin/run.sh", "#!/bin/sh\n", true);
  repo.Write("lib/gone.txt", "x\n");
  std::string commit = repo.Commit("first");
  auto git = MakeLibgit2();
  auto store = OpenStore(tmp.path / "store");
  REQUIRE(Import(*store, *git->BuildPack(repo.dir(), commit, {})));
  std::filesystem::path dir = tmp.path / "release";
  ConfinedDir handle = Fresh(dir);
  REQUIRE(store->Checkout(commit, handle));
  Status again = store->Checkout(commit, handle);  // only into an empty directory
  CHECK_FALSE(again);

  testing::WriteAll(dir / "README.md", "edited\n");
  testing::WriteAll(dir / "extra.txt", "new\n");
  ::chmod((dir / "bin/run.sh").c_str(), 0644);
  std::filesystem::remove(dir / "lib/gone.txt");
  Result<TreeComparison> drift = store->Compare(commit, handle);
  REQUIRE(drift);
  CHECK_FALSE(drift->identical());
  CHECK(drift->modified == std::vector<std::string>{"README.md", "bin/run.sh"});
  CHECK(drift->added == std::vector<std::string>{"extra.txt", "lib/"});
  CHECK(drift->removed == std::vector<std::string>{"lib/gone.txt"});
  CHECK(drift->directory_tree != *store->TreeOf(commit));

  ConfinedDir fresh = Fresh(tmp.path / "fresh");
  REQUIRE(store->Checkout(commit, fresh));
  Result<TreeComparison> repaired = store->Compare(commit, fresh);
  REQUIRE(repaired);
  CHECK(repaired->identical());
  CHECK(repaired->directory_tree == *store->TreeOf(commit));
}

TEST_CASE("read a committed file, local changes are seen") {
  TempDir tmp;
  GitRepo repo(tmp.path / "fleet");
  repo.Write("manifests/m.toml", "v1\n");
  std::string commit = repo.Commit("first");
  auto git = MakeLibgit2();
  Result<FileAtRevision> file = git->ReadFileAt(repo.dir(), "HEAD", "manifests/m.toml");
  REQUIRE(file);
  CHECK(file->commit == commit);
  CHECK(file->content == "v1\n");
  CHECK_FALSE(*git->HasLocalChanges(repo.dir(), "manifests/m.toml"));
  repo.Write("manifests/m.toml", "v2\n");
  CHECK(*git->HasLocalChanges(repo.dir(), "manifests/m.toml"));
  CHECK(git->ReadFileAt(repo.dir(), "HEAD", "manifests/m.toml")->content == "v1\n");
  repo.Write("manifests/new.toml", "x\n");
  CHECK(*git->HasLocalChanges(repo.dir(), "manifests/new.toml"));
  Result<FileAtRevision> absent = git->ReadFileAt(repo.dir(), "HEAD", "manifests/new.toml");
  REQUIRE_FALSE(absent);
  CHECK(absent.error().message.find("is not committed at HEAD") != std::string::npos);
}

TEST_CASE("the fleet files of a commit, and every way the working tree differs from it") {
  TempDir tmp;
  GitRepo repo(tmp.path / "fleet");
  repo.Write("daybook.toml", "[journal]\n");
  repo.Write("inventory/hosts.toml", "a\n");
  repo.Write("inventory/known_hosts", "k\n");
  repo.Write("inventory/sub/deep.toml", "d\n");
  repo.Write(".gitignore", "inventory/*.local.toml\n");
  std::string commit = repo.Commit("fleet");
  auto git = MakeLibgit2();
  std::vector<std::string> specs = {"daybook.toml", "allowed_signers", "inventory/*.toml", "inventory/known_hosts"};
  CHECK(*git->ListFilesAt(repo.dir(), commit, "inventory") ==
        std::vector<std::string>{"inventory/hosts.toml", "inventory/known_hosts"});
  CHECK(git->ListFilesAt(repo.dir(), commit, "nothere")->empty());
  CHECK(git->DiffersFrom(repo.dir(), commit, specs)->empty());

  repo.Write("inventory/hosts.toml", "b\n");    // an edit
  repo.Write("inventory/new.toml", "n\n");      // untracked
  repo.Write("inventory/x.local.toml", "i\n");  // ignored: still a file someone may think is in force
  repo.Write("allowed_signers", "s\n");
  repo.Git("add allowed_signers");               // staged, not committed
  repo.Remove("inventory/known_hosts");          // deleted
  repo.Write("manifests/m.toml", "m\n");        // not a fleet file
  std::vector<std::string> changed = *git->DiffersFrom(repo.dir(), commit, specs);
  std::sort(changed.begin(), changed.end());
  CHECK(changed == std::vector<std::string>{"allowed_signers (staged, not committed)", "inventory/hosts.toml (modified)",
                                            "inventory/known_hosts (deleted)", "inventory/new.toml (untracked)",
                                            "inventory/x.local.toml (ignored by git, not committed)"});
  // A commit the working tree matches again.
  repo.Remove("inventory/x.local.toml");
  std::string second = repo.Commit("all");
  CHECK(git->DiffersFrom(repo.dir(), second, specs)->empty());
  CHECK_FALSE(git->DiffersFrom(repo.dir(), commit, specs)->empty());  // against the older commit: differs
}

TEST_CASE("unreproducible: submodules, LFS pointers, other filters and empty trees are named, a plain tree passes") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  repo.Write("README", "plain\n");
  std::string plain = repo.Commit("plain");
  auto git = MakeLibgit2();
  CHECK(git->Unreproducible(repo.dir(), plain, false)->empty());

  repo.Git("update-index --add --cacheinfo 160000," + plain + ",vendor/lib");
  repo.Git("-c user.name=T -c user.email=t@e commit -q -m sub");
  std::string sub = repo.Git("rev-parse HEAD");
  Result<std::vector<std::string>> problems = git->Unreproducible(repo.dir(), sub, false);
  REQUIRE(problems);
  REQUIRE(problems->size() == 1);
  CHECK(problems->front().find("vendor/lib: a submodule") == 0);
  repo.Git("rm -q --cached vendor/lib");

  repo.Write(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\nsecret/* filter=git-crypt diff=git-crypt\n");
  repo.Write("assets/big.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(64, 'a') + "\nsize 12345\n");
  std::string lfs = repo.Commit("lfs");
  problems = git->Unreproducible(repo.dir(), lfs, false);
  REQUIRE(problems);
  REQUIRE(problems->size() == 2);
  CHECK((*problems)[0].find("assets/big.bin: a Git LFS pointer file") == 0);
  CHECK((*problems)[1].find(".gitattributes: declares filter=git-crypt") == 0);
  problems = git->Unreproducible(repo.dir(), lfs, true);  // lfs = "pointers"
  REQUIRE(problems);
  CHECK(problems->size() == 1);
}

TEST_CASE("store: leftovers of an interrupted pack transfer are removed, packs kept") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  repo.Write("a", "1\n");
  std::string first = repo.Commit("first");
  auto git = MakeLibgit2();
  {
    auto store = OpenStore(tmp.path / "store");
    REQUIRE(Import(*store, *git->BuildPack(repo.dir(), first, {})));
  }
  std::filesystem::path packs = tmp.path / "store/objects/pack";
  testing::WriteAll(packs / "pack_git2_a1b2c3", "PACK half");
  testing::WriteAll(packs / "pack-0123.idx.lock", "");
  Result<int> removed = ObjectStore::RemoveInterruptedTransfers(tmp.path / "store");
  REQUIRE(removed);
  CHECK(*removed == 2);
  CHECK_FALSE(std::filesystem::exists(packs / "pack_git2_a1b2c3"));
  CHECK(OpenStore(tmp.path / "store")->HasCommit(first));
  CHECK(*ObjectStore::RemoveInterruptedTransfers(tmp.path / "nowhere") == 0);
}

}  // namespace
}  // namespace daybook::repo

namespace daybook::repo {
namespace {

// A commit of one file at `levels` directories deep ("d/d/.../d/f"), with
// a file "z" beside each of the first directories (so a walk goes back up
// and on), made with git fast-import (one process whatever the depth).
std::string DeepCommit(GitRepo& repo, int levels, const std::string& branch) {
  std::string dirs;
  std::string script = "commit refs/heads/" + branch + "\ncommitter T <t@e> 0 +0000\ndata 0\n";
  for (int i = 0; i < levels; ++i) {
    dirs += "d/";
    if (i < 3) script += "M 100644 inline " + dirs + "z\ndata 2\nz\n";
  }
  script += "M 100644 inline " + dirs + "f\ndata 2\nf\n\n";
  testing::WriteAll(repo.dir() / "fast-import.txt", script);
  repo.Git("fast-import --quiet < fast-import.txt");
  std::filesystem::remove(repo.dir() / "fast-import.txt");
  return repo.Git("rev-parse " + branch);
}

TEST_CASE("deep trees: 1024 levels check out and prove with 64 descriptors, deeper is refused by plan and checkout") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  auto git = MakeLibgit2();
  auto store = OpenStore(tmp.path / "store");
  std::string deepest = DeepCommit(repo, 1024, "ok");
  std::string deeper = DeepCommit(repo, 1025, "too-deep");
  CHECK(git->Unreproducible(repo.dir(), deepest, false)->empty());
  Result<std::vector<std::string>> problems = git->Unreproducible(repo.dir(), deeper, false);
  REQUIRE(problems);
  REQUIRE(problems->size() == 1);
  CHECK(problems->front().find(": deeper than 1024 levels (a host refuses to check out such a tree)") != std::string::npos);

  REQUIRE(Import(*store, *git->BuildPack(repo.dir(), deepest, {})));
  REQUIRE(Import(*store, *git->BuildPack(repo.dir(), deeper, *store->KeptCommits())));
  Result<ConfinedDir> top = ConfinedDir::OpenTrusted(tmp.path);
  REQUIRE(top);
  ConfinedDir ok = Fresh(tmp.path / "ok");
  ConfinedDir refused = Fresh(tmp.path / "refused");
  {
    testing::FdLimit limit(64);
    Status written = store->Checkout(deepest, ok);
    REQUIRE_MESSAGE(written, (written ? "" : written.error().message));
    Result<TreeComparison> proof = store->Compare(deepest, ok);
    REQUIRE_MESSAGE(proof, (proof ? "" : proof.error().message));
    CHECK(proof->identical());
    CHECK(proof->directory_tree == *store->TreeOf(deepest));
    Status too_deep = store->Checkout(deeper, refused);
    REQUIRE_FALSE(too_deep);
    CHECK(too_deep.error().message.find("deeper than 1024 levels") != std::string::npos);
  }
  REQUIRE(top->Remove("ok"));
  REQUIRE(top->Remove("refused"));
}

TEST_CASE("deep trees: a planted tree 12,000 levels deep is drift, read with 64 descriptors, never a crash") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  repo.Write("README.md", "hello\n");
  std::string commit = repo.Commit("first");
  auto git = MakeLibgit2();
  auto store = OpenStore(tmp.path / "store");
  REQUIRE(Import(*store, *git->BuildPack(repo.dir(), commit, {})));
  ConfinedDir release = Fresh(tmp.path / "release");
  REQUIRE(store->Checkout(commit, release));
  REQUIRE(testing::MakeDeepTree(tmp.path / "release", 12'000, "x"));
  {
    testing::FdLimit limit(64);
    Result<TreeComparison> drift = store->Compare(commit, release);
    REQUIRE_MESSAGE(drift, (drift ? "" : drift.error().message));
    CHECK_FALSE(drift->identical());
    REQUIRE(drift->added.size() == 1);
    std::string expected;
    for (int i = 0; i < 1025; ++i) expected += "x/";
    CHECK(drift->added.front() == expected);
    CHECK(drift->modified.empty());
    CHECK(drift->removed.empty());
  }
  REQUIRE(release.Remove("x"));
  CHECK(store->Compare(commit, release)->identical());
}

// A commit whose tree is built by `git mktree` from `levels` wrappers
// around one file: each wrapper names the level below `fanout` times
// (under 250-char names when `long_names`). A few objects, and a tree of
// fanout^levels paths, or paths of levels * 251 bytes.
std::string WrappedCommit(GitRepo& repo, int levels, int fanout, bool long_names) {
  auto mktree = [&](const std::string& lines) {
    testing::WriteAll(repo.dir().parent_path() / "mktree.txt", lines);
    return repo.Git("mktree < ../mktree.txt");
  };
  std::string blob = repo.Git("hash-object -w --stdin < /dev/null");
  std::string tree = mktree("100644 blob " + blob + "\tf\n");
  for (int i = 0; i < levels; ++i) {
    std::string lines;
    for (int k = 0; k < fanout; ++k) {
      std::string name = std::string(1, static_cast<char>('a' + k)) + (long_names ? std::string(249, 'd') : "");
      lines += "040000 tree " + tree + "\t" + name + "\n";
    }
    tree = mktree(lines);
  }
  return repo.Git("-c user.name=T -c user.email=t@e commit-tree " + tree + " -m wrapped");
}

TEST_CASE("tree limits: a tree of a million paths from a few objects, and paths past PATH_MAX, are refused by plan and checkout") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  auto git = MakeLibgit2();
  auto store = OpenStore(tmp.path / "store");
  std::string bomb = WrappedCommit(repo, 20, 2, false);  // 2^20 files, 2^21 entries, 42 objects
  std::string long_paths = WrappedCommit(repo, 17, 1, true);  // one path of 17 * 250 bytes
  std::string fine = WrappedCommit(repo, 16, 1, true);
  Result<std::vector<std::string>> problems = git->Unreproducible(repo.dir(), bomb, false);
  REQUIRE(problems);
  REQUIRE(problems->size() == 1);
  CHECK(problems->front().find("the tree holds more than 1000000 entries") != std::string::npos);
  problems = git->Unreproducible(repo.dir(), long_paths, false);
  REQUIRE(problems);
  REQUIRE(problems->size() == 1);
  CHECK(problems->front().find("a path longer than 4096 bytes") != std::string::npos);
  CHECK(git->Unreproducible(repo.dir(), fine, false)->empty());

  for (const std::string& commit : {bomb, long_paths}) {
    REQUIRE(Import(*store, *git->BuildPack(repo.dir(), commit, *store->KeptCommits())));
    ConfinedDir dir = Fresh(tmp.path / ("out-" + commit));
    Status written = store->Checkout(commit, dir);
    REQUIRE_FALSE(written);
    CHECK(written.error().code == ErrorCode::kInvalidInput);
    std::filesystem::remove_all(tmp.path / ("out-" + commit));
  }
}

TEST_CASE("unreproducible: attributes that make a checkout differ from the blob are named, the others pass") {
  TempDir tmp;
  GitRepo repo(tmp.path / "app");
  auto git = MakeLibgit2();
  repo.Write("README", "plain\n");
  // Harmless: only diff, merge, archive read them, or a Linux checkout writes the blob's bytes.
  repo.Write(".gitattributes",
             "# comment ident\n*.txt text eol=lf\n*.bin binary -text\n*.c diff=cpp merge=union whitespace=trailing-space\n"
             "VERSION export-subst export-ignore\n*.h -ident !filter working-tree-encoding=UTF-8\n*.md filter=lfs\n");
  std::string harmless = repo.Commit("harmless");
  Result<std::vector<std::string>> problems = git->Unreproducible(repo.dir(), harmless, false);
  REQUIRE(problems);
  CHECK(problems->empty());

  repo.Write(".gitattributes", "[attr]keyword ident\n*.php keyword\n*.win eol=crlf\n");
  repo.Write("src/.gitattributes", "*.txt working-tree-encoding=UTF-16LE\n*.c ident\n");
  std::string changing = repo.Commit("changing");
  problems = git->Unreproducible(repo.dir(), changing, false);
  REQUIRE(problems);
  REQUIRE(problems->size() == 4);
  CHECK((*problems)[0].find(".gitattributes: declares keyword (a macro for one of these)") == 0);
  CHECK((*problems)[1].find(".gitattributes: declares eol=crlf (line ends become CRLF on checkout)") == 0);
  CHECK((*problems)[2].find("src/.gitattributes: declares working-tree-encoding=UTF-16LE (re-encoded from UTF-8 on checkout)") == 0);
  CHECK((*problems)[3].find("src/.gitattributes: declares ident ($Id$ is expanded on checkout)") == 0);
  CHECK((*problems)[3].find("a git checkout writes other bytes than the commit holds") != std::string::npos);
}

}  // namespace
}  // namespace daybook::repo
