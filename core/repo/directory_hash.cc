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
// hashed as a link and never followed. The walk holds one descriptor and
// no recursion at any depth; past kMaxTreeDepth levels what is deeper is
// drift.
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

// One directory of the walk: where it is, what is left to read in it, and
// the entries of its tree so far.
struct Frame {
  std::string prefix;  // "a/b/" ("" at the top)
  std::string name;    // in its parent
  struct stat self;    // to come back up to it from a subdirectory
  std::vector<std::string> names;
  size_t next = 0;
  std::vector<Entry> entries;
};

Result<Frame> Enter(const ConfinedDir& dir, std::string prefix, std::string name) {
  Result<struct stat> self = dir.StatSelf();
  if (!self) return self.error();
  Result<std::vector<std::string>> names = dir.List();
  if (!names) return names.error();
  return Frame{std::move(prefix), std::move(name), *self, std::move(*names), 0, {}};
}

// The tree id of a frame's entries; nullopt when it holds no file at any depth.
Result<std::optional<git_oid>> TreeId(std::vector<Entry>& entries) {
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

// A link, a file or a special file `name` of `dir`: its entry (nullopt for
// what git cannot hold), and its line in `files`.
Result<std::optional<Entry>> HashLeaf(const ConfinedDir& dir, const std::string& name, const struct stat& st,
                                      const std::string& path, FileList& files) {
  Entry entry{name, "", {}, false};
  if (S_ISLNK(st.st_mode)) {
    Result<std::string> target = dir.ReadLink(name);
    if (!target) return target.error();
    if (git_odb_hash(&entry.oid, target->data(), target->size(), GIT_OBJECT_BLOB) != 0) {
      return GitError(ErrorCode::kIo, "hash " + dir.Describe(name));
    }
    entry.mode = "120000";
  } else if (S_ISREG(st.st_mode)) {
    Result<git_oid> oid = HashFile(dir, name, st.st_size);
    if (!oid) return oid.error();
    entry.oid = *oid;
    entry.mode = (st.st_mode & S_IXUSR) != 0 ? "100755" : "100644";
  } else {
    files.emplace_back(path, "000000 special");
    return std::optional<Entry>();
  }
  files.emplace_back(path, std::string(entry.mode) + " " + Hex(entry.oid));
  return std::optional<Entry>(std::move(entry));
}

// The tree id of `top`, or nullopt when it holds no file at any depth.
// Depth first without recursion, one descriptor held below `top` whatever
// the depth (a planted tree 12,000 levels deep exhausts neither the stack
// nor the descriptors); back up through "..", checked to be the directory
// it came from. A directory deeper than kMaxTreeDepth is not entered: it
// is listed as drift ("a/.../z/", "deeper than N levels"), never hidden.
Result<std::optional<git_oid>> HashTree(const ConfinedDir& top, FileList& files) {
  std::vector<Frame> frames;
  std::optional<ConfinedDir> below;  // the directory of frames.back() when not `top`
  Result<Frame> first = Enter(top, "", "");
  if (!first) return first.error();
  frames.push_back(std::move(*first));
  while (true) {
    const ConfinedDir& dir = below ? *below : top;
    Frame& frame = frames.back();
    if (frame.next < frame.names.size()) {
      std::string name = frame.names[frame.next++];
      std::string path = frame.prefix + name;
      Result<std::optional<struct stat>> st = dir.Stat(name);
      if (!st) return st.error();
      if (!*st) continue;  // gone since the listing
      if (!S_ISDIR((*st)->st_mode)) {
        Result<std::optional<Entry>> leaf = HashLeaf(dir, name, **st, path, files);
        if (!leaf) return leaf.error();
        if (*leaf) frame.entries.push_back(std::move(**leaf));
        continue;
      }
      if (frames.size() > static_cast<size_t>(kMaxTreeDepth)) {
        files.emplace_back(path + "/", "deeper than " + std::to_string(kMaxTreeDepth) + " levels");
        // Counted as a (null) tree, so the directories above it are not
        // "empty" as well: one line of drift, and a tree id no commit has.
        frame.entries.push_back({name, "40000", {}, true});
        continue;
      }
      Result<ConfinedDir> sub = dir.Open(name);
      if (!sub) return sub.error();
      Result<Frame> entered = Enter(*sub, path + "/", name);
      if (!entered) return entered.error();
      frames.push_back(std::move(*entered));
      below = std::move(*sub);
      continue;
    }
    Result<std::optional<git_oid>> tree = TreeId(frame.entries);
    if (!tree) return tree.error();
    Frame done = std::move(frames.back());
    frames.pop_back();
    if (frames.empty()) return tree;
    if (frames.size() == 1) {
      below.reset();
    } else {
      Result<ConfinedDir> up = below->Parent(frames.back().self);
      if (!up) return up.error();
      below = std::move(*up);
    }
    if (*tree) {
      frames.back().entries.push_back({done.name, "40000", **tree, true});
    } else {
      files.emplace_back(done.prefix, "40000 empty");
    }
  }
}

}  // namespace

Result<DirectoryHash> HashDirectory(const ConfinedDir& dir) {
  internal::HoldLibgit2();
  git_libgit2_init();
  DirectoryHash hash;
  Result<std::optional<git_oid>> tree = HashTree(dir, hash.files);
  git_libgit2_shutdown();
  if (!tree) return tree.error();
  // An empty directory is the empty tree, as an empty commit has.
  hash.tree = *tree ? Hex(**tree) : "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  std::sort(hash.files.begin(), hash.files.end());
  return hash;
}

}  // namespace daybook::repo
