#include "controller/manifest_source.h"

#include "core/base/strings.h"

namespace daybook::controller {
namespace {

namespace fs = std::filesystem;

// A repository the controller reads directly: a path (relative to the fleet
// root) or a file:// URL. Remote URLs would need a fetch first.
Result<fs::path> LocalRepository(const fs::path& root, const std::string& repo) {
  std::string path = repo;
  if (StartsWith(path, "file://")) path = path.substr(7);
  bool scp_like = path.find(':') != std::string::npos && path.find('/') > path.find(':');
  if (path.find("://") != std::string::npos || scp_like) {
    return MakeError(ErrorCode::kInvalidInput, "repository " + Quoted(repo) +
                                                   " is remote: this version ships from local repositories only "
                                                   "(clone or fetch it next to the fleet and name its path)");
  }
  fs::path p(path);
  return (p.is_absolute() ? p : root / p).lexically_normal();
}

}  // namespace

Result<CommittedManifest> LoadCommittedManifest(Env& env, const Fleet& fleet, const std::string& arg, const std::string& rev) {
  fs::path absolute = (fs::path(arg).is_absolute() ? fs::path(arg) : env.cwd / arg).lexically_normal();
  fs::path relative = absolute.lexically_relative(fleet.root);
  if (relative.empty() || *relative.begin() == "..") {
    return MakeError(ErrorCode::kInvalidInput, "manifest " + arg + " is not inside the fleet repository " + fleet.root.string());
  }
  if (rev == "HEAD") {
    Result<bool> dirty = env.git.HasLocalChanges(fleet.root, relative.string());
    if (!dirty) return dirty.error();
    if (*dirty && !env.git.ReadFileAt(fleet.root, "HEAD", relative.string())) {
      return MakeError(ErrorCode::kInvalidInput, relative.string() +
                                                     " is not committed yet: `git add` and commit it first (daybook "
                                                     "applies only what is committed)");
    }
    if (*dirty) {
      return MakeError(ErrorCode::kInvalidInput, relative.string() +
                                                     " has uncommitted changes: commit them first (daybook applies "
                                                     "only what is committed), or name a commit with --rev");
    }
  }
  Result<repo::FileAtRevision> file = env.git.ReadFileAt(fleet.root, rev, relative.string());
  if (!file) return file.error();
  std::string display = relative.string();
  Result<manifest::ResolvedManifest> resolved = manifest::ParseAndResolveManifest({display, file->content}, fleet.inventory);
  if (!resolved) return resolved.error();
  return CommittedManifest{std::move(*resolved), file->commit, relative.string()};
}

Result<std::vector<ResolvedDeploy>> ResolveDeploys(Env& env, const Fleet& fleet, const CommittedManifest& manifest) {
  Diagnostics diags(manifest.resolved.manifest.path);
  std::vector<ResolvedDeploy> deploys;
  for (const manifest::DeploySpec& spec : manifest.resolved.manifest.deploys) {
    Result<fs::path> repo = LocalRepository(fleet.root, spec.repo);
    if (!repo) {
      diags.Error(spec.pos, "deploy " + spec.name + ": " + repo.error().message);
      continue;
    }
    Result<repo::CommitRef> target = env.git.Resolve(*repo, spec.ref);
    if (!target) {
      diags.Error(spec.pos, "deploy " + spec.name + ": " + target.error().message);
      continue;
    }
    // A tree the hosts cannot reproduce exactly is refused here, naming
    // each path, rather than half-shipped and failed on every host.
    Result<std::vector<std::string>> problems = env.git.Unreproducible(*repo, target->commit, spec.lfs_pointers);
    if (!problems) {
      diags.Error(spec.pos, "deploy " + spec.name + ": " + problems.error().message);
      continue;
    }
    for (const std::string& problem : *problems) {
      diags.Error(spec.pos, "deploy " + spec.name + ": commit " + target->commit.substr(0, 12) +
                                " cannot be deployed exactly: " + problem);
    }
    if (!problems->empty()) continue;
    deploys.push_back({spec, *repo, *target});
  }
  if (diags.has_errors()) {
    return Error{ErrorCode::kInvalidInput, "cannot resolve the deploys of " + manifest.resolved.manifest.path, diags.Take()};
  }
  return deploys;
}

}  // namespace daybook::controller
