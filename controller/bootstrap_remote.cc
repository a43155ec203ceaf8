#include "controller/bootstrap_remote.h"

#include <algorithm>

#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::controller {
namespace {

constexpr size_t kMaxValue = 4096;  // bytes of one value a host prints
constexpr size_t kMaxAptLines = 15;

// The "key=value" lines of `out`, in order; others are ignored.
std::vector<std::pair<std::string, std::string>> KeyValues(std::string_view out) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& line : Split(out.substr(0, 1u << 20), '\n')) {
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0 || eq > 32) continue;
    std::string value = line.substr(eq + 1);
    if (!value.empty() && value.back() == '\r') value.pop_back();
    if (value.size() > kMaxValue) value.resize(kMaxValue);
    pairs.emplace_back(line.substr(0, eq), std::move(value));
  }
  return pairs;
}

}  // namespace

std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else if (c != '\0') {
      quoted += c;
    }
  }
  return quoted + "'";
}

bool IsDebianVersion(std::string_view version) {
  if (version.empty() || version.size() > 128 || !std::isdigit(static_cast<unsigned char>(version.front()))) return false;
  return std::all_of(version.begin(), version.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '~' || c == ':' || c == '-';
  });
}

std::string Become(const std::string& command) { return "sudo -n -- " + command; }

std::string ProbeCommand(const std::string& package_version) {
  std::string script =
      "echo 'daybook-bootstrap probe'\n"
      "echo \"arch=$(dpkg --print-architecture 2>/dev/null)\"\n"
      "s=$(dpkg-query -W -f='${db:Status-Abbrev}' daybook-agent 2>/dev/null)\n"
      "v=$(dpkg-query -W -f='${Version}' daybook-agent 2>/dev/null)\n"
      "case \"$s\" in ii*) ;; *) v= ;; esac\n"
      "echo \"installed=$v\"\n"
      "new=" + ShellQuote(package_version) + "\n"
      "if [ -z \"$v\" ]; then echo compare=absent\n"
      "elif dpkg --compare-versions \"$new\" gt \"$v\"; then echo compare=newer\n"
      "elif dpkg --compare-versions \"$new\" eq \"$v\"; then echo compare=same\n"
      "else echo compare=older; fi\n"
      "echo \"uid=$(id -u)\"\n"
      "if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi\n"
      "k=$(daybook-agent --config /etc/daybook/agent.toml --print-host-key 2>/dev/null | head -n 1) && echo \"host_key=$k\"\n";
  return "sh -c " + ShellQuote(script);
}

Result<ProbeReport> ParseProbe(std::string_view out) {
  if (out.find("daybook-bootstrap probe") == std::string_view::npos) {
    return MakeError(ErrorCode::kFailed, "the host did not run the probe (no POSIX sh, or a login banner in the way?)");
  }
  ProbeReport report;
  for (const auto& [key, value] : KeyValues(out)) {
    if (key == "arch") report.architecture = value;
    if (key == "installed") report.installed = value;
    if (key == "compare") report.compare = value;
    if (key == "uid") report.root = value == "0";
    if (key == "systemd") report.systemd = value == "yes";
    if (key == "host_key") report.host_key = value;
  }
  if (report.architecture.empty()) {
    return MakeError(ErrorCode::kFailed, "the host has no dpkg: bootstrap installs the daybook-agent Debian package");
  }
  if (!IsValidName(report.architecture)) return MakeError(ErrorCode::kFailed, "the host printed a bad architecture");
  if (!report.installed.empty() && !IsDebianVersion(report.installed)) {
    return MakeError(ErrorCode::kFailed, "the host printed a bad installed version");
  }
  static const std::vector<std::string> kCompare{"absent", "newer", "same", "older"};
  if (std::find(kCompare.begin(), kCompare.end(), report.compare) == kCompare.end()) {
    return MakeError(ErrorCode::kFailed, "the host printed no version comparison");
  }
  return report;
}

std::string ApplyCommand(bool install, const std::string& sha256, const std::string& operators, const std::string& challenge) {
  std::string script =
      "set -u\n"
      "export DEBIAN_FRONTEND=noninteractive LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
      "fail() { printf 'error=%s\\n' \"$*\" | head -n 1 | cut -c1-600; exit 1; }\n"
      "conf=/etc/daybook/agent.toml\n";
  if (install) {
    script +=
        "d=$(mktemp -d /tmp/daybook-bootstrap.XXXXXXXX) || fail 'mktemp failed'\n"
        "trap 'rm -rf \"$d\"' EXIT\n"
        "cat > \"$d/daybook-agent.deb\" || fail 'could not receive the package'\n"
        "[ \"$(sha256sum < \"$d/daybook-agent.deb\" | cut -d' ' -f1)\" = " + ShellQuote(sha256) +
        " ] || fail 'the package arrived damaged (its SHA-256 differs)'\n"
        "[ \"$(dpkg-deb -f \"$d/daybook-agent.deb\" Package)\" = daybook-agent ] || fail 'the file is not the daybook-agent package'\n"
        "opts='-y -q -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef'\n"
        "if ! apt-get install $opts \"$d/daybook-agent.deb\" > \"$d/apt.log\" 2>&1; then\n"
        "  apt-get update -q >> \"$d/apt.log\" 2>&1\n"
        "  apt-get install $opts \"$d/daybook-agent.deb\" >> \"$d/apt.log\" 2>&1 ||"
        " { tail -n 15 \"$d/apt.log\" | sed 's/^/apt=/'; fail 'apt-get install of the package failed'; }\n"
        "fi\n";
  }
  script +=
      "command -v daybook-agent > /dev/null || fail 'daybook-agent is not installed'\n"
      "o=$(printf '%s' " + ShellQuote(operators) + " | daybook-agent --config \"$conf\" --install-operators 2>&1) ||"
      " fail \"writing authorized_operators: $o\"\n"
      "if [ -d /run/systemd/system ]; then\n"
      "  systemctl enable --quiet daybook-agent.service || fail 'systemctl enable daybook-agent failed'\n"
      "  if systemctl is-active --quiet daybook-agent.service; then systemctl reload daybook-agent.service;"
      " else systemctl start daybook-agent.service; fi ||"
      " fail \"the service did not start: $(systemctl status --no-pager -n 3 daybook-agent.service 2>&1 | tail -n 3 | tr '\\n' ' ')\"\n"
      "fi\n"
      "i=0\n"
      "while ! k=$(daybook-agent --config \"$conf\" --print-host-key --challenge " + ShellQuote(challenge) + " 2>/dev/null); do\n"
      "  i=$((i + 1)); [ \"$i\" -lt 100 ] || fail 'the agent wrote no host key in 20 s: is its service running?'; sleep 0.2\n"
      "done\n"
      "echo \"host_key=$(printf '%s\\n' \"$k\" | sed -n 1p)\"\n"
      "echo \"host_key_proof=$(printf '%s\\n' \"$k\" | sed -n 2p)\"\n"
      "echo \"installed=$(dpkg-query -W -f='${Version}' daybook-agent 2>/dev/null)\"\n";
  return "sh -c " + ShellQuote(script);
}

ApplyReport ParseApply(std::string_view out) {
  ApplyReport report;
  for (const auto& [key, value] : KeyValues(out)) {
    if (key == "host_key") report.host_key = value;
    if (key == "host_key_proof") report.host_key_proof = value;
    if (key == "installed") report.installed = IsDebianVersion(value) ? value : "";
    if (key == "error") report.error = TerminalSafe(Utf8Head(value, 600));
    if (key == "apt" && report.apt.size() < kMaxAptLines) report.apt.push_back(TerminalSafe(Utf8Head(value, 300)));
  }
  return report;
}

}  // namespace daybook::controller
