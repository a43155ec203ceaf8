#include "controller/fleet.h"

#include "core/inventory/parser.h"

namespace daybook::controller {

namespace fs = std::filesystem;

Result<fs::path> LocateFleet(Env& env, const GlobalOptions& global) {
  fs::path root;
  if (!global.fleet.empty()) {
    root = fs::path(global.fleet).lexically_normal();
    if (root.is_relative()) root = (env.cwd / root).lexically_normal();
  } else {
    Result<fs::path> top = env.git.FindWorkdir(env.cwd);
    if (!top) {
      return MakeError(ErrorCode::kInvalidInput,
                       "not inside a fleet repository (no git repository contains " + env.cwd.string() +
                           "); run `daybook init DIR` or pass --fleet DIR");
    }
    root = *top;
  }
  if (!env.fs.Exists(root / kConfigFile)) {
    return MakeError(ErrorCode::kInvalidInput, root.string() + " is not a fleet repository (no " + kConfigFile +
                                                   "); run `daybook init DIR` or pass --fleet DIR");
  }
  return root;
}

Result<SourceFile> ReadSource(Filesystem& fs, const fs::path& path, std::string display) {
  Result<std::string> text = fs.ReadFile(path);
  if (!text) return std::move(text).error();
  return SourceFile{std::move(display), std::move(*text)};
}

Result<FleetConfig> LoadFleetConfig(Filesystem& fs, const fs::path& root) {
  Result<SourceFile> file = ReadSource(fs, root / kConfigFile, kConfigFile);
  if (!file) return std::move(file).error();
  return ParseFleetConfig(*file);
}

Result<inventory::Inventory> LoadInventory(Filesystem& fs, const fs::path& root) {
  Result<std::vector<fs::path>> paths = ListFilesWithSuffix(fs, root / kInventoryDir, ".toml");
  if (!paths) return std::move(paths).error();
  if (paths->empty()) {
    return MakeError(ErrorCode::kInvalidInput, "no inventory: " + DisplayPath(root, root / kInventoryDir) +
                                                   " holds no .toml file");
  }
  std::vector<SourceFile> files;
  for (const fs::path& path : *paths) {
    Result<SourceFile> file = ReadSource(fs, path, DisplayPath(root, path));
    if (!file) return std::move(file).error();
    files.push_back(std::move(*file));
  }
  return inventory::ParseInventory(files);
}

Result<Fleet> LoadFleet(Filesystem& fs, const fs::path& root) {
  Result<FleetConfig> config = LoadFleetConfig(fs, root);
  if (!config) return std::move(config).error();
  Result<inventory::Inventory> inventory = LoadInventory(fs, root);
  if (!inventory) return std::move(inventory).error();
  return Fleet{root, std::move(*config), std::move(*inventory)};
}

Result<std::vector<fs::path>> ListManifests(Filesystem& fs, const fs::path& root) {
  if (!fs.Exists(root / kManifestDir)) return std::vector<fs::path>{};
  return ListFilesWithSuffix(fs, root / kManifestDir, ".toml");
}

std::string DisplayPath(const fs::path& root, const fs::path& path) {
  fs::path relative = path.lexically_normal().lexically_relative(root.lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return path.string();
  return relative.string();
}

}  // namespace daybook::controller
