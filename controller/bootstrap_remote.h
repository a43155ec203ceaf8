// The remote half of `daybook bootstrap`: the POSIX sh command lines the
// operator's ssh(1) runs on a host, and the reading of what they print.
// Every value put into a command line is quoted here (ShellQuote); what a
// host prints is hostile input: only the "key=value" lines below are read,
// each bounded and checked, and apt's words are kept escaped and bounded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace daybook::controller {

// The agent package to install, read on the controller (dpkg-deb --field).
struct AgentPackage {
  std::string name;          // always "daybook-agent"
  std::string version;       // Debian version, checked: [0-9A-Za-z.+~:-]
  std::string architecture;  // "amd64", "all"...
  std::string sha256;        // hex, of `bytes`
  std::string bytes;         // the .deb
};

// `text` in single quotes for sh, any byte but NUL.
std::string ShellQuote(std::string_view text);

// true for a Debian version string (Debian Policy 5.6.12's alphabet).
bool IsDebianVersion(std::string_view version);

// `command` run through `sudo -n` as root (--become).
std::string Become(const std::string& command);

// What the host has. The probe prints "daybook-bootstrap probe", then
// arch=, installed= (the package's version when installed and configured,
// else empty), compare= (absent | newer | same | older: `package_version`
// against the installed one), uid=, systemd= (yes | no), and host_key= when
// an agent is installed and has one.
std::string ProbeCommand(const std::string& package_version);

struct ProbeReport {
  std::string architecture;
  std::string installed;  // "" = not installed (or not fully)
  std::string compare;    // absent | newer | same | older
  bool root = false;
  bool systemd = false;
  std::string host_key;  // "" when none (yet)
};
Result<ProbeReport> ParseProbe(std::string_view out);

// Installs the package read from stdin when `install` (apt-get, so its
// dependencies come from the host's own repositories; --force-confold
// keeps an agent.toml the admin wrote), checks its name and SHA-256 first;
// writes authorized_operators through the agent; enables and starts (or
// reloads) the service; prints the host key, its signature over
// `challenge` (agent --print-host-key --challenge) and the installed version.
std::string ApplyCommand(bool install, const std::string& sha256, const std::string& operators, const std::string& challenge);

struct ApplyReport {
  std::string host_key;  // "ssh-ed25519 BASE64"
  std::string host_key_proof;  // base64 signature over the challenge
  std::string installed;  // the package version now
  std::string error;      // the script's own words when it failed
  std::vector<std::string> apt;  // apt's last lines when the install failed (escaped)
};
// Reads what ApplyCommand printed, whatever the exit status.
ApplyReport ParseApply(std::string_view out);

}  // namespace daybook::controller
