// The results an agent keeps until the controller has journaled them
// (issue 15, "nothing done goes unrecorded"). Every answer to a request
// that changed the host (apply, deploy.rollback) is written here, durably,
// before it is sent: if the controller dies (a second Ctrl-C, a crash, a
// lost link) before it journals the answer, the next controller fetches it
// (results.fetch), journals it with the agent's signature, and acknowledges
// it (results.ack), which removes it. Results nobody acknowledges are
// bounded when a new one is kept: any older than `max_age` are dropped,
// then the oldest (by the `kept_at` each file holds, not by id: ids from
// different controllers do not sort by time) until at most `max_kept`
// remain, together no larger than `max_bytes`. The one just kept is never
// dropped, even alone larger than `max_bytes`.
//
// <state_dir>/results/<intervention>.json holds
// {"answer": <the answer exactly as signed>, "kept_at": <unix ms>}, and
// <intervention>.running marks a request still being carried out, so a
// controller does not take "no result yet" for "nothing done"; a mark the
// agent finds at start-up becomes <intervention>.cut (cut short). Writes go
// through Filesystem::WriteFileAtomic, whose temporary
// `<name>.tmp-XXXXXX` a crash can leave behind: removed at start-up.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/filesystem.h"
#include "core/protocol/frame.h"

namespace daybook::agent {

// Defaults documented in docs/agent.md ("Kept results").
struct ResultLimits {
  size_t max_kept = 200;
  std::chrono::milliseconds max_age = std::chrono::hours(24 * 30);
  uint64_t max_bytes = 64ull << 20;  // the kept files together, as written
};

class ResultStore {
 public:
  // `dir` is created on first write. Thread-compatible: sessions of one
  // intervention never write the same host's result twice at once.
  ResultStore(Filesystem& fs, const Clock& clock, std::filesystem::path dir, ResultLimits limits = {})
      : fs_(fs), clock_(clock), dir_(std::move(dir)), limits_(limits) {}

  // Marks `intervention` as being carried out, durably, before the host is
  // changed. Keep() clears the mark.
  Status MarkRunning(const std::string& intervention);

  // At start-up nothing is running any more: each mark becomes
  // <intervention>.cut, "cut short by a restart" (List(".cut")), so the
  // controller journals that host as changed in an unknown way, never as
  // skipped; Acknowledge() clears it.
  Status ClearRunning();

  // Removes the temporary files of writes a crash cut short
  // (`*.tmp-XXXXXX`, see Filesystem::WriteFileAtomic): at start-up, before
  // any session writes. Returns how many were removed.
  Result<int> RemoveInterruptedWrites();

  // Keeps `answer` for `intervention` (replacing an earlier one), durably,
  // then applies the limits to the others (oldest kept first).
  Status Keep(const std::string& intervention, const protocol::Json& answer);

  // The kept answer, nullopt when there is none.
  Result<std::optional<protocol::Json>> Fetch(const std::string& intervention);

  // The interventions with a kept answer (`suffix` ".json"), or being
  // carried out (".running"), sorted by id (a stable order, not an age:
  // ids from different controllers do not sort by time).
  Result<std::vector<std::string>> List(std::string_view suffix = ".json");

  // Forgets the answer and any cut-short mark (the controller journaled
  // it). Not an error when there is none.
  Status Acknowledge(const std::string& intervention);

 private:
  std::filesystem::path PathOf(const std::string& intervention) const { return dir_ / (intervention + ".json"); }
  Status Prune(const std::string& keep);
  struct KeptFile {
    std::string id;
    int64_t kept_at = 0;  // unix ms
    uint64_t bytes = 0;
  };
  KeptFile ReadKept(const std::string& id);

  Filesystem& fs_;
  const Clock& clock_;
  std::filesystem::path dir_;
  ResultLimits limits_;
};

// Whether `id` may name a kept result (and so a file): the controller's
// intervention ids, [A-Za-z0-9][A-Za-z0-9._-]*.
bool IsResultId(const std::string& id);

}  // namespace daybook::agent
