// PackageManager seam: what the agent asks of the host's package tool,
// one backend per file (apt_backend.cc; dnf next). The plan is exact: every
// package the transaction would touch, why, and what is left out and why,
// so nothing is skipped silently.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

struct PatchRequest {
  std::string policy = "security";       // security | all
  std::vector<std::string> exclude;      // package name globs
  bool allow_other_origins = true;       // may security fixes pull packages from other origins?
};

struct PackageChange {
  std::string name;
  std::string from;    // installed version; empty when the package is new
  std::string to;
  std::string origin;  // "Label:suite" of the candidate
  std::string reason;  // security | update | dependency
  bool security = false;
};

struct SkippedPackage {
  std::string name;
  std::string why;  // "excluded by the manifest (linux-image-*)", "held", ...
};

struct PackagePlan {
  std::vector<PackageChange> changes;
  std::vector<std::string> removals;   // packages the transaction would remove
  std::vector<SkippedPackage> skipped;
};

struct InstalledVersion {
  std::string name;
  std::string before;  // empty: was not installed
  std::string after;   // empty: not installed after
};

struct PackageOutcome {
  bool ok = false;
  std::string error;                      // the tool's own message when !ok
  std::vector<InstalledVersion> versions; // every package of the plan, before and after
  bool reboot_required = false;
  std::vector<std::string> reboot_packages;
};

// Package state a transaction must not start on: it would fail half way,
// or finish what was interrupted, running the scripts of packages the
// manifest excludes. What is wrong, and what the operator should do.
struct PackageFinding {
  std::string kind;     // dpkg-interrupted | not-fully-installed | dpkg-locked | rpm-duplicates | rpm-inconsistent
  std::string message;  // what is wrong, naming the packages, files or process
  std::string fix;      // what to run or wait for, then plan again
};

class PackageManager {
 public:
  virtual ~PackageManager() = default;
  // The host's broken package state (an interrupted dpkg, packages not
  // fully installed, a held package lock); empty when it is sound. Reads
  // only: changes nothing, takes no lock. An error when it cannot be read.
  virtual Result<std::vector<PackageFinding>> Findings() = 0;
  // Refreshes the package lists and computes the transaction. An error when
  // the tool fails, or when the plan cannot be made safely (a security fix
  // that needs another origin while that is refused, a removal...).
  virtual Result<PackagePlan> Plan(const PatchRequest& request) = 0;
  // Applies exactly `plan`; reports before/after versions of every package
  // in it even when the tool fails part way.
  virtual Result<PackageOutcome> Apply(const PackagePlan& plan) = 0;
};

protocol::Json ToJson(const PackagePlan& plan);
protocol::Json ToJson(const PackageOutcome& outcome);
protocol::Json ToJson(const std::vector<PackageFinding>& findings);
// One sentence per finding, for the error a refused plan or push shows.
std::string Describe(const std::vector<PackageFinding>& findings);

}  // namespace daybook::agent
