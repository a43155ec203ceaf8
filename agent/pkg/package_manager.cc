#include "agent/pkg/package_manager.h"

namespace daybook::agent {

using protocol::Json;

Json ToJson(const PackagePlan& plan) {
  Json changes = Json::array(), skipped = Json::array();
  for (const PackageChange& c : plan.changes) {
    changes.push_back({{"name", c.name}, {"from", c.from.empty() ? Json(nullptr) : Json(c.from)}, {"to", c.to},
                       {"origin", c.origin}, {"reason", c.reason}, {"security", c.security}});
  }
  for (const SkippedPackage& s : plan.skipped) skipped.push_back({{"name", s.name}, {"why", s.why}});
  return {{"changes", changes}, {"removals", plan.removals}, {"skipped", skipped}};
}

Json ToJson(const PackageOutcome& outcome) {
  Json versions = Json::array();
  for (const InstalledVersion& v : outcome.versions) {
    versions.push_back({{"name", v.name}, {"before", v.before.empty() ? Json(nullptr) : Json(v.before)},
                        {"after", v.after.empty() ? Json(nullptr) : Json(v.after)}});
  }
  return {{"ok", outcome.ok}, {"error", outcome.error.empty() ? Json(nullptr) : Json(outcome.error)}, {"versions", versions},
          {"reboot_required", outcome.reboot_required}, {"reboot_packages", outcome.reboot_packages}};
}

Json ToJson(const std::vector<PackageFinding>& findings) {
  Json out = Json::array();
  for (const PackageFinding& f : findings) out.push_back({{"kind", f.kind}, {"message", f.message}, {"fix", f.fix}});
  return out;
}

std::string Describe(const std::vector<PackageFinding>& findings) {
  std::string text = "broken package state, nothing was changed:";
  for (const PackageFinding& f : findings) text += " " + f.message + ": " + f.fix + ".";
  return text;
}

}  // namespace daybook::agent
