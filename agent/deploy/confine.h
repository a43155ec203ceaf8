// Where a deploy may write: a manifest's `path` is taken under the agent's
// `root` and must lie inside one of its `deploy_roots` once `..` and
// symlinks are resolved. Checked before anything touches the disk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace daybook::agent {

// The directory on this host for manifest path `path` (absolute, no "." or
// ".." parts, no trailing slash), or kInvalidInput saying why not.
Result<std::filesystem::path> ConfineDeployPath(const std::string& root, const std::vector<std::string>& deploy_roots,
                                                const std::string& path);

}  // namespace daybook::agent
