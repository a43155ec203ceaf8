// Validation of a fleet repository: daybook.toml, the whole inventory, the
// trust files (allowed_signers, inventory/known_hosts, journal.vkey), and
// manifests (all of manifests/*.toml, or the ones named), each manifest's
// targets resolved against the inventory. Every problem of every file is
// collected in one run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/diagnostic.h"
#include "core/base/filesystem.h"

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

// `manifests` empty = every manifests/*.toml of the fleet. Paths may be
// absolute or relative to `cwd`.
ValidationReport ValidateFleet(Filesystem& fs, const std::filesystem::path& root, const std::filesystem::path& cwd,
                               const std::vector<std::string>& manifests);

}  // namespace daybook::controller
