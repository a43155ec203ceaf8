// The fleet repository (DESIGN.md §3): where it is, and loading its
// settings, inventory and manifest list through the Filesystem seam.
#pragma once

#include <filesystem>
#include <vector>

#include "controller/env.h"
#include "controller/fleet_config.h"
#include "core/base/result.h"
#include "core/inventory/model.h"

namespace daybook::controller {

constexpr const char* kConfigFile = "daybook.toml";
constexpr const char* kInventoryDir = "inventory";
constexpr const char* kManifestDir = "manifests";

struct Fleet {
  std::filesystem::path root;
  FleetConfig config;
  inventory::Inventory inventory;
};

// The fleet root: --fleet DIR, else the top of the git repository holding the
// current directory. It must contain daybook.toml. kInvalidInput otherwise,
// with a message that says what to do.
Result<std::filesystem::path> LocateFleet(Env& env, const GlobalOptions& global);

// Reads `path` (absolute or relative to cwd) as a SourceFile named `display`.
Result<SourceFile> ReadSource(Filesystem& fs, const std::filesystem::path& path, std::string display);

Result<FleetConfig> LoadFleetConfig(Filesystem& fs, const std::filesystem::path& root);

// Parses every inventory/*.toml (a fleet with none is an error).
Result<inventory::Inventory> LoadInventory(Filesystem& fs, const std::filesystem::path& root);

// daybook.toml + inventory; the first failure is returned with its diagnostics.
Result<Fleet> LoadFleet(Filesystem& fs, const std::filesystem::path& root);

// manifests/*.toml, sorted. An absent directory is an empty list.
Result<std::vector<std::filesystem::path>> ListManifests(Filesystem& fs, const std::filesystem::path& root);

// `path` relative to `root` when inside it ("inventory/web.toml"), else as is.
std::string DisplayPath(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace daybook::controller
