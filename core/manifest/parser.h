// Strict parser and validator of manifests (manifests/*.toml).
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/inventory/model.h"
#include "core/manifest/model.h"

namespace daybook::manifest {

// Parses one manifest on its own (schema, types, values, target syntax). On
// any problem: kInvalidInput with every problem as a positioned diagnostic.
Result<Manifest> ParseManifest(const SourceFile& file);

struct ResolvedManifest {
  Manifest manifest;
  std::vector<std::string> hosts;  // the targets, in inventory order
};

// ParseManifest and ResolveManifestTargets in one run, so that an unknown
// group is reported together with the file's other problems.
Result<ResolvedManifest> ParseAndResolveManifest(const SourceFile& file, const inventory::Inventory& inventory);

// The hosts `manifest` targets in `inventory`; unknown hosts or groups, and
// targets that select nothing, are positioned errors in the manifest.
Result<std::vector<std::string>> ResolveManifestTargets(const Manifest& manifest,
                                                        const inventory::Inventory& inventory);

}  // namespace daybook::manifest
