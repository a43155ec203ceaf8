// What dnf 4 (RHEL 8/9 family; Debian 12's 4.14 prints the same) and rpm
// print, parsed. Formats as run, LC_ALL=C, in ../shared/notes/dnf-real.md §3;
// recordings in tests/agent/recorded/dnf-*.txt:
//   dnf -q updateinfo list --all          "i DEMOSA-2026:1001 Important/Sec. demo-lib-1.0-2.x86_64"
//   dnf -q updateinfo list --security [--with-cve]   the same without the mark
//   dnf -q check-update                   "demo-ssl.x86_64  1:3.0-3  demo", then "Obsoleting Packages"
//   dnf upgrade --assumeno SPECS          the transaction table (Installing:, Upgrading:, ...)
//   dnf -q needs-restarting -r            "  * kernel" lines; exit 1 for "required" AND for errors
//   rpm -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'
// The output is a subprocess's: lines that do not have the shape are
// skipped, a line that has the shape but cannot be read is an error.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace daybook::agent {

struct DnfAdvisory {
  bool installed = false;  // "i " mark of `list --all`: the fix is installed
  std::string id;          // DEMOSA-2026:1001, or a CVE id with --with-cve
  std::string type;        // security | bugfix | enhancement | newpackage | unknown
  std::string severity;    // security only: Critical | Important | Moderate | Low | Unknown
  std::string nevra;       // demo-ssl-1:3.0-2.x86_64 (epoch only when not 0)
  std::string name;
  std::string version;     // [epoch:]version-release
  std::string arch;
};
Result<std::vector<DnfAdvisory>> ParseDnfUpdateinfo(std::string_view output);

// NAME-[EPOCH:]VERSION-RELEASE.ARCH → name, [epoch:]version-release, arch.
bool SplitNevra(const std::string& nevra, std::string& name, std::string& version, std::string& arch);

struct DnfUpdate {
  std::string name, arch, version, repo;
  std::vector<std::string> obsoletes;  // installed "name.arch" it replaces (Obsoleting Packages)
};
// check-update's list; an obsoleting package carries what it replaces, and
// the replaced installed package is not an update of its own.
Result<std::vector<DnfUpdate>> ParseDnfCheckUpdate(std::string_view output);

struct DnfTransactionItem {
  // install | upgrade | dependency | reinstall | downgrade | remove |
  // obsoleted (a "replacing" line) | skipped | other (a section we do not know)
  std::string action;
  std::string section;  // dnf's heading, for messages
  std::string name, arch, version, repo;
};
// The table `dnf upgrade --assumeno` prints (not with -q: -q hides it).
// Rows wrap when a column overflows; continuation lines are joined.
Result<std::vector<DnfTransactionItem>> ParseDnfTransaction(std::string_view output);

// `  * name` lines of needs-restarting -r.
std::vector<std::string> ParseNeedsRestartingPackages(std::string_view output);

// rpm -qa/-q lines "name E:V-R" → name → every installed version (an
// installonly kernel has several), epoch 0 left out, in rpm order.
std::map<std::string, std::vector<std::string>> ParseRpmVersions(std::string_view output);

}  // namespace daybook::agent
