// The pure half of the dnf backend: which versions a plan names (the newest
// advisory per package, in rpm order), the plan built from dnf's own
// transaction preview, and what an applied transaction did that its plan
// did not say. No processes here; agent/pkg/dnf_backend.cc runs them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/pkg/dnf_output.h"
#include "agent/pkg/package_manager.h"

namespace daybook::agent {

// One package the plan asks dnf for, by exact NEVRA.
struct DnfTarget {
  std::string name, arch, version, repo;
  std::string spec;    // name-[epoch:]version-release.arch, what dnf is given
  std::string origin;  // "ID Severity CVE...", several advisories joined by ", "; else the repo id
  bool security = false;
};

// Per name.arch the newest version an available security advisory names;
// the origin lists every advisory that version fixes (all listed ones are
// newer than what is installed), newest first, with their CVEs.
std::vector<DnfTarget> SecurityTargets(const std::vector<DnfAdvisory>& advisories, const std::vector<DnfAdvisory>& cves);

// policy "all": check-update's newest versions; those that also fix an
// advisory carry it (security = true).
std::vector<DnfTarget> UpdateTargets(const std::vector<DnfUpdate>& updates, const std::vector<DnfTarget>& security);

using InstalledVersions = std::map<std::string, std::vector<std::string>>;  // ParseRpmVersions

// The plan from the preview of `dnf upgrade --assumeno TARGET-SPECS`: every
// package it installs or upgrades (targets with their advisories, anything
// else as a dependency), what it removes or replaces, and targets it skips.
// An error when dnf would resolve a target to another version than planned,
// downgrade or reinstall something, or (allow_other_origins = false) pull a
// dependency from a repository none of the security targets comes from.
Result<PackagePlan> PlanFromTransaction(const PatchRequest& request, const std::vector<DnfTarget>& targets,
                                        const std::vector<DnfTransactionItem>& items, const InstalledVersions& installed,
                                        PackagePlan plan);

// What the rpm database shows against the plan: a planned version not
// installed, a package changed that the plan does not name. Empty when the
// transaction did what was planned. (A planned removal is by name: an
// installonly kernel keeps its name when one of its versions goes.)
std::vector<std::string> PlanDifferences(const PackagePlan& plan, const InstalledVersions& before,
                                         const InstalledVersions& after);

// Every package of the plan and every package whose versions changed,
// before and after (several versions joined by ", ": installonly kernels).
std::vector<InstalledVersion> VersionReport(const PackagePlan& plan, const InstalledVersions& before,
                                            const InstalledVersions& after);

}  // namespace daybook::agent
