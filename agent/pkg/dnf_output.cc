#include "agent/pkg/dnf_output.h"

#include "core/base/strings.h"

namespace daybook::agent {

bool SplitNevra(const std::string& nevra, std::string& name, std::string& version, std::string& arch) {
  size_t dot = nevra.rfind('.');
  if (dot == std::string::npos) return false;
  arch = nevra.substr(dot + 1);
  std::string nevr = nevra.substr(0, dot);
  size_t release_dash = nevr.rfind('-');
  if (release_dash == std::string::npos || release_dash == 0) return false;
  size_t version_dash = nevr.rfind('-', release_dash - 1);
  if (version_dash == std::string::npos || version_dash == 0) return false;
  name = nevr.substr(0, version_dash);
  version = nevr.substr(version_dash + 1);
  return !name.empty() && !arch.empty() && version.find('-') != std::string::npos;
}

Result<std::vector<DnfAdvisory>> ParseDnfUpdateinfo(std::string_view output) {
  std::vector<DnfAdvisory> advisories;
  for (const std::string& raw : Split(output, '\n')) {
    std::vector<std::string> fields;
    for (const std::string& f : Split(Trim(raw), ' ')) {
      if (!f.empty()) fields.push_back(f);
    }
    // An advisory line: ID SEVERITY/TYPE NEVRA. dnf 4 writes "Important/Sec.".
    if (fields.size() != 3 || fields[1].find("/Sec.") == std::string::npos) continue;
    DnfAdvisory a;
    a.id = fields[0];
    a.severity = fields[1].substr(0, fields[1].find('/'));
    a.nevra = fields[2];
    if (!SplitNevra(a.nevra, a.name, a.version, a.arch)) {
      return MakeError(ErrorCode::kFailed, "unreadable dnf updateinfo line: " + std::string(Trim(raw)));
    }
    advisories.push_back(std::move(a));
  }
  return advisories;
}

std::map<std::string, std::string> ParseRpmVersions(std::string_view output) {
  std::map<std::string, std::string> versions;
  for (const std::string& line : Split(output, '\n')) {
    std::vector<std::string> fields = Split(Trim(line), ' ');
    if (fields.size() != 2 || fields[1].find(':') == std::string::npos) continue;  // "package x is not installed"
    std::string version = fields[1];
    if (StartsWith(version, "0:")) version = version.substr(2);
    versions[fields[0]] = version;
  }
  return versions;
}

}  // namespace daybook::agent
