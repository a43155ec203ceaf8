// Broken dpkg state of a Debian root, as PackageManager findings: dpkg's
// journal of an interrupted run (var/lib/dpkg/updates/), packages left not
// fully installed (half-configured, half-installed, unpacked, awaiting
// triggers, or needing a reinstall), and a dpkg lock another process holds
// (lock-frontend, then lock: the fcntl locks apt and dpkg take). Any of
// them makes apt refuse or fail half way, and `apt-get install` would first
// finish the interrupted work, running the scripts of packages a manifest
// may exclude. Read only: nothing is created or locked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/pkg/package_manager.h"
#include "core/base/filesystem.h"

namespace daybook::agent {

// The dpkg-query -f format DpkgFindings reads: name, status, error flag.
inline constexpr const char* kDpkgStatusFormat = "-f=${Package}\t${db:Status-Status}\t${db:Status-Eflag}\n";

// `statuses` is the output of `dpkg-query -W` with kDpkgStatusFormat, run in
// `root`; the files are read under `root` with links resolved inside it.
// `fix_prefix` is put before the commands a fix names ("bwrap --bind /srv/r / ... "
// when the root is not "/"). An error when a file cannot be read.
Result<std::vector<PackageFinding>> DpkgFindings(Filesystem& fs, const std::string& root, std::string_view statuses,
                                                 const std::string& fix_prefix);

}  // namespace daybook::agent
