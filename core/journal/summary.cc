#include "core/journal/summary.h"

#include <vector>

#include "core/base/strings.h"
#include "core/journal/record.h"

namespace daybook::journal {
namespace {

std::string Str(const Json& j, const char* key) { return StringField(j, key).value_or(""); }

}  // namespace

std::string PatchSummary(const Json& result) {
  const Json& patch = MemberOr(result, "patch");
  if (!patch.is_object()) return "";
  int upgraded = 0;
  const Json& packages = MemberOr(result, "packages");
  for (size_t i = 0; packages.is_array() && i < packages.size(); ++i) {
    upgraded += MemberOr(packages[i], "before") != MemberOr(packages[i], "after") ? 1 : 0;
  }
  std::string status = Str(patch, "status");
  return (status.empty() ? "?" : status) + ": " + std::to_string(upgraded) + " upgraded" +
         (result.is_object() && result.contains("reboot") ? ", rebooted" : "");
}

std::string HostResultSummary(const Json& r) {
  std::vector<std::string> parts;
  if (std::string patch = PatchSummary(r); !patch.empty()) parts.push_back("patch " + patch);
  const Json& deploys = MemberOr(r, "deploys");
  if (deploys.is_array()) {
    std::string list;
    for (const Json& d : deploys) {
      std::string from = Str(d, "from").substr(0, 8), to = Str(d, "to").substr(0, 8);
      list += (list.empty() ? "" : " ") + Str(d, "name") + " " + (from.empty() ? "-" : from) + "→" + to + " " + Str(d, "status");
    }
    if (!list.empty()) parts.push_back(list);
  }
  if (const Json& b = MemberOr(r, "bootstrap"); b.is_object()) parts.push_back("agent " + Str(b, "action") + " " + Str(b, "version"));
  return Join(parts, "; ");
}

}  // namespace daybook::journal
