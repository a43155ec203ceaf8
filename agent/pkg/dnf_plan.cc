#include "agent/pkg/dnf_plan.h"

#include <algorithm>
#include <set>

#include "agent/pkg/rpm_version.h"
#include "core/base/strings.h"

namespace daybook::agent {
namespace {

std::string Spec(const std::string& name, const std::string& version, const std::string& arch) {
  return name + "-" + version + "." + arch;
}

std::string Versions(const InstalledVersions& installed, const std::string& name) {
  auto it = installed.find(name);
  return it == installed.end() ? "" : Join(it->second, ", ");
}

bool Has(const InstalledVersions& installed, const std::string& name, const std::string& version) {
  auto it = installed.find(name);
  return it != installed.end() && std::find(it->second.begin(), it->second.end(), version) != it->second.end();
}

}  // namespace

std::vector<DnfTarget> SecurityTargets(const std::vector<DnfAdvisory>& advisories, const std::vector<DnfAdvisory>& cves) {
  std::map<std::string, std::set<std::string>> cves_of;  // nevra → CVE ids
  for (const DnfAdvisory& c : cves) cves_of[c.nevra].insert(c.id);
  // name.arch → its advisories; dnf sorts lines as text (1.0-10 before
  // 1.0-2), so the order here is rpm's, not the listing's.
  std::map<std::string, std::vector<const DnfAdvisory*>> by_package;
  for (const DnfAdvisory& a : advisories) {
    if (a.type == "security" && !a.installed) by_package[a.name + "." + a.arch].push_back(&a);
  }
  std::vector<DnfTarget> targets;
  for (auto& [key, list] : by_package) {
    std::stable_sort(list.begin(), list.end(), [](const DnfAdvisory* x, const DnfAdvisory* y) {
      return RpmEvrCompare(x->version, y->version) > 0;
    });
    const DnfAdvisory& newest = *list.front();
    DnfTarget t{newest.name, newest.arch, newest.version, "", Spec(newest.name, newest.version, newest.arch), "", true};
    std::set<std::string> seen;
    for (const DnfAdvisory* a : list) {
      if (!seen.insert(a->id).second) continue;
      std::string one = a->id + " " + a->severity;
      for (const std::string& cve : cves_of[a->nevra]) one += " " + cve;
      t.origin += (t.origin.empty() ? "" : ", ") + one;
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

std::vector<DnfTarget> UpdateTargets(const std::vector<DnfUpdate>& updates, const std::vector<DnfTarget>& security) {
  std::vector<DnfTarget> targets;
  for (const DnfUpdate& u : updates) {
    DnfTarget t{u.name, u.arch, u.version, u.repo, Spec(u.name, u.version, u.arch), u.repo, false};
    for (const DnfTarget& s : security) {
      // The newest version fixes every advisory up to it.
      if (s.name == u.name && s.arch == u.arch && RpmEvrCompare(s.version, u.version) <= 0) {
        t.origin = s.origin;
        t.security = true;
      }
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

Result<PackagePlan> PlanFromTransaction(const PatchRequest& request, const std::vector<DnfTarget>& targets,
                                        const std::vector<DnfTransactionItem>& items, const InstalledVersions& installed,
                                        PackagePlan plan) {
  std::set<std::string> target_repos;
  for (const DnfTarget& t : targets) {
    if (t.security) target_repos.insert(t.repo);
  }
  std::set<std::string> resolved;  // name.arch of targets the preview has
  std::vector<std::string> problems, refused;
  for (const DnfTransactionItem& item : items) {
    std::string key = item.name + "." + item.arch;
    if (item.action == "remove" || item.action == "obsoleted") {
      if (std::find(plan.removals.begin(), plan.removals.end(), item.name) == plan.removals.end()) plan.removals.push_back(item.name);
      continue;
    }
    if (item.action == "skipped") {
      plan.skipped.push_back({item.name, "dnf skips it: " + item.section});
      resolved.insert(key);
      continue;
    }
    if (item.action != "install" && item.action != "upgrade" && item.action != "dependency") {
      problems.push_back("dnf would also do \"" + item.section + "\": " + item.name + " " + item.version);
      continue;
    }
    auto target = std::find_if(targets.begin(), targets.end(), [&](const DnfTarget& t) { return t.name == item.name && t.arch == item.arch; });
    PackageChange change{item.name, Versions(installed, item.name), item.version, item.repo, "dependency", false};
    if (target != targets.end()) {
      resolved.insert(key);
      if (RpmEvrCompare(item.version, target->version) != 0) {
        problems.push_back("dnf resolves " + target->spec + " to " + item.version);
        continue;
      }
      change.origin = target->origin;
      change.reason = target->security ? "security" : "update";
      change.security = target->security;
    } else if (request.policy == "security" && !request.allow_other_origins && target_repos.count(item.repo) == 0) {
      refused.push_back(item.name + " " + item.version + " (" + item.repo + ")");
    }
    plan.changes.push_back(std::move(change));
  }
  for (const DnfTarget& t : targets) {
    if (resolved.count(t.name + "." + t.arch) == 0) plan.skipped.push_back({t.name, "dnf would not install " + t.spec});
  }
  if (!refused.empty()) {
    return MakeError(ErrorCode::kFailed, "security upgrades need packages from other repositories, which allow_other_origins = false refuses: " +
                                             Join(refused, ", "));
  }
  if (!problems.empty()) return MakeError(ErrorCode::kFailed, "the dnf transaction is not the plan: " + Join(problems, "; "));
  return plan;
}

std::vector<std::string> PlanDifferences(const PackagePlan& plan, const InstalledVersions& before, const InstalledVersions& after) {
  std::vector<std::string> differences;
  std::set<std::string> named;
  for (const PackageChange& c : plan.changes) {
    named.insert(c.name);
    if (!Has(after, c.name, c.to)) {
      std::string now = Versions(after, c.name);
      differences.push_back(c.name + ": planned " + c.to + ", installed " + (now.empty() ? "none" : now));
    }
  }
  for (const std::string& name : plan.removals) named.insert(name);
  std::set<std::string> names;
  for (const auto& [name, v] : before) names.insert(name);
  for (const auto& [name, v] : after) names.insert(name);
  for (const std::string& name : names) {
    std::string was = Versions(before, name), now = Versions(after, name);
    if (was != now && named.count(name) == 0) {
      differences.push_back(name + ": " + (was.empty() ? "none" : was) + " -> " + (now.empty() ? "none" : now) + ", not in the plan");
    }
  }
  return differences;
}

std::vector<InstalledVersion> VersionReport(const PackagePlan& plan, const InstalledVersions& before, const InstalledVersions& after) {
  std::set<std::string> names;
  for (const PackageChange& c : plan.changes) names.insert(c.name);
  for (const std::string& name : plan.removals) names.insert(name);
  for (const auto& [name, v] : after) {
    if (Versions(before, name) != Versions(after, name)) names.insert(name);
  }
  for (const auto& [name, v] : before) {
    if (after.count(name) == 0) names.insert(name);
  }
  std::vector<InstalledVersion> report;
  for (const PackageChange& c : plan.changes) {
    if (names.erase(c.name) != 0) report.push_back({c.name, Versions(before, c.name), Versions(after, c.name)});
  }
  for (const std::string& name : names) report.push_back({name, Versions(before, name), Versions(after, name)});
  return report;
}

}  // namespace daybook::agent
