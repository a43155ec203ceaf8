// Recomputes the git tree id of a directory with no repository, the way
// notes/deps-debian12.md §3 (c) describes: blob ids of files (symlinks hash
// their target), modes 100644 / 100755 / 120000 / 40000, entries sorted
// bytewise with directory names compared as "name/", `.git` and empty
// directories skipped.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "core/repo/libgit2_util.h"
#include "core/repo/object_store.h"

namespace daybook::repo {
namespace {

namespace fs = std::filesystem;
using namespace internal;

struct Entry {
  std::string name;
  const char* mode;
  git_oid oid;
  bool is_dir;
  std::string SortKey() const { return is_dir ? name + "/" : name; }
};

// The tree id of `dir`, or nullopt when it holds no file at any depth.
Result<std::optional<git_oid>> HashTree(const fs::path& dir, const std::string& prefix,
                                        std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot list " + dir.string() + ": " + ec.message());
  std::vector<Entry> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return MakeError(ErrorCode::kIo, "cannot list " + dir.string() + ": " + ec.message());
    const fs::path& path = it->path();
    std::string name = path.filename().string();
    if (name == ".git") continue;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return MakeError(ErrorCode::kIo, "cannot stat " + path.string());
    Entry entry{name, "", {}, false};
    if (S_ISDIR(st.st_mode)) {
      Result<std::optional<git_oid>> sub = HashTree(path, prefix + name + "/", files);
      if (!sub) return sub.error();
      if (!*sub) continue;
      entry = {name, "40000", **sub, true};
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
      if (n < 0) return MakeError(ErrorCode::kIo, "cannot read link " + path.string());
      target.resize(static_cast<size_t>(n));
      if (git_odb_hash(&entry.oid, target.data(), target.size(), GIT_OBJECT_BLOB) != 0) {
        return GitError(ErrorCode::kIo, "hash " + path.string());
      }
      entry.mode = "120000";
    } else if (S_ISREG(st.st_mode)) {
      if (git_odb_hashfile(&entry.oid, path.c_str(), GIT_OBJECT_BLOB) != 0) {
        return GitError(ErrorCode::kIo, "hash " + path.string());
      }
      entry.mode = (st.st_mode & S_IXUSR) != 0 ? "100755" : "100644";
    } else {
      continue;  // sockets, fifos, devices: git cannot hold them either
    }
    if (!entry.is_dir) files.emplace_back(prefix + name, std::string(entry.mode) + " " + Hex(entry.oid));
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) return std::optional<git_oid>();
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.SortKey() < b.SortKey(); });
  std::string raw;
  for (const Entry& e : entries) {
    raw += e.mode;
    raw += ' ';
    raw += e.name;
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(e.oid.id), GIT_OID_RAWSZ);
  }
  git_oid tree;
  if (git_odb_hash(&tree, raw.data(), raw.size(), GIT_OBJECT_TREE) != 0) return GitError(ErrorCode::kIo, "hash tree");
  return std::optional<git_oid>(tree);
}

}  // namespace

Result<DirectoryHash> HashDirectory(const fs::path& dir) {
  internal::HoldLibgit2();
  git_libgit2_init();
  DirectoryHash hash;
  Result<std::optional<git_oid>> tree = HashTree(dir, "", hash.files);
  git_libgit2_shutdown();
  if (!tree) return tree.error();
  // An empty directory is the empty tree, as an empty commit has.
  hash.tree = *tree ? Hex(**tree) : "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  std::sort(hash.files.begin(), hash.files.end());
  return hash;
}

}  // namespace daybook::repo
