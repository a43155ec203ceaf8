// Recomputes the git tree id of a directory with no repository, the way
// notes/deps-debian12.md §3 (c) describes: blob ids of files (symlinks hash
// their target), modes 100644 / 100755 / 120000 / 40000, entries sorted
// bytewise with directory names compared as "name/".
//
// Every entry counts, `.git` directories at any depth included: a file
// planted where git would not look is drift like any other. What git cannot
// hold is listed too, so that it shows as drift, but left out of the tree
// id: an empty directory ("dir/", "40000 empty") and a socket, fifo or
// device ("000000 special"). The walk goes through ConfinedDir: a link is
// hashed as a link and never followed.
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

#include "core/base/confined_dir.h"
#include "core/repo/libgit2_util.h"
#include "core/repo/object_store.h"

namespace daybook::repo {
namespace {

using namespace internal;

struct Entry {
  std::string name;
  const char* mode;
  git_oid oid;
  bool is_dir;
  std::string SortKey() const { return is_dir ? name + "/" : name; }
};

// The blob id of the regular file `name` of `dir`, streamed through SHA-1
// ("blob <size>\0" then the bytes) so a large file is never held in memory.
Result<git_oid> HashFile(const ConfinedDir& dir, const std::string& name, off_t size) {
  Result<UniqueFd> file = dir.OpenFile(name);
  if (!file) return file.error();
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), header.data(), header.size()) == 1;
  char buf[1 << 16];
  while (ok) {
    ssize_t n = ::read(file->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, "cannot read " + dir.Describe(name));
    if (n == 0) break;
    ok = EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(n)) == 1;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ok || EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length != GIT_OID_RAWSZ) {
    return MakeError(ErrorCode::kInternal, "sha1 of " + dir.Describe(name) + " failed");
  }
  git_oid oid;
  git_oid_fromraw(&oid, digest);
  return oid;
}

using FileList = std::vector<std::pair<std::string, std::string>>;

// The tree id of `dir`, or nullopt when it holds no file at any depth.
Result<std::optional<git_oid>> HashTree(const ConfinedDir& dir, const std::string& prefix, FileList& files) {
  Result<std::vector<std::string>> names = dir.List();
  if (!names) return names.error();
  std::vector<Entry> entries;
  for (const std::string& name : *names) {
    Result<std::optional<struct stat>> st = dir.Stat(name);
    if (!st) return st.error();
    if (!*st) continue;  // gone since the listing
    Entry entry{name, "", {}, false};
    mode_t mode = (*st)->st_mode;
    if (S_ISDIR(mode)) {
      Result<ConfinedDir> sub_dir = dir.Open(name);
      if (!sub_dir) return sub_dir.error();
      Result<std::optional<git_oid>> sub = HashTree(*sub_dir, prefix + name + "/", files);
      if (!sub) return sub.error();
      if (!*sub) {
        files.emplace_back(prefix + name + "/", "40000 empty");
        continue;
      }
      entry = {name, "40000", **sub, true};
    } else if (S_ISLNK(mode)) {
      Result<std::string> target = dir.ReadLink(name);
      if (!target) return target.error();
      if (git_odb_hash(&entry.oid, target->data(), target->size(), GIT_OBJECT_BLOB) != 0) {
        return GitError(ErrorCode::kIo, "hash " + dir.Describe(name));
      }
      entry.mode = "120000";
    } else if (S_ISREG(mode)) {
      Result<git_oid> oid = HashFile(dir, name, (*st)->st_size);
      if (!oid) return oid.error();
      entry.oid = *oid;
      entry.mode = (mode & S_IXUSR) != 0 ? "100755" : "100644";
    } else {
      files.emplace_back(prefix + name, "000000 special");
      continue;
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

Result<DirectoryHash> HashDirectory(const ConfinedDir& dir) {
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
