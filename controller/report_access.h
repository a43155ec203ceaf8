// The report's "access" section (issue 19): per host, who accessed it, when,
// how, and whether a recorded intervention covered it, read from the
// host.access records (core/journal/access_record.h) of a verified journal.
//
//   access {hosts[{host, logins, refused, daybook_sessions, daybook_requests,
//                  unexplained, gaps[], last_collected,
//                  accesses[{seq, at, how, who, detail, outcome, covered_by}],
//                  accesses_omitted}],
//           logins, unexplained, gaps, hosts_collected}
//
// `accesses` are the host's own logins (ssh, sudo, su, console), newest
// kMaxListedAccesses kept (the rest counted in accesses_omitted); the
// agent's own sessions and requests are counted, since each is an
// operator's key on the daybook protocol.
//
// Covered: a login during an intervention that targets the host (from its
// begin to its end, kCoverSlack either side; an intervention never ended
// covers an hour), covered_by "intervention ID"; else during a daybook
// session on that host that changed it (apply, rollback: its hooks may run
// sudo), from the session line's ts minus its duration to its ts,
// covered_by "daybook session from PEER"; else null: unexplained.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "core/base/clock.h"
#include "core/journal/canonical.h"
#include "core/journal/query.h"

namespace daybook::controller {

constexpr auto kCoverSlack = std::chrono::minutes(5);
constexpr size_t kMaxListedAccesses = 500;

// Accesses at [since, until) from the sealed, verified `entries`.
journal::Json BuildAccessSection(const std::vector<journal::JournalEntry>& entries, std::optional<TimePoint> since,
                                 std::optional<TimePoint> until);

}  // namespace daybook::controller
