#include "agent/facts.h"

#include "agent/reboot_failure.h"

#include "agent/pkg/dnf_command.h"

#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/base/version.h"

namespace daybook::agent {

namespace fs = std::filesystem;

namespace {

fs::path UnderRoot(const AgentConfig& config, std::string_view path) {
  return fs::path(config.root) / std::string(path.substr(1));
}

}  // namespace

std::string OsReleaseField(std::string_view os_release, std::string_view key) {
  for (const std::string& line : Split(os_release, '\n')) {
    if (!StartsWith(line, std::string(key) + "=")) continue;
    std::string value = line.substr(key.size() + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return ReadableText(Utf8Head(value, 256));  // a file on the host: bytes, bounded
  }
  return "";
}

std::string ResolveBackend(Filesystem& fs, const AgentConfig& config) {
  if (config.package_backend != "auto") return config.package_backend;
  if (fs.Exists(UnderRoot(config, "/usr/bin/apt-get"))) return "apt";
  if (fs.Exists(UnderRoot(config, "/usr/bin/dnf"))) return "dnf";
  return "none";
}

namespace {

// true, false, or null when it cannot be told (needs-restarting failed):
// "no" would be a guess that skips a reboot.
protocol::Json RebootRequired(Filesystem& fs, exec::ProcessRunner& runner, const AgentConfig& config, const std::string& backend) {
  if (backend != "dnf") {
    // Links resolved inside the root: its var/run -> /run is its own /run.
    Result<fs::path> flag = ResolveInRoot(fs, config.root, "/var/run/reboot-required");
    return flag ? protocol::Json(fs.Exists(*flag)) : protocol::Json(nullptr);
  }
  Result<RebootCheck> check = CheckReboot(runner, DnfSettings{config.root, std::chrono::seconds(30)});
  return check ? protocol::Json(check->required) : protocol::Json(nullptr);
}

}  // namespace

protocol::Json CollectFacts(Filesystem& fs, exec::ProcessRunner& runner, const AgentConfig& config, const Uname& uname) {
  std::string backend = ResolveBackend(fs, config);
  // The OS of the managed root when it has one (a sandbox root), else the host's.
  // Resolved inside the root and read only as a small regular file: a link
  // to a host file, a fifo or /dev/zero there is no os-release.
  Result<std::filesystem::path> in_root = ResolveInRoot(fs, config.root, "/etc/os-release");
  Result<std::string> os = in_root ? fs.ReadSmallRegularFile(*in_root, 64u << 10) : Result<std::string>(in_root.error());
  // The host's own, trusted: on Debian /etc/os-release is a link to
  // ../usr/lib/os-release, which the read above refuses (os-release(5):
  // /usr/lib/os-release when /etc has none).
  if (!os && (config.root == "/" || os.error().code == ErrorCode::kNotFound)) {
    os = fs.ReadFile("/etc/os-release");
    if (!os) os = fs.ReadFile("/usr/lib/os-release");
  }
  std::string os_release = os ? *os : "";
  Result<std::string> boot = fs.ReadFile(config.boot_id_file);
  Result<std::string> uptime = fs.ReadFile("/proc/uptime");
  int64_t uptime_s = 0;
  if (uptime) {
    try {
      uptime_s = static_cast<int64_t>(std::stod(*uptime));
    } catch (const std::exception&) {
    }
  }
  std::string boot_id = boot ? ReadableText(Utf8Head(Trim(*boot), 64)) : "";
  protocol::Json facts = {{"agent_version", std::string(kVersion)},
          {"hostname", ReadableText(uname.hostname)},
          {"os_id", OsReleaseField(os_release, "ID")},
          {"os_version", OsReleaseField(os_release, "VERSION_ID")},
          {"os_name", OsReleaseField(os_release, "PRETTY_NAME")},
          {"kernel", ReadableText(uname.kernel)},
          {"boot_id", boot_id},
          {"uptime_s", uptime_s},
          {"package_backend", backend},
          {"reboot_required", RebootRequired(fs, runner, config, backend)}};
  // A reboot this boot's agent announced and could not start (reboot_failure.h).
  if (std::optional<protocol::Json> failed = CurrentRebootFailure(fs, config.state_dir, std::string(Trim(boot ? *boot : "")))) {
    facts["reboot_failure"] = *failed;
  }
  return facts;
}

}  // namespace daybook::agent
