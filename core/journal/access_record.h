// host.access records (issue 19): what `daybook access collect` took from an
// agent's access log (agent/access_log.h), kept as the agent signed it:
//
//   {"type":"host.access", "host":H, "observe":HEX32, "after":N,
//    "gap":TEXT (only when there is one),
//    "agent":{"key":OPENSSH, "response":{"type":"access.list", "entries":[LINE...],
//             "next_seq":N, "logins":BOOL, "observe", "journal", "observed_at"}, "sig":B64}}
//
// `after` is the seq the collector asked after: the last line the journal
// held for the host (-1: none, or the agent's log started over). The lines
// are the agent's, byte for byte, so their hash chain (access_chain.h)
// carries on from one record to the next. `gap` says where it does not: a
// line edited or removed in the agent's log, lines cut before anyone
// collected them, a log replaced. The collector writes it and `journal
// verify` computes it again from the records before (AccessGap), so no gap
// can be left unsaid.
//
// After retention tombstoned a host's older records, the first record left
// cannot be compared with them: verify then checks it on its own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/result.h"
#include "core/crypto/ed25519.h"
#include "core/journal/canonical.h"

namespace daybook::journal {

// What the journal holds of one host's access log.
struct AccessCursor {
  bool known = true;       // false: older records were pruned, continuity is not checked
  int64_t last_seq = -1;   // the last line collected (-1: none)
  std::string last_hash;   // its hash (access_chain.h); kAccessChainStart when none
};

// Every host's cursor, as the journal's records say in order.
class AccessCursors {
 public:
  // Takes note of a parsed record (any type; a host.access tombstone makes
  // hosts not seen since unknown).
  void Note(const Json& record);
  void NotePruned() { pruned_ = true; }
  AccessCursor For(const std::string& host) const;

 private:
  std::map<std::string, AccessCursor> hosts_;
  bool pruned_ = false;
};

// The record's fields are well formed.
Status CheckAccessSchema(const Json& record);

// The answer signed by `pinned`, an access.list echoing the record's
// observe and `origin`, observed within kObservationSkew of the record's ts,
// its entries strings (at most kMaxAccessListEntries).
Status CheckAccessAnswer(const Json& record, const crypto::Ed25519Public& pinned, const std::string& origin);

// What does not chain in `response` (an access.list answer asked after
// `after`), given what the journal held: "" when nothing.
std::string AccessGap(const AccessCursor& before, int64_t after, const Json& response);

// The cursor once `response` is journaled.
AccessCursor AccessCursorAfter(const AccessCursor& before, const Json& response);

// One access, read from an agent's log line: for show, report and CSV.
struct AccessEntry {
  int64_t seq = -1;
  std::string event;     // session, request, unauthenticated, login
  TimePoint at;          // login: the host's record time; else the line's ts
  std::string how;       // ssh, sudo, su, console; "daybook" for sessions and requests
  std::string who;       // user, or the operator key's fingerprint
  std::string detail;    // "from 10.0.0.1 key ED25519 SHA256:..", "as root: /usr/bin/id", request type
  std::string outcome;   // accepted, refused, ok, failed...
  std::string intervention;  // a request's
  std::string type;          // a request's: apply, deploy.rollback...
  std::chrono::milliseconds duration{0};  // a session's
};

// The entries of a host.access record, in order (unreadable lines skipped).
std::vector<AccessEntry> ReadAccessEntries(const Json& record);

// "12 entries (seq 5-16): 3 logins, 9 daybook; GAP: ..."
std::string AccessSummary(const Json& record);

}  // namespace daybook::journal
