// The dnf backend of PackageManager (RHEL 8/9 family): security upgrades
// come from the repositories' updateinfo (advisories); a host whose
// repositories carry no updateinfo at all cannot tell security fixes from
// other updates, and a security plan there is an error, never "nothing to
// do". With `root` other than "/", dnf and rpm work on --installroot/--root.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/pkg/package_manager.h"
#include "core/exec/process_runner.h"

namespace daybook::agent {

struct DnfSettings {
  std::string root = "/";
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // one dnf run, its own wait for the rpm lock included
};

std::unique_ptr<PackageManager> MakeDnfBackend(exec::ProcessRunner& runner, DnfSettings settings);

}  // namespace daybook::agent
