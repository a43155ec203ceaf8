// The rollout engine (docs/rollout.md): runs a host function batch after
// batch, hosts of one batch in parallel, and decides when to stop. It knows
// nothing of SSH or the journal: push gives it `run` (one host's work) and
// is told, serialized, what finished and what was never started.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "controller/rollout_plan.h"

namespace daybook::controller {

// What the engine needs to know of one host's outcome.
enum class HostVerdict {
  kOk,
  kFailed,   // counts against max_failures (failed, unreachable, refused)
  kSkipped,  // not touched by rule (a closed window): neither ok nor a failure
};

struct RolloutHooks {
  std::function<HostVerdict(size_t host)> run;                             // on a worker thread
  std::function<void(size_t host, HostVerdict verdict)> finished;          // serialized
  std::function<void(size_t host, const std::string& why)> not_started;    // serialized
  std::function<void(size_t batch)> batch_started;                         // may be empty
  // `run` threw (a library exception on hostile input): the host counts as
  // failed, and this records why. On the worker thread; may be empty.
  std::function<void(size_t host, const std::string& what)> crashed;
  // Non-empty when the rollout must stop starting hosts (Ctrl-C, a journal
  // that cannot be written): the reason. May be empty.
  std::function<std::string()> stop_reason;
};

struct RolloutOutcome {
  std::string outcome = "completed";  // completed | halted | interrupted
  std::string reason;                 // why halted or interrupted
  size_t ok = 0, failed = 0, skipped = 0, not_started = 0;
  size_t batches_started = 0;
};

// Batches run in order. A host is started only while the rollout is neither
// halted nor interrupted; hosts in flight always finish. The rollout halts
// as soon as failures exceed `threshold`, and after the canary batch when
// any canary failed. `names` (host names, by target index) word the reasons.
RolloutOutcome RunRollout(const std::vector<RolloutBatch>& batches, const std::vector<std::string>& names, size_t threshold,
                          int parallel, const RolloutHooks& hooks);

}  // namespace daybook::controller
