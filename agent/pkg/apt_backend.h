// The apt backend of PackageManager: apt-get and dpkg run through the
// ProcessRunner with LC_ALL=C and DEBIAN_FRONTEND=noninteractive. With
// `root` other than "/", every apt and dpkg command runs with that root as
// its "/", confined by bubblewrap (ProcessSpec::root_dir,
// core/exec/sandbox_argv.h: no host tree in view, no mount, no device, a
// PID namespace and capabilities of a container's): the root's own
// apt and dpkg with the root's configuration, so its hooks (debconf's
// dpkg-preconfigure...) run inside it, users and groups resolve in its
// /etc, dpkg logs to its /var/log, and nothing of the host is read or
// written. The root therefore needs its own apt and dpkg, as a
// debootstrapped root has (tests/fixtures/apt_sandbox.sh builds a small one).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/pkg/apt_origins.h"
#include "agent/pkg/package_manager.h"
#include "core/base/filesystem.h"
#include "core/exec/process_runner.h"

namespace daybook::agent {

struct AptSettings {
  std::string root = "/";
  std::filesystem::path state_dir;                              // the agent's state (not inside the root)
  std::vector<OriginPattern> security_origins;                  // empty: kDefaultSecurityOrigins
  std::chrono::seconds lock_timeout{std::chrono::minutes(2)};   // waiting for the dpkg lock
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // one apt-get run
};

std::unique_ptr<PackageManager> MakeAptBackend(Filesystem& fs, exec::ProcessRunner& runner, AptSettings settings);

}  // namespace daybook::agent
