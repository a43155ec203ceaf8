// host.access records (issue 19): the gap a collector must say, computed
// the same way by `journal verify`, for each way an agent's access log can
// stop chaining to what the journal holds.
#include "core/journal/access_record.h"

#include <doctest/doctest.h>

#include "core/journal/access_chain.h"
#include "core/journal/record.h"

using namespace daybook;
using namespace daybook::journal;

namespace {

// Lines seq from..to-1, chained from `prev`.
std::vector<std::string> Chain(int64_t from, int64_t to, std::string prev = kAccessChainStart) {
  std::vector<std::string> out;
  for (int64_t seq = from; seq < to; ++seq) {
    out.push_back(Canonical(Json{{"seq", seq}, {"ts", "2026-11-30T10:00:00.000Z"}, {"prev", prev}, {"event", "session"},
                                 {"peer", "10.0.0.1:1"}}));
    prev = AccessLineHash(out.back());
  }
  return out;
}

Json Answer(const std::vector<std::string>& lines, int64_t next_seq) {
  return {{"type", "access.list"}, {"entries", lines}, {"next_seq", next_seq}};
}

}  // namespace

TEST_CASE("access gap: none when the log carries on from the journal's last line") {
  std::vector<std::string> all = Chain(0, 6);
  AccessCursor fresh;
  fresh.last_hash = kAccessChainStart;
  std::vector<std::string> first(all.begin(), all.begin() + 3), rest(all.begin() + 3, all.end());
  CHECK(AccessGap(fresh, -1, Answer(first, 3)) == "");
  AccessCursor after = AccessCursorAfter(fresh, Answer(first, 3));
  CHECK(after.last_seq == 2);
  CHECK(AccessGap(after, 2, Answer(rest, 6)) == "");
  CHECK(AccessGap(after, 2, Answer({}, 3)) == "");  // nothing new
}

TEST_CASE("access gap: each way a log stops chaining is said") {
  std::vector<std::string> all = Chain(0, 8);
  AccessCursor fresh;
  fresh.last_hash = kAccessChainStart;
  AccessCursor at2 = AccessCursorAfter(fresh, Answer({all.begin(), all.begin() + 3}, 3));
  // Lines 3 and 4 cut before anyone collected them.
  CHECK(AccessGap(at2, 2, Answer({all.begin() + 5, all.end()}, 8)).find("lines seq 3 to 4 were never collected") != std::string::npos);
  // Line 3 edited: it no longer hashes to what line 4 names, and a line 3
  // written anew does not follow line 2.
  std::vector<std::string> edited(all.begin() + 3, all.end());
  edited[0].replace(edited[0].find("10.0.0.1"), 8, "10.6.6.6");
  CHECK(AccessGap(at2, 2, Answer(edited, 8)).find("line seq 3 was edited, or seq 4 does not follow it") != std::string::npos);
  std::vector<std::string> forged = Chain(3, 5, std::string(64, 'f'));
  CHECK(AccessGap(at2, 2, Answer(forged, 5)).find("does not follow the last line collected") != std::string::npos);
  // A line removed in the middle.
  std::vector<std::string> removed(all.begin() + 3, all.end());
  removed.erase(removed.begin() + 1);
  CHECK(AccessGap(at2, 2, Answer(removed, 8)).find("line seq 4 is missing (removed): the next line is seq 5") != std::string::npos);
  // The log replaced by a new one, started over.
  CHECK(AccessGap(at2, -1, Answer(Chain(0, 2), 2)).find("starts over at seq 0") != std::string::npos);
  // Emptied: fewer lines than were collected.
  CHECK(AccessGap(at2, -1, Answer({}, 1)).find("ends at seq 0") != std::string::npos);
  CHECK(AccessGap(at2, -1, Answer({}, 0)).find("the agent's log is empty") != std::string::npos);
  // An answer cut by size says "more": no gap for the lines it left for the next page.
  Json cut = Answer({all.begin() + 3, all.begin() + 5}, 8);
  cut["more"] = true;
  CHECK(AccessGap(at2, 2, cut) == "");
  // The tail cut: the agent says more lines exist than it handed over.
  CHECK(AccessGap(at2, 2, Answer({all.begin() + 3, all.begin() + 5}, 8)).find("lines seq 5 to 7 are missing") != std::string::npos);
  // The first collect of a log that was cut before: its start is no chain start.
  CHECK(AccessGap(fresh, -1, Answer({all.begin() + 4, all.end()}, 8)).find("lines seq 0 to 3 were never collected") != std::string::npos);
  // A collector that asks after the wrong seq is caught too.
  CHECK(AccessGap(at2, 5, Answer({all.begin() + 6, all.end()}, 8)).find("asked after seq 5") != std::string::npos);
}

TEST_CASE("access gap: after retention, a host's first record left is checked on its own") {
  AccessCursors cursors;
  cursors.NotePruned();
  AccessCursor unknown = cursors.For("vm1");
  CHECK_FALSE(unknown.known);
  std::vector<std::string> all = Chain(0, 8);
  CHECK(AccessGap(unknown, 4, Answer({all.begin() + 5, all.end()}, 8)) == "");
  CHECK(AccessGap(unknown, 2, Answer({all.begin() + 5, all.end()}, 8)).find("the first line is seq 5") != std::string::npos);
}

TEST_CASE("access entries: logins and daybook's own lines read for show and report") {
  std::vector<std::string> lines = Chain(0, 1);
  Json login = {{"seq", 1}, {"ts", "2026-11-30T10:05:00.000Z"}, {"prev", AccessLineHash(lines[0])}, {"event", "login"},
                {"how", "ssh"}, {"user", "alice"}, {"outcome", "accepted"}, {"at", "2026-11-30T10:04:59.000Z"},
                {"source", "192.0.2.7"}, {"key", "ED25519 SHA256:x"}, {"cursor", "1:2"}};
  lines.push_back(Canonical(login));
  Json record = {{"type", "host.access"}, {"host", "vm1"}, {"agent", {{"response", Answer(lines, 2)}}}};
  std::vector<AccessEntry> entries = ReadAccessEntries(record);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].how == "daybook");
  CHECK(entries[1].who == "alice");
  CHECK(FormatTimestamp(entries[1].at) == "2026-11-30T10:04:59.000Z");  // the host's time of the login
  CHECK(entries[1].detail == "from 192.0.2.7 key ED25519 SHA256:x");
  CHECK(AccessSummary(record) == "2 entries (seq 0-1): 1 host login(s), 1 daybook; ssh alice from 192.0.2.7 key ED25519 SHA256:x at 2026-11-30T10:04:59.000Z");
  record["gap"] = "lines seq 3 to 4 were never collected";
  CHECK(AccessSummary(record).rfind("GAP: lines seq 3 to 4", 0) == 0);
}
