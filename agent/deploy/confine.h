// Where a deploy may write: a manifest's `path` is taken under the agent's
// `root` and must lie, as written, inside one of its `deploy_roots`. The
// deploy root itself is the administrator's and may be reached through
// links; below it nothing is followed (ReleaseDir opens the parts with
// RESOLVE_NO_SYMLINKS), so this check on the string is the whole check of
// where. Who may write there is checked on the handles (ownership.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace daybook::agent {

struct ConfinedPath {
  std::filesystem::path deploy_root;  // <root>/<deploy root>, opened trusting links
  std::string rel;                    // beneath it, "app" or "team/app"
  std::filesystem::path full() const { return deploy_root / rel; }
};

// The deploy root and the part beneath it for manifest path `path`
// (absolute, no "." or ".." parts, no trailing slash), or kInvalidInput
// saying why not.
Result<ConfinedPath> ConfineDeployPath(const std::string& root, const std::vector<std::string>& deploy_roots,
                                       const std::string& path);

}  // namespace daybook::agent
