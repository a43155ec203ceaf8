// How the agent runs dnf and rpm, in one place for the backend and the
// facts: the root's flags, the environment, and `dnf needs-restarting -r`
// read so that an error is never taken for "reboot required".
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/exec/process_runner.h"

namespace daybook::agent {

struct DnfSettings {
  std::string root = "/";
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // one dnf run, its own wait for the rpm lock included
};

// dnf [-q] [--installroot=ROOT] ARGS with LC_ALL=C (the parsers read the C
// locale's words) and HOME=/root: Debian's rpm puts its database at
// ~/.rpmdb (%_dbpath is `echo ~/.rpmdb`), so a HOME that depends on how the
// agent was started would make dnf and rpm see an empty database there and
// answer "nothing installed, nothing to do". The agent runs as root; on RHEL
// the database path does not depend on HOME and this changes nothing.
exec::ProcessSpec DnfSpec(const DnfSettings& settings, std::vector<std::string> args, bool quiet = true);

// rpm -q[a] --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' [--root=ROOT] NAMES
// (every installed package when `names` is empty).
// `format`: rpm's --queryformat.
exec::ProcessSpec RpmQuerySpec(const DnfSettings& settings, const std::vector<std::string>& names,
                               const std::string& format = "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n");

struct RebootCheck {
  bool required = false;
  std::vector<std::string> packages;  // what needs-restarting names as updated since boot
};

// `dnf needs-restarting -r` (a dnf-plugins-core command; Debian ships no
// needs-restarting program). Exit 0: not required. Exit 1 with "Reboot is
// required": required, with its package list. Exit 1 is also what any dnf
// error gives ("No such command", a broken repo): that is an error here.
// In a sandbox root the plugin cannot run confined (it takes the boot time
// from /proc/1, which a PID namespace of its own makes "now"), so the agent
// does what it does (dnf-plugins-core 4.3 needs_restarting.py, -r): the
// packages it names (its built-in list and the root's
// /etc/dnf/plugins/needs-restarting.d/*.conf, read confined) whose rpm
// INSTALLTIME is after the host's boot (/proc/stat btime). In agent/pkg/dnf_reboot.cc.
Result<RebootCheck> CheckReboot(exec::ProcessRunner& runner, const DnfSettings& settings);

// The tool's own last words for an error message: stderr when it said
// something there, else stdout, escaped and bounded.
std::string ToolTail(const exec::ProcessResult& result);

}  // namespace daybook::agent
