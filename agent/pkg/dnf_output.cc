#include "agent/pkg/dnf_output.h"

#include <algorithm>

#include "agent/pkg/rpm_version.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

std::vector<std::string> Fields(std::string_view line) {
  std::vector<std::string> fields;
  for (const std::string& f : Split(line, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  return fields;
}

// Names, versions, ids and repo ids are printable ASCII in rpm and dnf, and
// none starts with '-'; anything else goes nowhere near a JSON answer or a
// command line (a "name" like --setopt=... would be an option to dnf).
bool IsToken(std::string_view s) {
  return !s.empty() && s.front() != '-' && std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Error Unreadable(std::string_view what, std::string_view line) {
  return MakeError(ErrorCode::kFailed, "unreadable " + std::string(what) + " line: " + Utf8Head(ReadableText(line), 300));
}

// "name.arch" → name, arch.
bool SplitNameArch(const std::string& name_arch, std::string& name, std::string& arch) {
  size_t dot = name_arch.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name_arch.size()) return false;
  name = name_arch.substr(0, dot);
  arch = name_arch.substr(dot + 1);
  return true;
}

const std::vector<std::string> kAdvisoryTypes = {"bugfix", "enhancement", "security", "newpackage", "unknown"};

}  // namespace

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
  return !name.empty() && name.front() != '-' && !arch.empty() && version.find('-') != std::string::npos;
}

Result<std::vector<DnfAdvisory>> ParseDnfUpdateinfo(std::string_view output) {
  std::vector<DnfAdvisory> advisories;
  for (const std::string& raw : Split(output, '\n')) {
    std::string_view line = raw;
    DnfAdvisory a;
    // `list --all` marks each line: "i " installed, "  " available.
    if (StartsWith(line, "i ")) {
      a.installed = true;
      line.remove_prefix(2);
    }
    std::vector<std::string> f = Fields(line);
    // ID LABEL NEVRA; LABEL is "Severity/Sec." or the advisory's type.
    if (f.size() != 3) continue;
    bool security = f[1].size() > 5 && f[1].substr(f[1].size() - 5) == "/Sec.";
    if (!security && std::find(kAdvisoryTypes.begin(), kAdvisoryTypes.end(), f[1]) == kAdvisoryTypes.end()) continue;
    a.id = f[0];
    a.type = security ? "security" : f[1];
    if (security) a.severity = f[1].substr(0, f[1].size() - 5);
    a.nevra = f[2];
    if (!IsToken(a.id) || !IsToken(a.nevra) || !SplitNevra(a.nevra, a.name, a.version, a.arch)) {
      return Unreadable("dnf updateinfo", raw);
    }
    advisories.push_back(std::move(a));
  }
  return advisories;
}

Result<std::vector<DnfUpdate>> ParseDnfCheckUpdate(std::string_view output) {
  std::vector<DnfUpdate> updates;
  bool obsoleting = false;
  for (const std::string& raw : Split(output, '\n')) {
    if (Trim(raw) == "Obsoleting Packages") {
      obsoleting = true;
      continue;
    }
    std::vector<std::string> f = Fields(raw);
    if (f.size() != 3 || f[0].find('.') == std::string::npos) continue;  // blank lines, "Security: ..." notes
    DnfUpdate u;
    if (!IsToken(f[1]) || !IsToken(f[2]) || !SplitNameArch(f[0], u.name, u.arch) || !IsToken(f[0])) {
      return Unreadable("dnf check-update", raw);
    }
    // Under "Obsoleting Packages" an indented line is the installed package
    // the line above replaces: not an update of its own.
    if (obsoleting && StartsWith(raw, " ")) {
      if (updates.empty()) return Unreadable("dnf check-update", raw);
      updates.back().obsoletes.push_back(f[0]);
      continue;
    }
    u.version = f[1];
    u.repo = f[2];
    // An obsoleting package may also be listed as a plain update: one entry.
    auto same = std::find_if(updates.begin(), updates.end(), [&](const DnfUpdate& x) {
      return x.name == u.name && x.arch == u.arch && x.version == u.version;
    });
    if (same == updates.end()) updates.push_back(std::move(u));
  }
  return updates;
}

namespace {

std::string ActionOf(const std::string& heading) {
  static const std::map<std::string, std::string> kActions = {
      {"Installing", "install"},         {"Upgrading", "upgrade"},
      {"Reinstalling", "reinstall"},     {"Downgrading", "downgrade"},
      {"Installing dependencies", "dependency"}, {"Installing weak dependencies", "dependency"},
      {"Removing", "remove"},            {"Removing dependent packages", "remove"},
      {"Removing unused dependencies", "remove"}};
  auto it = kActions.find(heading);
  if (it != kActions.end()) return it->second;
  return StartsWith(heading, "Skipping packages") ? "skipped" : "other";
}

}  // namespace

Result<std::vector<DnfTransactionItem>> ParseDnfTransaction(std::string_view output) {
  std::vector<DnfTransactionItem> items;
  std::string section;             // empty until the first heading
  std::vector<std::string> row;    // fields of the row being read (it may wrap)
  std::string row_text;
  auto flush = [&]() -> Status {
    if (row.empty()) return OkStatus();
    if (row.size() < 4 || !IsToken(row[0]) || !IsToken(row[1]) || !IsToken(row[2]) || !IsToken(row[3])) {
      return Unreadable("dnf transaction", row_text);
    }
    items.push_back({ActionOf(section), section, row[0], row[1], row[2], row[3]});
    row.clear();
    row_text.clear();
    return OkStatus();
  };
  for (const std::string& line : Split(output, '\n')) {
    if (StartsWith(line, "Transaction Summary")) break;
    // A heading: "Upgrading:". The skip heading has a second line,
    // "(add '--best --allowerasing' to command line ...):", that is not one.
    if (!line.empty() && line[0] != ' ' && line[0] != '(' && line.back() == ':') {
      if (Status s = flush(); !s) return s.error();
      section = line.substr(0, line.size() - 1);
      continue;
    }
    if (section.empty() || Trim(line).empty()) continue;
    std::vector<std::string> f = Fields(line);
    if (f[0] == "replacing" && StartsWith(line, "  ")) {
      // "     replacing  demo-old.x86_64 1.0-1": removed by the row above.
      if (Status s = flush(); !s) return s.error();
      DnfTransactionItem gone{"obsoleted", section, "", "", "", ""};
      if (f.size() != 3 || !IsToken(f[2]) || !SplitNameArch(f[1], gone.name, gone.arch) || !IsToken(f[1])) {
        return Unreadable("dnf transaction", line);
      }
      gone.version = f[2];
      items.push_back(std::move(gone));
      continue;
    }
    if (line[0] == ' ' && line.size() > 1 && line[1] != ' ') {  // a new row
      if (Status s = flush(); !s) return s.error();
    } else if (line[0] != ' ') {
      continue;  // a continuation of a two-line heading, "(add '--best ...')"
    }
    row.insert(row.end(), f.begin(), f.end());
    row_text += line;
  }
  if (Status s = flush(); !s) return s.error();
  return items;
}

std::vector<std::string> ParseNeedsRestartingPackages(std::string_view output) {
  std::vector<std::string> packages;
  for (const std::string& line : Split(output, '\n')) {
    if (!StartsWith(line, "  * ")) continue;
    std::string name(Trim(line.substr(4)));
    if (IsToken(name) && packages.size() < 1000) packages.push_back(name);
  }
  return packages;
}

std::map<std::string, std::vector<std::string>> ParseRpmVersions(std::string_view output) {
  std::map<std::string, std::vector<std::string>> versions;
  for (const std::string& line : Split(output, '\n')) {
    std::vector<std::string> f = Fields(line);
    // "package x is not installed" and anything else is not a version line.
    if (f.size() != 2 || f[1].find(':') == std::string::npos || !IsToken(f[0]) || !IsToken(f[1])) continue;
    std::string version = StartsWith(f[1], "0:") ? f[1].substr(2) : f[1];
    std::vector<std::string>& list = versions[f[0]];
    if (std::find(list.begin(), list.end(), version) == list.end()) list.push_back(version);
  }
  for (auto& [name, list] : versions) {
    std::sort(list.begin(), list.end(), [](const std::string& a, const std::string& b) { return RpmEvrCompare(a, b) < 0; });
  }
  return versions;
}

}  // namespace daybook::agent
