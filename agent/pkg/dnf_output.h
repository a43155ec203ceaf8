// What dnf (4, RHEL 8/9 family) prints, parsed:
//   dnf -q updateinfo list --security [--with-cve]
//     RHSA-2024:3339 Important/Sec. glibc-2.34-100.el9_4.2.x86_64
//     CVE-2024-33599 Important/Sec. glibc-2.34-100.el9_4.2.x86_64
//   rpm -q --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' NAMES
//   needs-restarting -r   (exit 1: reboot required; 0: not)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace daybook::agent {

struct DnfAdvisory {
  std::string id;        // RHSA-2024:3339, or a CVE id with --with-cve
  std::string severity;  // Critical | Important | Moderate | Low | None
  std::string nevra;     // glibc-2.34-100.el9_4.2.x86_64, epoch included when not 0
  std::string name;      // glibc
  std::string version;   // 2.34-100.el9_4.2 (epoch:version-release)
  std::string arch;
};

// Lines that are not advisories ("Last metadata expiration check...") are
// skipped; a line that looks like one but cannot be read is an error.
Result<std::vector<DnfAdvisory>> ParseDnfUpdateinfo(std::string_view output);

// NAME-[EPOCH:]VERSION-RELEASE.ARCH → name, [epoch:]version-release, arch.
bool SplitNevra(const std::string& nevra, std::string& name, std::string& version, std::string& arch);

// "name 0:1.2-3" lines → name → version (epoch 0 left out).
std::map<std::string, std::string> ParseRpmVersions(std::string_view output);

}  // namespace daybook::agent
