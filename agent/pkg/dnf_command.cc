#include "agent/pkg/dnf_command.h"

#include <filesystem>

#include "agent/pkg/dnf_output.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {

namespace {

// Where this host's dnf keeps its needs-restarting plugin (Debian's
// python3 dist-packages, or a RHEL python3.N site-packages): "" if none.
std::string HostPluginDir() {
  std::vector<std::string> candidates = {"/usr/lib/python3/dist-packages/dnf-plugins"};
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib", ec)) {
    std::string name = entry.path().filename().string();
    if (StartsWith(name, "python3")) candidates.push_back(entry.path().string() + "/site-packages/dnf-plugins");
  }
  for (const std::string& dir : candidates) {
    if (std::filesystem::is_regular_file(dir + "/needs_restarting.py", ec)) return dir;
  }
  return "";
}

// In a sandbox root, the host's dnf and rpm run with the host read-only and
// only the root writable (a scriptlet that climbs out of rpm's chroot
// changes nothing and reads no secret: core/exec/sandbox_argv.h).
void ConfineToRoot(const DnfSettings& settings, exec::ProcessSpec& spec) {
  if (settings.root == "/") return;
  spec.root_dir = std::filesystem::path(settings.root).lexically_normal().string();
  spec.host_program = true;
}

}  // namespace

exec::ProcessSpec DnfSpec(const DnfSettings& settings, std::vector<std::string> args, bool quiet) {
  std::vector<std::string> argv = {"dnf"};
  if (quiet) argv.push_back("-q");
  if (settings.root != "/") argv.push_back("--installroot=" + settings.root);
  argv.insert(argv.end(), args.begin(), args.end());
  // After the command's words (dnf takes its options anywhere). Plugins
  // are Python that dnf runs in the agent's own process tree, on the host:
  // none but needs-restarting (the command itself) is loaded, and in a
  // sandbox root, whose dnf.conf may name a pluginpath, only the host's
  // own copy of it (the command line wins over dnf.conf).
  if (args.empty() || args.front() != "needs-restarting") {
    argv.push_back("--noplugins");
  } else {
    argv.insert(argv.end(), {"--disableplugin=*", "--enableplugin=needs_restarting"});
    if (settings.root != "/") {
      static const std::string host_plugins = HostPluginDir();
      argv.push_back("--setopt=pluginpath=" + (host_plugins.empty() ? std::string("/nonexistent") : host_plugins));
      argv.push_back("--setopt=pluginconfpath=/etc/dnf/plugins");
    }
  }
  exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
  spec.env = {{"LC_ALL", "C"}, {"HOME", "/root"}};
  spec.timeout = settings.timeout;
  ConfineToRoot(settings, spec);
  // dnf fetches repository metadata and packages as it goes (its
  // scriptlets therefore run with the host's network too; rpm queries run
  // without any).
  spec.network = true;
  return spec;
}

exec::ProcessSpec RpmQuerySpec(const DnfSettings& settings, const std::vector<std::string>& names, const std::string& format) {
  std::vector<std::string> argv = {"rpm", names.empty() ? "-qa" : "-q", "--qf", format};
  if (settings.root != "/") argv.push_back("--root=" + settings.root);
  if (!names.empty()) argv.push_back("--");  // names, never options
  argv.insert(argv.end(), names.begin(), names.end());
  exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
  spec.env = {{"LC_ALL", "C"}, {"HOME", "/root"}};
  spec.timeout = std::chrono::minutes(2);
  ConfineToRoot(settings, spec);
  return spec;
}

std::string ToolTail(const exec::ProcessResult& result) {
  std::string text(Trim(result.err).empty() ? result.out : result.err);
  return Utf8Tail(ReadableText(Trim(text)), 1500) + " (" + result.Describe() + ")";
}

}  // namespace daybook::agent
