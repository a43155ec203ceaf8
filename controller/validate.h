// Validation of a fleet repository: daybook.toml, the whole inventory, the
// trust files (allowed_signers, inventory/known_hosts, journal.vkey), and
// manifests (all of manifests/*.toml, or the ones named), each manifest's
// targets resolved against the inventory. Every problem of every file is
// collected in one run.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "controller/fleet_config.h"
#include "core/base/diagnostic.h"
#include "core/base/filesystem.h"
#include "core/manifest/parser.h"

namespace daybook::controller {

struct FileVerdict {
  std::string path;     // display path
  std::string kind;     // "config", "inventory", "trust", "manifest"
  bool valid = false;
  std::string summary;  // "8 hosts, 5 groups", "targets 4 hosts", or why it was not checked
};

struct ValidationReport {
  std::vector<FileVerdict> files;
  std::vector<Diagnostic> diagnostics;  // sorted by path and position
  bool valid() const;
  size_t error_count() const;
};

// What validation asks of the rest of the controller (git, the operator's
// credentials), so that it reports what plan and push would later refuse.
struct ValidateChecks {
  // Problems of the deploys of a manifest that parsed and resolved: a
  // repository that is remote or missing, a ref it does not have, a tree
  // the hosts cannot reproduce.
  std::function<std::vector<Diagnostic>(const manifest::ResolvedManifest&)> deploys;
  // Problems of daybook.toml once parsed: an operator key that cannot be
  // used (a warning: ssh-agent may hold it elsewhere).
  std::function<std::vector<Diagnostic>(const FleetConfig&)> config;
};

// `manifests` empty = every manifests/*.toml of the fleet. Paths may be
// absolute or relative to `cwd`.
ValidationReport ValidateFleet(Filesystem& fs, const std::filesystem::path& root, const std::filesystem::path& cwd,
                               const std::vector<std::string>& manifests, const ValidateChecks& checks = {});

}  // namespace daybook::controller
