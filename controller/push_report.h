// What push prints when the rollout is over: the summary table (one row per
// host and deploy, with its batch) or the JSON document, and the closing line.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "controller/deploy_host.h"
#include "controller/rollout_engine.h"

namespace daybook::controller {

struct PushedHost {
  std::string host;
  std::string batch;  // "canary", "batch 2/3"
  HostDeploy run;
};

struct PushReport {
  std::string intervention;
  std::string manifest_path, manifest_commit;
  std::vector<PushedHost> hosts;
  RolloutOutcome rollout;
  size_t bytes_sent = 0;
};

// {hosts, ok, failed, skipped, bytes_sent, halted?}: the intervention.end summary.
protocol::Json PushSummary(const PushReport& report);

void PrintPushTable(std::ostream& out, const PushReport& report);
void PrintPushJson(std::ostream& out, const PushReport& report);

}  // namespace daybook::controller
