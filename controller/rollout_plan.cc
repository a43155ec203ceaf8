#include "controller/rollout_plan.h"

#include <algorithm>

namespace daybook::controller {

std::vector<RolloutBatch> PlanBatches(size_t total, const manifest::RolloutSpec& rollout) {
  std::vector<RolloutBatch> batches;
  size_t canaries = std::min(static_cast<size_t>(std::max<int64_t>(rollout.canary, 0)), total);
  if (canaries > 0) {
    RolloutBatch canary{true, {}};
    for (size_t i = 0; i < canaries; ++i) canary.hosts.push_back(i);
    batches.push_back(std::move(canary));
  }
  size_t size = std::max<size_t>(rollout.batch.Of(total), 1);
  for (size_t first = canaries; first < total; first += size) {
    RolloutBatch batch;
    for (size_t i = first; i < std::min(first + size, total); ++i) batch.hosts.push_back(i);
    batches.push_back(std::move(batch));
  }
  return batches;
}

size_t FailureThreshold(size_t total, const manifest::RolloutSpec& rollout) { return rollout.max_failures.Of(total); }

std::string BatchLabel(const std::vector<RolloutBatch>& batches, size_t index) {
  if (batches[index].canary) return "canary";
  size_t regular = batches.size() - (batches.front().canary ? 1 : 0);
  size_t number = index + (batches.front().canary ? 0 : 1);
  return "batch " + std::to_string(number) + "/" + std::to_string(regular);
}

WindowCheck CheckWindow(const inventory::Host& host, TimePoint now, bool override_window) {
  WindowCheck check;
  if (!host.window) return check;
  check.text = host.window->text + " (" + host.window_from + ")";
  check.open = inventory::WindowContains(*host.window, now);
  check.overridden = !check.open && override_window;
  check.allowed = check.open || check.overridden;
  return check;
}

std::string WindowState(const WindowCheck& check) {
  if (check.text.empty()) return "none";
  if (check.open) return "open";
  return check.overridden ? "closed, overridden" : "closed";
}

}  // namespace daybook::controller
