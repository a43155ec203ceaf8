// CheckReboot (dnf_command.h): `dnf needs-restarting -r` on a host, its
// own computation in a sandbox root.
#include <fstream>
#include <set>

#include "agent/pkg/dnf_command.h"
#include "agent/pkg/dnf_output.h"
#include "core/base/strings.h"

namespace daybook::agent {

namespace {

// needs_restarting.py's NEED_REBOOT (dnf-plugins-core 4.3.1).
constexpr const char* kRebootPackages[] = {"kernel", "kernel-rt", "glibc", "linux-firmware",
                                           "systemd", "dbus", "dbus-broker", "dbus-daemon"};

// The host's boot time, seconds since the epoch (proc(5): /proc/stat btime).
Result<int64_t> HostBootTime() {
  std::ifstream stat("/proc/stat");
  std::string line;
  while (std::getline(stat, line)) {
    if (!StartsWith(line, "btime ")) continue;
    try {
      return static_cast<int64_t>(std::stoll(line.substr(6)));
    } catch (const std::exception&) {
      break;
    }
  }
  return MakeError(ErrorCode::kFailed, "no btime line in /proc/stat");
}

// The names the root's needs-restarting.d adds, read by a confined `cat`
// (a link there resolves inside the sandbox, never to a host file).
Result<std::set<std::string>> RootRebootPackages(exec::ProcessRunner& runner, const DnfSettings& settings) {
  std::set<std::string> names(std::begin(kRebootPackages), std::end(kRebootPackages));
  exec::ProcessSpec spec = exec::ProcessSpec::Of(
      {"sh", "-c", "cat -- \"$0\"/etc/dnf/plugins/needs-restarting.d/*.conf 2> /dev/null; true", settings.root});
  spec.env = {{"LC_ALL", "C"}, {"HOME", "/root"}};
  spec.root_dir = settings.root;
  spec.host_program = true;
  spec.timeout = std::chrono::seconds(30);
  spec.max_output = 1u << 20;
  Result<exec::ProcessResult> ran = runner.Run(spec);
  if (!ran) return ran.error();
  if (!ran->ok()) return MakeError(ErrorCode::kFailed, "reading needs-restarting.d: " + ToolTail(*ran));
  for (const std::string& line : Split(ran->out, '\n')) {
    std::string name(Trim(line));
    // The root's words, given to rpm: never one that reads as an option.
    if (!name.empty() && name.front() != '-' && name.find(' ') == std::string::npos) names.insert(name);
  }
  return names;
}

Result<RebootCheck> CheckRebootInRoot(exec::ProcessRunner& runner, const DnfSettings& settings) {
  Result<int64_t> boot = HostBootTime();
  if (!boot) return boot.error();
  Result<std::set<std::string>> names = RootRebootPackages(runner, settings);
  if (!names) return names.error();
  // "NAME INSTALLTIME" per installed package ("package X is not installed"
  // for the others, and an exit status that counts them).
  exec::ProcessSpec spec =
      RpmQuerySpec(settings, std::vector<std::string>(names->begin(), names->end()), "%{NAME} %{INSTALLTIME}\\n");
  Result<exec::ProcessResult> ran = runner.Run(spec);
  if (!ran) return ran.error();
  if (ran->timed_out || ran->signal != 0 || !Trim(ran->err).empty()) return MakeError(ErrorCode::kFailed, "rpm -q failed: " + ToolTail(*ran));
  std::set<std::string> updated;
  for (const std::string& line : Split(ran->out, '\n')) {
    std::vector<std::string> fields = Split(std::string(Trim(line)), ' ');
    if (fields.size() != 2 || names->count(fields[0]) == 0) continue;
    try {
      if (std::stoll(fields[1]) > *boot) updated.insert(fields[0]);
    } catch (const std::exception&) {
    }
  }
  return RebootCheck{!updated.empty(), std::vector<std::string>(updated.begin(), updated.end())};
}

}  // namespace

Result<RebootCheck> CheckReboot(exec::ProcessRunner& runner, const DnfSettings& settings) {
  if (settings.root != "/") return CheckRebootInRoot(runner, settings);
  exec::ProcessSpec spec = DnfSpec(settings, {"needs-restarting", "-r"});
  spec.max_output = 1u << 20;
  Result<exec::ProcessResult> ran = runner.Run(spec);
  if (!ran) return ran.error();
  if (ran->ok()) return RebootCheck{};
  if (ran->exit_code == 1 && !ran->timed_out && ran->out.find("Reboot is required") != std::string::npos) {
    return RebootCheck{true, ParseNeedsRestartingPackages(ran->out)};
  }
  return MakeError(ErrorCode::kFailed, "dnf needs-restarting -r failed: " + ToolTail(*ran));
}

}  // namespace daybook::agent
