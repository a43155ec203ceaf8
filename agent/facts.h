// What an agent tells about its host (the `facts` response): versions, OS,
// kernel, boot id, uptime, package backend, whether a reboot is required.
// Files are read through the Filesystem seam; uname comes from the caller.
#pragma once

#include <string>

#include "agent/config.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

struct Uname {
  std::string hostname;
  std::string kernel;  // release, e.g. "6.1.0-28-amd64"
};

// The package backend in use: the configured one, or for "auto" the one
// whose tool exists under the root (apt-get, then dnf), else "none".
std::string ResolveBackend(Filesystem& fs, const AgentConfig& config);

// reboot_required: the Debian-family flag file under root, or on an RPM
// host (dnf backend) `dnf needs-restarting -r` run through `runner`
// (agent/pkg/dnf_command.h); null when that fails.
protocol::Json CollectFacts(Filesystem& fs, exec::ProcessRunner& runner, const AgentConfig& config, const Uname& uname);

// KEY=value lines of os-release, unquoted.
std::string OsReleaseField(std::string_view os_release, std::string_view key);

}  // namespace daybook::agent
