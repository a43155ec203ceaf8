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
//   - attributes that make a checkout write other bytes than the blob,
//     named in a .gitattributes (directly or through an [attr] macro):
//     another clean/smudge filter (git-crypt, ...), ident, a
//     working-tree-encoding other than UTF-8, eol=crlf;
//   - a tree past the limits of libgit2_util.h (depth, entries, path
//     lengths): a host would refuse to check it out;
//   - an empty tree (a crafted commit): a directory cannot hold it, so the
//     identity proof would fail on every host;
//   - a name no directory can hold ("", ".", "..", with '/').
#include <cctype>
#include <optional>
#include <set>
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
  std::vector<std::string> submodules, lfs, attributes, empty, names;
  std::set<std::string> macros;  // [attr] macros that name one of the attributes above
};

void Add(std::vector<std::string>& list, const std::string& item) { list.push_back(item); }

// Why a git checkout writes, for the files `token` (one attribute of a
// .gitattributes line) covers, other bytes than the blob holds; nullopt
// when it writes the blob's bytes. Tokens are "name" (set), "-name",
// "!name" (unset, unspecified: harmless) and "name=value".
bool IsUtf8Name(std::string value) {
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "utf-8" || value == "utf8";
}

std::optional<std::string> ChangesBytes(const std::string& token, const std::set<std::string>& macros) {
  if (token.empty() || token[0] == '-' || token[0] == '!') return std::nullopt;
  size_t eq = token.find('=');
  std::string name = token.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : token.substr(eq + 1);
  bool set = eq == std::string::npos;
  // lfs has its own rule (pointer files, lfs = "pointers").
  if (name == "filter" && !set && value != "lfs") return "filter=" + value + " (a clean/smudge filter)";
  if (name == "ident" && set) return "ident ($Id$ is expanded on checkout)";
  if (name == "working-tree-encoding" && !set && !IsUtf8Name(value)) {
    return "working-tree-encoding=" + value + " (re-encoded from UTF-8 on checkout)";
  }
  if (name == "eol" && value == "crlf") return "eol=crlf (line ends become CRLF on checkout)";
  if (set && macros.count(name) != 0) return name + " (a macro for one of these)";
  return std::nullopt;
}

// Attributes named in one .gitattributes that make a checkout differ from
// the committed bytes. Macros ("[attr]name ident") are followed: git reads
// them from the top-level file only, which comes first in the walk. The
// others (text, -text, eol=lf, diff, merge, export-*) change no byte a
// Linux checkout writes, or only git diff, merge and archive.
void CheckAttributes(const std::string& path, std::string_view text, Findings& f) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string pattern, token;
    if (!(words >> pattern) || pattern[0] == '#') continue;
    std::string macro = pattern.rfind("[attr]", 0) == 0 ? pattern.substr(6) : "";
    while (words >> token) {
      std::optional<std::string> why = ChangesBytes(token, f.macros);
      if (!why) continue;
      if (!macro.empty()) {
        f.macros.insert(macro);
      } else {
        Add(f.attributes, path + ": declares " + *why);
      }
    }
  }
}

Status Walk(git_repository* repo, git_tree* tree, Findings& f) {
  return WalkTree(repo, tree, [&](const std::string& path, const git_tree_entry* entry, git_tree* subtree) -> Status {
    std::string name = git_tree_entry_name(entry);
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) Add(f.names, path);
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (subtree != nullptr) {
      if (git_tree_entrycount(subtree) == 0) Add(f.empty, path + "/");
    } else if (mode == GIT_FILEMODE_COMMIT) {
      Add(f.submodules, path);
    } else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
      Owned<git_blob, git_blob_free> blob;
      if (git_blob_lookup(&blob.ptr, repo, git_tree_entry_id(entry)) != 0) return GitError(ErrorCode::kIo, "read " + path);
      std::string_view data(static_cast<const char*>(git_blob_rawcontent(blob.ptr)),
                            static_cast<size_t>(git_blob_rawsize(blob.ptr)));
      if (name == ".gitattributes") CheckAttributes(path, data, f);
      if (!f.lfs_pointers_ok && data.size() < 1024 && data.substr(0, kLfsPointer.size()) == kLfsPointer) Add(f.lfs, path);
    }
    return OkStatus();
  });
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
  std::vector<std::string> out;
  // WalkTree's kInvalidInput is a tree past its limits: a finding like the others.
  if (Status s = Walk(repo->ptr, tree->ptr, f); !s) {
    if (s.error().code != ErrorCode::kInvalidInput) return s.error();
    out.push_back(s.error().message + " (a host refuses to check out such a tree)");
  }
  Report(f.submodules, "a submodule (its files live in another repository, which is not shipped; vendor them or deploy "
                       "that repository as its own [[deploy]])", out);
  Report(f.lfs, "a Git LFS pointer file (the content is in LFS storage, not in the commit; set lfs = \"pointers\" "
                "in the [[deploy]] if the pointer file is what the hosts should get)", out);
  Report(f.attributes, "a git checkout writes other bytes than the commit holds for the files it covers; a host "
                       "gets the committed bytes, so it would differ from every checkout", out);
  Report(f.empty, "an empty directory (git cannot hold one; the identity proof would fail on every host)", out);
  Report(f.names, "a name no directory can hold", out);
  return out;
}

}  // namespace daybook::repo
