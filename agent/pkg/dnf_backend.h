// The dnf backend of PackageManager (RHEL 8/9 family): security upgrades
// come from the repositories' updateinfo (advisories); a host whose
// repositories carry no updateinfo at all cannot tell security fixes from
// other updates, and a security plan there is an error, never "nothing to
// do". With `root` other than "/", dnf and rpm work on --installroot/--root.
//
// The plan names exact versions: per package the newest version an
// advisory names (rpm order; policy "all": the newest version), as NEVRAs.
// Those NEVRAs are what a `dnf upgrade --assumeno` preview resolves (adding
// dependencies, obsoleted and removed packages to the plan) and what Apply
// installs, so nothing newer than the advisory comes along. Apply compares
// the rpm database before and after with the plan, and a difference is a
// failure that names it. docs/patch.md says the same for operators.
#pragma once

#include <memory>

#include "agent/pkg/dnf_command.h"
#include "agent/pkg/package_manager.h"
#include "core/exec/process_runner.h"

namespace daybook::agent {

std::unique_ptr<PackageManager> MakeDnfBackend(exec::ProcessRunner& runner, DnfSettings settings);

}  // namespace daybook::agent
