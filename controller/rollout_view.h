// A manifest's rollout over its targets as plan and push show it and the
// journal records it: the batches, each host's batch and window check,
// and the failure threshold.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "controller/fleet_session.h"
#include "controller/rollout_plan.h"
#include "core/protocol/messages.h"

namespace daybook::controller {

struct RolloutView {
  manifest::RolloutSpec spec;
  std::vector<RolloutBatch> batches;
  std::vector<std::string> batch_label;  // by target index: "canary", "batch 2/3"
  std::vector<WindowCheck> windows;      // by target index, at the time the view was made
  size_t threshold = 0;
};

RolloutView ViewRollout(const FleetSession& session, const manifest::RolloutSpec& spec, TimePoint now, bool override_window);

// {canary, batch, max_failures, threshold, timeout_ms, batches: [[host...]...]}.
protocol::Json RolloutJson(const RolloutView& view, const std::vector<std::string>& hosts);

// "rollout: canary 1, then batches of 2 (3 batches); halts after 2 failures",
// then one line per batch with its hosts, a closed window marked.
void PrintRollout(std::ostream& out, const RolloutView& view, const std::vector<std::string>& hosts);

// Hosts whose window is closed now (and not overridden).
size_t ClosedWindows(const RolloutView& view);

}  // namespace daybook::controller
