// The rollout plan (docs/rollout.md): which hosts go together, when a
// rollout halts, and whether a host's maintenance window lets it be
// touched. Pure functions of the manifest's [rollout] table, the targets
// and the clock, so plan, push and the property tests agree by construction.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/inventory/model.h"
#include "core/manifest/model.h"

namespace daybook::controller {

struct RolloutBatch {
  bool canary = false;
  std::vector<size_t> hosts;  // indices into the targets, in target order
};

// Canary hosts first (the first `canary` targets, alone in their batch),
// then the others in batches of batch.Of(total) hosts (a percentage is of
// all targets, rounded up; never less than 1). Every target is in exactly
// one batch, in target order; only the last batch may be smaller.
std::vector<RolloutBatch> PlanBatches(size_t total, const manifest::RolloutSpec& rollout);

// The number of failures a rollout tolerates: max_failures.Of(total). It
// halts as soon as failures exceed it.
size_t FailureThreshold(size_t total, const manifest::RolloutSpec& rollout);

// "canary", "batch 1/3"...: a batch's name in progress lines and tables.
std::string BatchLabel(const std::vector<RolloutBatch>& batches, size_t index);

// Whether a host may be touched now, by its maintenance window.
struct WindowCheck {
  bool allowed = true;     // open, no window, or overridden
  bool open = true;        // false when outside the window
  bool overridden = false;
  std::string text;        // "Sun 02:00-04:00 Europe/Paris (group:web)", "" without a window
};

WindowCheck CheckWindow(const inventory::Host& host, TimePoint now, bool override_window);

// "open", "none", "closed", "closed, overridden": a WindowCheck in a table cell.
std::string WindowState(const WindowCheck& check);

}  // namespace daybook::controller
