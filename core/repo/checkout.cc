// Writes a commit's tree into an empty directory the caller holds, through
// ConfinedDir: every file created exclusively (O_EXCL, O_NOFOLLOW), every
// directory made fresh, links created as links. No filters: the bytes
// committed, so the tree id recomputed from the directory can match.
// libgit2's own checkout works on path strings, which a user who can write
// above the release could redirect with a link between two calls.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/base/confined_dir.h"
#include "core/base/strings.h"
#include "core/repo/libgit2_util.h"

namespace daybook::repo::internal {
namespace {

Status WriteAll(int fd, const char* data, size_t size, const std::string& where) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, "cannot write " + where + ": " + std::strerror(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
  return OkStatus();
}

Status WriteBlob(git_repository* repo, const git_tree_entry* entry, const ConfinedDir& dir, const std::string& name,
                 const std::string& path) {
  Owned<git_blob, git_blob_free> blob;
  if (git_blob_lookup(&blob.ptr, repo, git_tree_entry_id(entry)) != 0) return GitError(ErrorCode::kIo, "read " + path);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.ptr));
  size_t size = static_cast<size_t>(git_blob_rawsize(blob.ptr));
  if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) return dir.Symlink(std::string(data, size), name);
  unsigned mode = git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
  Result<UniqueFd> file = dir.CreateFile(name, mode);
  if (!file) return file.error();
  return WriteAll(file->get(), data, size, dir.Describe(name));
}

}  // namespace

// Depth first through WalkTree (no recursion), holding one descriptor below
// `top` whatever the depth: the directory the walk is in. When the walk
// leaves a subtree, it goes back up through "..", checked to be the
// directory it came down from.
Status CheckoutTree(git_repository* repo, git_tree* tree, const ConfinedDir& top) {
  std::vector<struct stat> above;    // the directories above the current one
  std::optional<ConfinedDir> below;  // the current one, when not `top`
  std::string at;                    // its path in the tree: "" or "a/b/"
  auto visit = [&](const std::string& path, const git_tree_entry* entry, git_tree* subtree) -> Status {
    std::string name = git_tree_entry_name(entry);
    if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "the tree holds a bad name: " + Quoted(path));
    std::string parent = path.substr(0, path.size() - name.size());
    while (at != parent) {  // the walk left a subtree: up one level
      size_t slash = at.size() < 2 ? std::string::npos : at.rfind('/', at.size() - 2);
      at.erase(slash == std::string::npos ? 0 : slash + 1);
      if (above.size() == 1) {
        below.reset();
      } else {
        Result<ConfinedDir> up = below->Parent(above.back());
        if (!up) return up.error();
        below = std::move(*up);
      }
      above.pop_back();
    }
    const ConfinedDir& dir = below ? *below : top;
    switch (git_tree_entry_filemode(entry)) {
      case GIT_FILEMODE_TREE: {
        Result<struct stat> self = dir.StatSelf();
        if (!self) return self.error();
        Result<ConfinedDir> sub_dir = dir.MakeFresh(name, 0755);
        if (!sub_dir) return sub_dir.error();
        (void)subtree;  // its entries come next
        above.push_back(*self);
        below = std::move(*sub_dir);
        at = path + "/";
        return OkStatus();
      }
      case GIT_FILEMODE_BLOB:
      case GIT_FILEMODE_BLOB_EXECUTABLE:
      case GIT_FILEMODE_LINK:
        return WriteBlob(repo, entry, dir, name, path);
      case GIT_FILEMODE_COMMIT:
        return MakeError(ErrorCode::kInvalidInput, "submodule " + path + " cannot be deployed (its files are in another repository)");
      default:
        return MakeError(ErrorCode::kInvalidInput, "the tree holds an entry of unknown mode at " + path);
    }
  };
  // The tree is walked once without writing: one past the limits is
  // refused before a single file lands (a tree of a million paths would
  // otherwise fill the disk before the count stops it).
  auto count = [](const std::string&, const git_tree_entry*, git_tree*) { return OkStatus(); };
  if (Status s = WalkTree(repo, tree, count); !s) return s;
  return WalkTree(repo, tree, visit);
}

}  // namespace daybook::repo::internal
