// Nothing done goes unrecorded (issue 15). A controller that stops before
// it journals what a host did (a second Ctrl-C, a crash, its machine dying)
// leaves an intervention with no end record, and the host's signed answer
// only on the host: agents keep every answer to a request that changed
// them until a controller acknowledges it (agent/result_store.h).
//
// Reconcile asks hosts which answers they keep (results.list), and for each:
//  - the journal already holds that host's result: acknowledge it;
//  - its intervention is open and lacks that host's result: fetch the kept
//    answer (results.fetch, signed by the agent's pinned key), check that it
//    is bound to this host, intervention and begin record, journal it as the
//    push would have (host.result with the agent's signature), then
//    acknowledge it;
//  - an intervention this journal does not know, or closed without it:
//    left alone (the agent's bounds expire it).
// Then every open intervention whose targets were all asked is closed: a
// target with no result and no kept answer is journaled as skipped (never
// started, or stopped before its agent saved an answer; a host still
// carrying the request out says so and keeps it open), and
// intervention.end says `interrupted`, signed by the operator who
// reconciled. An intervention with a target that could not be asked stays
// open, and says so, unless the operator gives up on that target's result
// (ReconcileOptions::abandon): it is journaled `unknown` (it may have done
// anything: it cannot be asked), and the end record, signed by the
// operator, names it. The targets are the begin record's, so a host that
// has left the inventory since still counts, and can only be abandoned.
//
// push and rollback reconcile their hosts first; `daybook journal
// reconcile` reconciles every target of every open intervention.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "controller/fleet_session.h"

namespace daybook::controller {

struct ReconcileReport {
  std::vector<std::string> recovered;     // "intervention host" journaled from kept answers
  size_t acknowledged = 0;                // kept answers the agents forgot
  std::vector<std::string> closed;        // interventions closed as interrupted
  std::vector<std::string> abandoned;     // "intervention host" journaled unknown (ReconcileOptions::abandon)
  std::vector<std::string> still_open;    // "id: why" (a target not asked or unreachable)
  std::vector<std::string> host_errors;   // "host: why"
};

// What `daybook journal reconcile` adds to what push and rollback do.
struct ReconcileOptions {
  // Targets no longer in the inventory are in reach of this command: an
  // intervention that waits only for them is reported (or, abandoned,
  // closed), not passed over.
  bool include_departed = false;
  // Targets whose result the operator gives up on when they cannot be
  // asked (no longer in the inventory, or unreachable): journaled
  // `unknown`, so their interventions can close. A target that answers is
  // reconciled as usual.
  std::set<std::string> abandon;
};

// Reconciles through `hosts` (names of the session's inventory). Errors
// are the journal's (it cannot be read or written); a host that cannot be
// reached is reported, not an error.
Result<ReconcileReport> Reconcile(Env& env, const GlobalOptions& global, FleetSession& session,
                                  const std::vector<std::string>& hosts, const ReconcileOptions& options = {});

// One line per recovered result, closed or still-open intervention and
// host error, prefixed "reconcile: ", on `out`. Nothing when there was
// nothing to do.
void PrintReconcileReport(std::ostream& out, const ReconcileReport& report);

}  // namespace daybook::controller
