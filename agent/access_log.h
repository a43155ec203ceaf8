// The agent's own access log (issue 19): who spoke to this agent, and what
// they asked that changes something, kept where the agent alone writes
// (<state_dir>/access.jsonl), so the fleet's journal can later collect it
// and an auditor can see every access, not only those a controller chose
// to journal.
//
// One canonical JSON object per line (core/journal/canonical.h):
//   {"seq":N, "ts":RFC3339, "prev":HEX64, "event":E, ...}
// `prev` is the SHA-256 (hex) of the previous line's bytes; the first line's
// is 64 zeros, or, after retention cut older lines, the hash of the last
// line cut. So a line edited, removed or inserted breaks the chain, and a
// log cut short starts from a hash nobody collected. Events:
//   session   peer, key (the operator key's SHA256 fingerprint), outcome
//             (the session's summary, at most 1 KiB), duration_ms: every
//             session an operator key opened
//   unauthenticated  connections, last_peer, since: connections that never
//             authenticated, counted, one line a minute at most
//   request   peer, key, type, intervention, principal (the begin's), result
//             ("ok", "failed", or the error code): every request that changes
//             the host (apply, deploy.rollback, bound facts, results.ack),
//             refused ones included, durable before the answer is sent. An
//             apply or rollback is started once per intervention.
//   login     an access the host itself logged (login_events.h: ssh, sudo,
//             su, console), with `cursor`, where its source resumes after it
//   start     the agent started (`version`; `warning` when what it found was
//             not as it left it: a broken chain, a log shorter than collected)
// Bounded: past `max_bytes`, the oldest lines are cut (kept chained as
// said), but only lines a collector has already taken (an access.list
// `after` at or past them, kept in <path>.collected): the log grows up to
// twice `max_bytes` before anything uncollected goes, and collect then
// reports the gap.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/journal/access_chain.h"
#include "core/journal/canonical.h"

namespace daybook::agent {

constexpr uint64_t kDefaultAccessLogBytes = 64ull << 20;

class AccessLog {
 public:
  // Reads an existing log to continue its chain (a torn last line is cut;
  // a broken chain is kept, and said by warning()). kIo when it cannot be read.
  static Result<std::unique_ptr<AccessLog>> Open(Filesystem& fs, const Clock& clock, std::filesystem::path path,
                                                 uint64_t max_bytes = kDefaultAccessLogBytes);

  // Appends `fields` (plus seq, ts, prev) durably. Thread-safe.
  Status Append(const std::string& event, journal::Json fields);

  // For an apply or rollback: appends its "started" request line unless
  // this log already holds one for that intervention (an intervention is
  // carried out once per host: a genuine begin record replayed with other
  // deploys is refused): kInvalidInput "already carried out" then, or why
  // the line could not be written; nothing is appended either way.
  Status AppendStartOnce(const std::string& intervention, journal::Json fields);

  // The lines after `after_seq` (at most journal::kMaxAccessListEntries),
  // as stored, and the seq the next line will have (read together).
  struct Lines {
    std::vector<std::string> lines;
    int64_t next_seq = 0;
    bool more = false;  // stopped at journal::kMaxAccessListBytes before the end
  };
  Result<Lines> After(int64_t after_seq);

  // Takes note that a collector holds every line up to `seq` (access.list
  // `after`), so retention may cut them. Durable; kIo when it cannot be.
  Status MarkCollected(int64_t seq);

  // The cursor of the last login line, and the seq of that line (-1: none).
  std::pair<int64_t, std::string> last_login() const;

  int64_t next_seq() const;
  const std::string& warning() const { return warning_; }

 private:
  AccessLog(Filesystem& fs, const Clock& clock, std::filesystem::path path, uint64_t max_bytes)
      : fs_(fs), clock_(clock), path_(std::move(path)), max_bytes_(max_bytes) {}
  Status CutOldest(const std::string& text);
  void NoteLogin(const journal::Json& line);
  void NoteCollectedPastEnd();
  std::filesystem::path CollectedPath() const { return path_.string() + ".collected"; }
  Status AppendLocked(const std::string& event, journal::Json fields);

  Filesystem& fs_;
  const Clock& clock_;
  std::filesystem::path path_;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
  int64_t next_seq_ = 0;
  std::string last_hash_ = journal::kAccessChainStart;
  uint64_t bytes_ = 0;
  std::string warning_;
  std::set<std::string> started_;  // interventions with an apply or rollback started here
  int64_t collected_ = -1;         // lines up to this seq were collected
  int64_t first_seq_ = 0;          // the seq of the file's first line
  std::pair<int64_t, std::string> last_login_{-1, ""};
};

// Connections that never authenticated, counted between access-log lines:
// Note() writes one "unauthenticated" line {connections, last_peer, since}
// when a minute has passed since the last, Flush() whatever is counted.
class UnauthenticatedTally {
 public:
  Status Note(AccessLog& log, const std::string& peer, TimePoint now);
  Status Flush(AccessLog& log, TimePoint now);

 private:
  Status FlushLocked(AccessLog& log, TimePoint now);
  std::mutex mu_;
  int64_t count_ = 0;
  std::string last_peer_;
  std::optional<TimePoint> since_, last_line_;
};

}  // namespace daybook::agent
