#include "agent/deploy/confine.h"

#include "core/base/strings.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;

bool IsCleanAbsolute(const std::string& path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  for (const std::string& part : Split(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

// `path` taken under `root` ("/" leaves it as is).
fs::path UnderRoot(const std::string& root, const std::string& path) {
  return root == "/" ? fs::path(path) : fs::path(root) / path.substr(1);
}

}  // namespace

Result<ConfinedPath> ConfineDeployPath(const std::string& root, const std::vector<std::string>& deploy_roots,
                                       const std::string& path) {
  auto refuse = [&](const std::string& why) { return MakeError(ErrorCode::kInvalidInput, "deploy path " + Quoted(path) + " " + why); };
  if (!IsCleanAbsolute(path)) return refuse("must be absolute and normalised (no \".\", \"..\" or trailing \"/\")");
  std::string roots;
  for (const std::string& allowed : deploy_roots) {
    roots += (roots.empty() ? "" : ", ") + allowed;
    std::string prefix = allowed == "/" ? "/" : allowed + "/";
    if (path.size() > prefix.size() && StartsWith(path, prefix)) {
      return ConfinedPath{UnderRoot(root, allowed), path.substr(prefix.size())};
    }
  }
  if (roots.empty()) roots = "none";
  return refuse("is outside the agent's deploy roots (" + roots + ")");
}

}  // namespace daybook::agent
