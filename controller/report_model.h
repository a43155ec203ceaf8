// The figures of `daybook report` (issue 18), computed from a journal that
// was verified first. One JSON document, which `report --output json`
// prints and the HTML page (report_html.h) renders; a figure on the page is
// a figure in the JSON.
//
//   report          {origin, generated_at, since, until, counted_records (set by
//                    the command: the records the figures are read from)}   times RFC 3339 UTC
//   verification    {ok, code, message, records, sealed, operator_signatures,
//                    agent_signatures, tombstones, root, checkpoint_key,
//                    operators_checked, checked[]}
//   interventions[] {id, begun, ended, outcome, reason, operator, principal, ticket,
//                    kind push|rollback|bootstrap, what, targets, ok, failed, other}
//   weeks[]         {week (its Monday, YYYY-MM-DD), interventions}
//   hosts[]         {host, deploys[{name, tree, as_of}], pending_security, reboot_owed
//                    (true|false|null: never observed), as_of (packages last observed)}
//   deploys[]       {name, identical, trees[{tree, hosts[]}]}
//   patch_latency   {updates[{host, package, version, origin, first_seen, seen_by,
//                    applied, applied_by, exposure_days, open}], applied, open,
//                    median_days, worst_days, open_worst_days}   days: 2 decimals
//   reboots_owed[]  {host, since (first said owed, and owed ever since)}
//   access          who accessed each host, and what covered it (report_access.h)
//
// Patch latency: an update is first seen when a host.observed record (status,
// plan) lists it pending, or, if none did, when a push's own signed plan
// lists it (exposure from that push's start). It is applied at the host.result
// whose signed outcome installs it, or at the first observation that no
// longer lists it (applied outside daybook). Still pending: open, exposure so
// far counted up to `until` (or now).
#pragma once

#include <optional>
#include <vector>

#include "core/base/clock.h"
#include "core/journal/canonical.h"
#include "core/journal/query.h"
#include "core/journal/verify.h"

namespace daybook::controller {

struct ReportInput {
  const std::vector<journal::JournalEntry>* entries = nullptr;
  const journal::VerifyReport* verification = nullptr;
  std::optional<TimePoint> since, until;  // interventions begun in [since, until)
  TimePoint now{};
};

journal::Json BuildReport(const ReportInput& input);

}  // namespace daybook::controller
