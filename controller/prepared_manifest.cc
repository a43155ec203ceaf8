#include "controller/prepared_manifest.h"

#include <ostream>
#include <set>

#include "core/inventory/target.h"

namespace daybook::controller {

void AddManifestFlags(CLI::App& command, ManifestFlags& flags) {
  command.add_option("MANIFEST", flags.manifest, "Manifest file of the fleet repository, as committed")->required();
  command.add_option("--rev", flags.rev, "Read the manifest at this commit of the fleet repository (default HEAD)")
      ->option_text("REV");
  AddConnectFlags(command, flags.connect);
}

Result<PreparedManifest> PrepareManifest(Env& env, const GlobalOptions& global, const ManifestFlags& flags) {
  Result<std::unique_ptr<FleetSession>> session = OpenFleetSession(env, global, flags.connect, "all", flags.rev);
  if (!session) return session.error();
  PreparedManifest prepared;
  prepared.session = std::move(*session);
  Result<CommittedManifest> manifest = LoadCommittedManifest(env, prepared.session->fleet, flags.manifest, flags.rev);
  if (!manifest) return manifest.error();
  // One commit for everything: a branch that moved between the two reads
  // would mix two states.
  if (manifest->commit != prepared.session->fleet_commit) {
    return MakeError(ErrorCode::kInvalidInput, flags.rev + " moved while daybook read the fleet (" +
                                                   Short(prepared.session->fleet_commit) + ", then " + Short(manifest->commit) +
                                                   "): run the command again");
  }
  prepared.manifest = std::move(*manifest);
  Result<std::vector<ResolvedDeploy>> deploys = ResolveDeploys(env, prepared.session->fleet, prepared.manifest);
  if (!deploys) return deploys.error();
  prepared.deploys = std::move(*deploys);

  std::vector<std::string> hosts = prepared.manifest.resolved.hosts;
  if (!flags.connect.target.empty()) {
    Diagnostics diags("--target");
    std::optional<std::vector<std::string>> narrowed =
        inventory::SelectHosts(flags.connect.target, prepared.session->fleet.inventory, {1, 1}, diags);
    if (!narrowed) return Error{ErrorCode::kInvalidInput, "bad target", diags.Take()};
    std::set<std::string> keep(narrowed->begin(), narrowed->end());
    std::erase_if(hosts, [&](const std::string& h) { return keep.count(h) == 0; });
    if (hosts.empty()) {
      return MakeError(ErrorCode::kInvalidInput, "--target " + flags.connect.target + " selects none of the manifest's targets (" +
                                                     prepared.manifest.resolved.manifest.targets + ")");
    }
  }
  prepared.session->hosts = std::move(hosts);
  return prepared;
}

void PrintManifestSummary(std::ostream& out, const PreparedManifest& prepared) {
  const CommittedManifest& committed = prepared.manifest;
  const manifest::Manifest& m = committed.resolved.manifest;
  out << "manifest " << committed.path << " at " << Short(committed.commit) << " (" << m.name << "), "
      << prepared.session->hosts.size() << " host(s)\n";
  for (const ResolvedDeploy& d : prepared.deploys) {
    out << "deploy " << d.spec.name << ": " << d.spec.ref << " = " << Short(d.target.commit) << " (tree " << Short(d.target.tree)
        << ") → " << d.spec.path << "\n";
  }
  if (!m.patch || m.patch->policy == manifest::PatchPolicy::kNone) return;
  out << "patch: policy " << manifest::ToString(m.patch->policy) << ", reboot " << manifest::ToString(m.patch->reboot);
  if (!m.patch->exclude.empty()) out << ", exclude " << protocol::Json(m.patch->exclude).dump();
  out << "\n";
}

std::string Short(const std::string& commit) { return commit.empty() ? "-" : commit.substr(0, 12); }

}  // namespace daybook::controller
