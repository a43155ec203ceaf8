// One line saying what a host.result record reports, the same wherever it
// is read: `journal show`'s table, the CSV export's "summary" cell (which
// `verify-export` recomputes), push's table.
#pragma once

#include <string>

#include "core/journal/canonical.h"

namespace daybook::journal {

// "ok: 4 upgraded, rebooted" from a result's patch, packages and reboot
// fields; "" when it has no patch.
std::string PatchSummary(const Json& result);

// "patch ok: 4 upgraded; app 24fcc3c3→4458a6f0 ok; agent installed 0.1.0-1":
// the parts a host.result has, joined by "; " (its error is not included).
std::string HostResultSummary(const Json& record);

}  // namespace daybook::journal
