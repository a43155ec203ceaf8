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

// Whether `inner` lies strictly inside `outer` (both canonical).
bool Inside(const fs::path& inner, const fs::path& outer) {
  fs::path rel = inner.lexically_relative(outer);
  return !rel.empty() && rel != "." && *rel.begin() != "..";
}

}  // namespace

Result<fs::path> ConfineDeployPath(const std::string& root, const std::vector<std::string>& deploy_roots,
                                   const std::string& path) {
  auto refuse = [&](const std::string& why) { return MakeError(ErrorCode::kInvalidInput, "deploy path " + Quoted(path) + " " + why); };
  if (!IsCleanAbsolute(path)) return refuse("must be absolute and normalised (no \".\", \"..\" or trailing \"/\")");
  std::error_code ec;
  fs::path wanted = UnderRoot(root, path);
  // Resolves every symlink of the part that exists; the rest stays as named.
  fs::path resolved = fs::weakly_canonical(wanted, ec);
  if (ec) return refuse("cannot be resolved: " + ec.message());
  bool named_inside = false;
  std::string roots;
  for (const std::string& allowed : deploy_roots) {
    roots += (roots.empty() ? "" : ", ") + allowed;
    named_inside = named_inside || Inside(wanted, UnderRoot(root, allowed));
    fs::path allowed_dir = fs::weakly_canonical(UnderRoot(root, allowed), ec);
    if (!ec && Inside(resolved, allowed_dir)) return resolved;
  }
  if (roots.empty()) roots = "none";
  if (named_inside) return refuse("leads through a symlink to " + resolved.string() + ", outside the agent's deploy roots (" + roots + ")");
  return refuse("is outside the agent's deploy roots (" + roots + ")");
}

}  // namespace daybook::agent
