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
#include "core/base/ownership.h"
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

// The blob id of the regular file `name` of `dir`, `size` bytes as lstat
// said, streamed through SHA-1 ("blob <size>\0" then the bytes) so a large
// file is never held in memory. Only `size` bytes are read: a file that
// grows meanwhile (or was sparse and lied) costs no more, and one whose
// size changed while it was read gets no id (nullopt: drift).
Result<std::optional<git_oid>> HashFile(const ConfinedDir& dir, const std::string& name, off_t size) {
  Result<UniqueFd> file = dir.OpenFile(name);
  if (!file) return file.error();
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), header.data(), header.size()) == 1;
  char buf[1 << 16];
  off_t left = size;
  while (ok && left > 0) {
    ssize_t n = ::read(file->get(), buf, static_cast<size_t>(std::min<off_t>(left, sizeof buf)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, "cannot read " + dir.Describe(name));
    if (n == 0) break;
    left -= n;
    ok = EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(n)) == 1;
  }
  struct stat after {};
  if (left != 0 || ::fstat(file->get(), &after) != 0 || after.st_size != size) return std::optional<git_oid>();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ok || EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length != GIT_OID_RAWSZ) {
    return MakeError(ErrorCode::kInternal, "sha1 of " + dir.Describe(name) + " failed");
  }
  git_oid oid;
  git_oid_fromraw(&oid, digest);
  return std::optional<git_oid>(oid);
}

// What a walk may still spend: entries seen and bytes of their paths.
// With the commit's expected files it is twice what the commit holds plus
// a margin (a directory of the commit may be replaced by anything of the
// same size; a chain 1024 deep of one-letter names is 1 MiB of paths),
// never more than a deployable tree may hold. What the walk keeps is the
// listing of what it saw: bounded by the same figures.
struct WalkBudget {
  size_t entries;
  uint64_t path_bytes;
  static WalkBudget For(const ExpectedTree* expected) {
    if (expected == nullptr) return {kMaxTreeEntries, kMaxTreePathBytes};
    uint64_t bytes = 0;
    for (const auto& [path, file] : *expected) bytes += path.size();
    return {std::min(kMaxTreeEntries, 2 * expected->size() + 10'000),
            std::min<uint64_t>(kMaxTreePathBytes, 2 * bytes + (32ull << 20))};
  }
  // Spends one entry of `path`; false when the budget is gone.
  bool Spend(const std::string& path) {
    if (entries == 0 || path_bytes < path.size()) return false;
    --entries;
    path_bytes -= path.size();
    return true;
  }
};

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

// `max` names at most: a directory that holds more than the walk may
// still see is read no further (the caller checks the count).
Result<Frame> Enter(const ConfinedDir& dir, std::string prefix, std::string name, size_t max) {
  Result<struct stat> self = dir.StatSelf();
  if (!self) return self.error();
  Result<std::vector<std::string>> names = dir.List(max);
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

// What a walk gathers.
struct Walk {
  const ExpectedTree* expected;
  WalkBudget budget;
  DirectoryHash& out;
  bool unread = false;  // a file was not read: no tree id
  void NoteWritable(const std::string& path, const struct stat& st) {
    if (out.writable.size() < kMaxListedWritable && WritableByOthers(st, Sticky::kRefused)) out.writable.push_back(path);
  }
};

// Whether the regular file `path` of `size` bytes is worth reading: the
// commit expects a file there of that size.
bool WorthReading(const Walk& walk, const std::string& path, off_t size) {
  if (walk.expected == nullptr) return true;
  auto it = walk.expected->find(path);
  return it != walk.expected->end() && it->second.line.rfind("100", 0) == 0 && it->second.size == static_cast<uint64_t>(size);
}

// A link, a file or a special file `name` of `dir`: its entry (nullopt for
// what git cannot hold), and its line in the listing.
Result<std::optional<Entry>> HashLeaf(const ConfinedDir& dir, const std::string& name, const struct stat& st,
                                      const std::string& path, Walk& walk) {
  FileList& files = walk.out.files;
  Entry entry{name, "", {}, false};
  if (S_ISLNK(st.st_mode)) {
    // A link's target is at most PATH_MAX bytes: always worth reading.
    Result<std::string> target = dir.ReadLink(name);
    if (!target) return target.error();
    if (git_odb_hash(&entry.oid, target->data(), target->size(), GIT_OBJECT_BLOB) != 0) {
      return GitError(ErrorCode::kIo, "hash " + dir.Describe(name));
    }
    entry.mode = "120000";
  } else if (S_ISREG(st.st_mode)) {
    walk.NoteWritable(path, st);
    entry.mode = (st.st_mode & S_IXUSR) != 0 ? "100755" : "100644";
    std::optional<git_oid> oid;
    if (WorthReading(walk, path, st.st_size)) {
      Result<std::optional<git_oid>> hashed = HashFile(dir, name, st.st_size);
      if (!hashed) return hashed.error();
      oid = *hashed;
    }
    if (!oid) {
      walk.unread = true;
      files.emplace_back(path, std::string(entry.mode) + " unread, " + std::to_string(st.st_size) + " bytes");
      return std::optional<Entry>(std::move(entry));
    }
    entry.oid = *oid;
  } else {
    files.emplace_back(path, "000000 special");
    return std::optional<Entry>();
  }
  files.emplace_back(path, std::string(entry.mode) + " " + Hex(entry.oid));
  return std::optional<Entry>(std::move(entry));
}

// Why the directory `path` is not entered: too deep, or its entries'
// paths would be too long; nullopt to enter it.
std::optional<std::string> NotEntered(size_t depth, const std::string& path) {
  if (depth > static_cast<size_t>(kMaxTreeDepth)) return "deeper than " + std::to_string(kMaxTreeDepth) + " levels";
  if (path.size() + 2 > kMaxPathBytes) return "paths below are longer than " + std::to_string(kMaxPathBytes) + " bytes";
  return std::nullopt;
}

// The tree id of `top`, or nullopt when it holds no file at any depth.
// Depth first without recursion, one descriptor held below `top` whatever
// the depth (a planted tree 12,000 levels deep exhausts neither the stack
// nor the descriptors); back up through "..", checked to be the directory
// it came from. A directory deeper than kMaxTreeDepth, or whose entries'
// paths would be longer than kMaxPathBytes, is not entered: it is listed
// as drift ("a/.../z/", why), never hidden. Past the budget the walk
// stops and says where.
Result<std::optional<git_oid>> HashTree(const ConfinedDir& top, Walk& walk) {
  FileList& files = walk.out.files;
  std::vector<Frame> frames;
  std::optional<ConfinedDir> below;  // the directory of frames.back() when not `top`
  // A directory with more entries than the walk may still see stops it
  // there (List's kFailed), like the budget itself.
  auto stop_at = [&](const std::string& path, const Error& e) -> Result<std::optional<git_oid>> {
    if (e.code != ErrorCode::kFailed) return e;
    walk.out.stopped = "the walk stopped at " + path.substr(0, 200) + ": it holds more entries than its commit";
    return std::optional<git_oid>();
  };
  // Names listed and not yet walked, in every frame: they are held in
  // memory, and each will cost the budget an entry, so a listing may hold
  // no more than the budget has left beyond them (a chain of directories
  // of 4,000 names each would otherwise hold them all at once).
  size_t held = 0;
  auto room = [&] { return walk.budget.entries > held ? walk.budget.entries - held : 0; };
  Result<Frame> first = Enter(top, "", "", room());
  if (!first) return stop_at("./", first.error());
  held += first->names.size();
  frames.push_back(std::move(*first));
  while (true) {
    const ConfinedDir& dir = below ? *below : top;
    Frame& frame = frames.back();
    if (frame.next < frame.names.size()) {
      std::string name = std::move(frame.names[frame.next++]);
      --held;
      std::string path = frame.prefix + name;
      if (!walk.budget.Spend(path)) {
        walk.out.stopped = "the walk stopped at " + path.substr(0, 200) +
                           ": the directory holds far more entries or longer paths than its commit";
        return std::optional<git_oid>();
      }
      Result<std::optional<struct stat>> st = dir.Stat(name);
      if (!st) return st.error();
      if (!*st) continue;  // gone since the listing
      if (!S_ISDIR((*st)->st_mode)) {
        Result<std::optional<Entry>> leaf = HashLeaf(dir, name, **st, path, walk);
        if (!leaf) return leaf.error();
        if (*leaf) frame.entries.push_back(std::move(**leaf));
        continue;
      }
      walk.NoteWritable(path + "/", **st);
      if (std::optional<std::string> why = NotEntered(frames.size(), path)) {
        files.emplace_back(path + "/", *why);
        // Counted as a (null) tree, so the directories above it are not
        // "empty" as well: one line of drift, and a tree id no commit has.
        frame.entries.push_back({name, "40000", {}, true});
        continue;
      }
      Result<ConfinedDir> sub = dir.Open(name);
      if (!sub) return sub.error();
      Result<Frame> entered = Enter(*sub, path + "/", name, room());
      if (!entered) return stop_at(path + "/", entered.error());
      held += entered->names.size();
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

Result<DirectoryHash> HashDirectory(const ConfinedDir& dir, const ExpectedTree* expected) {
  internal::HoldLibgit2();
  git_libgit2_init();
  DirectoryHash hash;
  Walk walk{expected, WalkBudget::For(expected), hash};
  if (Result<struct stat> self = dir.StatSelf(); self) walk.NoteWritable("./", *self);
  Result<std::optional<git_oid>> tree = HashTree(dir, walk);
  git_libgit2_shutdown();
  if (!tree) return tree.error();
  if (walk.unread || !hash.stopped.empty()) {
    hash.tree.clear();
  } else {
    // An empty directory is the empty tree, as an empty commit has.
    hash.tree = *tree ? Hex(**tree) : "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  }
  std::sort(hash.files.begin(), hash.files.end());
  return hash;
}

}  // namespace daybook::repo
