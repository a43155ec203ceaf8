// Controller side: what of a commit a host cannot reproduce exactly from the
// commit's objects, found before anything is sent (docs/deploy.md, "What a
// commit may hold"). A host checks out the committed bytes with no filter,
// and proves the directory's tree id equals the commit's. So:
//   - a submodule names a commit of another repository, which is not
//     shipped: the pack would be incomplete ("packfile is missing 1
//     objects") and the tree could not be written;
//   - a Git LFS pointer file is committed instead of its content: the host
//     would get the pointer, not the file (unless the manifest says
//     `lfs = "pointers"`: then the pointer is what it wants);
//   - any other clean/smudge filter (git-crypt, ...) named in a
//     .gitattributes: the committed bytes are not what a clone shows;
//   - an empty tree (a crafted commit): a directory cannot hold it, so the
//     identity proof would fail on every host;
//   - a name no directory can hold ("", ".", "..", with '/').
#include <sstream>

#include "core/repo/git.h"
#include "core/repo/libgit2_util.h"

namespace daybook::repo {

using namespace internal;

namespace {

constexpr size_t kMaxPerKind = 10;  // listed per kind of problem; the count says the rest
constexpr std::string_view kLfsPointer = "version https://git-lfs.github.com/spec/v1\n";

struct Findings {
  bool lfs_pointers_ok = false;
  std::vector<std::string> submodules, lfs, filters, empty, names;
};

void Add(std::vector<std::string>& list, const std::string& item) { list.push_back(item); }

// Filters named in one .gitattributes (other than lfs, which has its own rule).
void CheckAttributes(const std::string& path, std::string_view text, Findings& f) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    size_t at = line.find("filter=");
    if (at == std::string::npos || (at > 0 && line[at - 1] != ' ' && line[at - 1] != '\t')) continue;
    std::string filter = line.substr(at + 7);
    filter = filter.substr(0, filter.find_first_of(" \t\r"));
    if (filter != "lfs") Add(f.filters, path + ": declares filter=" + filter);
  }
}

Status Walk(git_repository* repo, git_tree* tree, const std::string& prefix, Findings& f) {
  if (git_tree_entrycount(tree) == 0 && !prefix.empty()) Add(f.empty, prefix);
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(entry);
    std::string path = prefix + name;
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) Add(f.names, path);
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_COMMIT) {
      Add(f.submodules, path);
    } else if (mode == GIT_FILEMODE_TREE) {
      TreePtr sub;
      if (git_tree_lookup(&sub.ptr, repo, git_tree_entry_id(entry)) != 0) return GitError(ErrorCode::kIo, "read " + path);
      if (Status s = Walk(repo, sub.ptr, path + "/", f); !s) return s;
    } else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
      Owned<git_blob, git_blob_free> blob;
      if (git_blob_lookup(&blob.ptr, repo, git_tree_entry_id(entry)) != 0) return GitError(ErrorCode::kIo, "read " + path);
      std::string_view data(static_cast<const char*>(git_blob_rawcontent(blob.ptr)),
                            static_cast<size_t>(git_blob_rawsize(blob.ptr)));
      if (name == ".gitattributes") CheckAttributes(path, data, f);
      if (!f.lfs_pointers_ok && data.size() < 1024 && data.substr(0, kLfsPointer.size()) == kLfsPointer) Add(f.lfs, path);
    }
  }
  return OkStatus();
}

void Report(const std::vector<std::string>& items, const std::string& reason, std::vector<std::string>& out) {
  for (size_t i = 0; i < items.size() && i < kMaxPerKind; ++i) out.push_back(items[i] + ": " + reason);
  if (items.size() > kMaxPerKind) out.push_back("... and " + std::to_string(items.size() - kMaxPerKind) + " more: " + reason);
}

}  // namespace

Result<std::vector<std::string>> UnreproducibleIn(const std::filesystem::path& path, const std::string& commit,
                                                  bool lfs_pointers) {
  Result<RepoPtr> repo = OpenRepository(path);
  if (!repo) return repo.error();
  Result<TreePtr> tree = CommitTree(repo->ptr, commit);
  if (!tree) return tree.error();
  Findings f;
  f.lfs_pointers_ok = lfs_pointers;
  if (Status s = Walk(repo->ptr, tree->ptr, "", f); !s) return s.error();
  std::vector<std::string> out;
  Report(f.submodules, "a submodule (its files live in another repository, which is not shipped; vendor them or deploy "
                       "that repository as its own [[deploy]])", out);
  Report(f.lfs, "a Git LFS pointer file (the content is in LFS storage, not in the commit; set lfs = \"pointers\" "
                "in the [[deploy]] if the pointer file is what the hosts should get)", out);
  Report(f.filters, "the files it covers are stored filtered (the host would get the committed bytes, not what a "
                    "checkout shows)", out);
  Report(f.empty, "an empty directory (git cannot hold one; the identity proof would fail on every host)", out);
  Report(f.names, "a name no directory can hold", out);
  return out;
}

}  // namespace daybook::repo
