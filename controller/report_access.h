// The report's "access" section (issue 19): per host, who accessed it, when,
// how, and whether a recorded intervention covered it, read from the
// host.access records (core/journal/access_record.h) of a verified journal.
//
//   access {hosts[{host, login_records ("read", "off": the agent reads none,
//                  "error: ..."; as its last record says), logins, refused,
//                  daybook_sessions, daybook_requests, unexplained, gaps[],
//                  last_collected,
//                  accesses[{seq, at, how, who, detail, outcome, covered_by,
//                            near_gap (journaled in a record that flags a gap)}],
//                  accesses_omitted}],
//           logins, unexplained, gaps, hosts_collected, unread (hosts whose
//           logins are not read)}
//
// `accesses` are the host's own logins (ssh, sudo, su, console), newest
// kMaxListedAccesses kept (the rest counted in accesses_omitted); the
// agent's own sessions and requests are counted, since each is an
// operator's key on the daybook protocol.
//
// Covered: a login during an intervention that targets the host (from its
// begin to kCoverSlack after its end, none: the begin authorises, the end
// closes; an intervention never ended covers an hour),
// covered_by "intervention ID"; else while the agent carried out a change
// request on that host (apply, rollback: its hooks may run sudo), from the
// request's "started" line to its result, at most a day, covered_by
// "daybook apply of intervention ID"; else null: unexplained (refused
// attempts are listed, never counted unexplained). Coverage is by time and
// host: it does not match the login's user to the intervention's operator.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "core/base/clock.h"
#include "core/journal/canonical.h"
#include "core/journal/query.h"

namespace daybook::controller {

constexpr auto kCoverSlack = std::chrono::minutes(0);
constexpr size_t kMaxListedAccesses = 500;

// Accesses at [since, until) from the sealed, verified `entries`.
journal::Json BuildAccessSection(const std::vector<journal::JournalEntry>& entries, std::optional<TimePoint> since,
                                 std::optional<TimePoint> until);

}  // namespace daybook::controller
