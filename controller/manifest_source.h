// Reading a manifest the way a push must (DESIGN.md §3): from a commit of
// the fleet repository, never from the working tree, and resolving each
// [[deploy]] ref once, on the controller, to one commit id for the whole
// rollout. Everything here fails before any host is contacted.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "controller/env.h"
#include "controller/fleet.h"
#include "core/manifest/parser.h"
#include "core/repo/git.h"

namespace daybook::controller {

struct CommittedManifest {
  manifest::ResolvedManifest resolved;
  std::string commit;  // the fleet commit it was read from
  std::string path;    // relative to the fleet root: "manifests/app.toml"
};

// `arg` is a path (relative to the current directory) inside the fleet.
// With `rev` "HEAD" (the default), a manifest with uncommitted changes is
// refused, naming the file.
Result<CommittedManifest> LoadCommittedManifest(Env& env, const Fleet& fleet, const std::string& arg, const std::string& rev);

struct ResolvedDeploy {
  manifest::DeploySpec spec;
  std::filesystem::path repo;  // the local repository it ships from
  repo::CommitRef target;
};

// Every deploy's repository and ref, all problems reported together at the
// [[deploy]] they come from.
Result<std::vector<ResolvedDeploy>> ResolveDeploys(Env& env, const Fleet& fleet, const CommittedManifest& manifest);

}  // namespace daybook::controller
