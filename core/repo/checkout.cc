// Writes a commit's tree into an empty directory the caller holds, through
// ConfinedDir: every file created exclusively (O_EXCL, O_NOFOLLOW), every
// directory made fresh, links created as links. No filters: the bytes
// committed, so the tree id recomputed from the directory can match.
// libgit2's own checkout works on path strings, which a user who can write
// above the release could redirect with a link between two calls.
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

Status CheckoutTree(git_repository* repo, git_tree* tree, const ConfinedDir& dir, const std::string& prefix) {
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(entry);
    std::string path = prefix + name;
    if (!IsPlainName(name)) return MakeError(ErrorCode::kInvalidInput, "the tree holds a bad name: " + Quoted(path));
    switch (git_tree_entry_filemode(entry)) {
      case GIT_FILEMODE_TREE: {
        TreePtr sub;
        if (git_tree_lookup(&sub.ptr, repo, git_tree_entry_id(entry)) != 0) return GitError(ErrorCode::kIo, "read " + path);
        Result<ConfinedDir> sub_dir = dir.MakeFresh(name, 0755);
        if (!sub_dir) return sub_dir.error();
        if (Status s = CheckoutTree(repo, sub.ptr, *sub_dir, path + "/"); !s) return s;
        break;
      }
      case GIT_FILEMODE_BLOB:
      case GIT_FILEMODE_BLOB_EXECUTABLE:
      case GIT_FILEMODE_LINK:
        if (Status s = WriteBlob(repo, entry, dir, name, path); !s) return s;
        break;
      case GIT_FILEMODE_COMMIT:
        return MakeError(ErrorCode::kInvalidInput, "submodule " + path + " cannot be deployed (its files are in another repository)");
      default:
        return MakeError(ErrorCode::kInvalidInput, "the tree holds an entry of unknown mode at " + path);
    }
  }
  return OkStatus();
}

}  // namespace daybook::repo::internal
