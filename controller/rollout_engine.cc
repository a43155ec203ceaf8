#include "controller/rollout_engine.h"

#include <algorithm>
#include <atomic>

#include "controller/fanout.h"

namespace daybook::controller {
namespace {

// "web-03, web-05", at most 5 names: the reason goes into every skipped host's record.
std::string Join(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::string out;
  for (size_t i = 0; i < std::min(names.size(), kShown); ++i) out += (out.empty() ? "" : ", ") + names[i];
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out;
}

}  // namespace

RolloutOutcome RunRollout(const std::vector<RolloutBatch>& batches, const std::vector<std::string>& names, size_t threshold,
                          int parallel, const RolloutHooks& hooks) {
  RolloutOutcome result;
  // Set only from serialized callbacks; read by workers before they start a host.
  std::atomic<bool> stopped{false};
  std::vector<std::string> failed_hosts;
  auto stop = [&](const std::string& outcome, const std::string& reason) {
    if (stopped.exchange(true)) return;
    result.outcome = outcome;
    result.reason = reason;
  };
  auto interrupted = [&] { return hooks.stop_reason && !hooks.stop_reason().empty(); };

  for (size_t b = 0; b < batches.size(); ++b) {
    const RolloutBatch& batch = batches[b];
    if (interrupted()) stop("interrupted", hooks.stop_reason());
    if (!stopped) {
      ++result.batches_started;
      if (hooks.batch_started) hooks.batch_started(b);
    }
    // char, not bool: workers write neighbouring elements concurrently (vector<bool> packs bits).
    std::vector<char> started(batch.hosts.size(), 0);
    std::vector<HostVerdict> verdicts(batch.hosts.size(), HostVerdict::kOk);
    size_t canary_failures = 0;
    FanOut(
        batch.hosts.size(), parallel,
        [&](size_t i) {
          if (stopped || interrupted()) return;
          started[i] = 1;
          verdicts[i] = hooks.run(batch.hosts[i]);
        },
        [&](size_t i) {
          size_t host = batch.hosts[i];
          if (!started[i]) {
            if (!stopped && interrupted()) stop("interrupted", hooks.stop_reason());
            ++result.not_started;
            hooks.not_started(host, "not started: rollout " + result.outcome + ": " + result.reason);
            return;
          }
          switch (verdicts[i]) {
            case HostVerdict::kOk: ++result.ok; break;
            case HostVerdict::kSkipped: ++result.skipped; break;
            case HostVerdict::kFailed:
              ++result.failed;
              failed_hosts.push_back(names[host]);
              canary_failures += batch.canary ? 1 : 0;
              break;
          }
          hooks.finished(host, verdicts[i]);
          if (result.failed > threshold) {
            stop("halted", std::to_string(result.failed) + " host(s) failed (" + Join(failed_hosts) +
                               "), more than max_failures allows (" + std::to_string(threshold) + ")");
          }
        },
        [&](size_t i, const std::string& crash) {
          verdicts[i] = HostVerdict::kFailed;
          if (hooks.crashed) hooks.crashed(batch.hosts[i], crash);
        });
    if (batch.canary && canary_failures > 0) stop("halted", "canary failed (" + Join(failed_hosts) + ")");
  }
  return result;
}

}  // namespace daybook::controller
