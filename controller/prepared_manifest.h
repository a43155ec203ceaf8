// The common start of plan and push: the fleet, the manifest read from a
// commit, its deploys resolved to commits, and the hosts it targets
// (narrowed by --target). Nothing is contacted yet.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "controller/fleet_session.h"
#include "controller/manifest_source.h"

namespace daybook::controller {

struct ManifestFlags {
  std::string manifest;  // positional
  std::string rev = "HEAD";
  ConnectFlags connect;
};

void AddManifestFlags(CLI::App& command, ManifestFlags& flags);

struct PreparedManifest {
  std::unique_ptr<FleetSession> session;
  CommittedManifest manifest;
  std::vector<ResolvedDeploy> deploys;
};

Result<PreparedManifest> PrepareManifest(Env& env, const GlobalOptions& global, const ManifestFlags& flags);

// "manifest P at C (name), N host(s)", each deploy (ref = commit, tree,
// path) and the patch policy: what plan shows first and push asks about.
void PrintManifestSummary(std::ostream& out, const PreparedManifest& prepared);

// "a1b2c3d4e5f6" for a commit id, "-" for none.
std::string Short(const std::string& commit);

}  // namespace daybook::controller
