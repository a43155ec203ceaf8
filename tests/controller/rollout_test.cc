// Properties of the rollout plan and engine (docs/rollout.md), checked
// exhaustively over small fleets and on random failure patterns.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>

#include "controller/rollout_engine.h"
#include "controller/rollout_plan.h"
#include "core/inventory/window.h"

using daybook::controller::CheckWindow;
using daybook::controller::FailureThreshold;
using daybook::controller::HostVerdict;
using daybook::controller::PlanBatches;
using daybook::controller::RolloutBatch;
using daybook::controller::RolloutHooks;
using daybook::controller::RolloutOutcome;
using daybook::controller::RunRollout;
using daybook::manifest::Quantity;
using daybook::manifest::RolloutSpec;

namespace {

RolloutSpec Spec(int64_t canary, Quantity batch, Quantity max_failures = {Quantity::Kind::kCount, 0}) {
  RolloutSpec spec;
  spec.canary = canary;
  spec.batch = batch;
  spec.max_failures = max_failures;
  return spec;
}

// Every (canary, batch) setting worth trying on a fleet of `total`.
std::vector<RolloutSpec> Settings() {
  std::vector<RolloutSpec> specs;
  for (int64_t canary : {0, 1, 2, 5}) {
    for (int64_t count : {1, 2, 3, 7, 100}) specs.push_back(Spec(canary, {Quantity::Kind::kCount, count}));
    for (int64_t pct : {1, 10, 25, 33, 50, 99, 100}) specs.push_back(Spec(canary, {Quantity::Kind::kPercent, pct}));
  }
  return specs;
}

struct Run {
  RolloutOutcome outcome;
  std::vector<int> started_in_batch;  // by batch index
  std::vector<size_t> failures_before_batch;
  std::set<size_t> started, not_started;
};

// Runs the engine with `fails` deciding each host's verdict.
Run Simulate(const std::vector<RolloutBatch>& batches, size_t threshold, int parallel, const std::vector<bool>& fails,
             int stop_after_finished = -1) {
  Run run;
  std::vector<std::string> names;
  for (size_t i = 0; i < fails.size(); ++i) names.push_back("h" + std::to_string(i));
  std::vector<size_t> batch_of(fails.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t h : batches[b].hosts) batch_of[h] = b;
  }
  run.started_in_batch.assign(batches.size(), 0);
  size_t failures = 0;
  std::atomic<int> finished{0};
  std::mutex mu;
  RolloutHooks hooks;
  hooks.run = [&](size_t h) {
    std::lock_guard lock(mu);
    run.started.insert(h);
    ++run.started_in_batch[batch_of[h]];
    return fails[h] ? HostVerdict::kFailed : HostVerdict::kOk;
  };
  hooks.finished = [&](size_t h, HostVerdict v) {
    failures += v == HostVerdict::kFailed ? 1 : 0;
    ++finished;
    (void)h;
  };
  hooks.not_started = [&](size_t h, const std::string&) { run.not_started.insert(h); };
  hooks.batch_started = [&](size_t) { run.failures_before_batch.push_back(failures); };
  hooks.stop_reason = [&] {
    return stop_after_finished >= 0 && finished >= stop_after_finished ? std::string("interrupted by SIGINT") : std::string();
  };
  run.outcome = RunRollout(batches, names, threshold, parallel, hooks);
  return run;
}

}  // namespace

TEST_CASE("rollout plan: batch sizes always sum to the targets, each host once, in order") {
  for (size_t total = 0; total <= 40; ++total) {
    for (const RolloutSpec& spec : Settings()) {
      std::vector<RolloutBatch> batches = PlanBatches(total, spec);
      std::vector<size_t> order;
      size_t size = std::max<size_t>(spec.batch.Of(total), 1);
      for (size_t b = 0; b < batches.size(); ++b) {
        CHECK_FALSE(batches[b].hosts.empty());
        CHECK(batches[b].canary == (b == 0 && spec.canary > 0));
        if (!batches[b].canary && b + 1 < batches.size()) CHECK(batches[b].hosts.size() == size);
        if (!batches[b].canary) CHECK(batches[b].hosts.size() <= size);
        order.insert(order.end(), batches[b].hosts.begin(), batches[b].hosts.end());
      }
      REQUIRE(order.size() == total);
      for (size_t i = 0; i < total; ++i) CHECK(order[i] == i);
      if (total > 0 && spec.canary > 0) CHECK(batches[0].hosts.size() == std::min(static_cast<size_t>(spec.canary), total));
    }
  }
}

TEST_CASE("rollout plan: percentages are of all targets, rounded up, at least one host") {
  CHECK(PlanBatches(10, Spec(1, {Quantity::Kind::kPercent, 25})).size() == 1 + 3);  // 3 per batch: 3+3+3
  CHECK(PlanBatches(6, Spec(1, {Quantity::Kind::kCount, 2})).size() == 1 + 3);      // 2+2+1
  CHECK(PlanBatches(200, Spec(0, {Quantity::Kind::kPercent, 1}))[0].hosts.size() == 2);
  CHECK(PlanBatches(3, Spec(0, {Quantity::Kind::kPercent, 1}))[0].hosts.size() == 1);
  CHECK(FailureThreshold(6, Spec(1, {}, {Quantity::Kind::kPercent, 10})) == 1);
  CHECK(FailureThreshold(6, Spec(1, {}, {Quantity::Kind::kCount, 9})) == 6);
  CHECK(FailureThreshold(6, Spec(1, {}, {Quantity::Kind::kCount, 0})) == 0);
}

TEST_CASE("rollout engine: no batch starts once failures exceed the threshold, a canary failure always halts") {
  std::mt19937 rng(20261128);
  for (int trial = 0; trial < 3000; ++trial) {
    size_t total = 1 + rng() % 24;
    RolloutSpec spec = Settings()[rng() % Settings().size()];
    spec.max_failures = rng() % 2 ? Quantity{Quantity::Kind::kCount, static_cast<int64_t>(rng() % 4)}
                                  : Quantity{Quantity::Kind::kPercent, static_cast<int64_t>(rng() % 60)};
    std::vector<bool> fails(total);
    int rate = static_cast<int>(rng() % 100);
    for (size_t i = 0; i < total; ++i) fails[i] = static_cast<int>(rng() % 100) < rate;
    int parallel = 1 + static_cast<int>(rng() % 4);
    std::vector<RolloutBatch> batches = PlanBatches(total, spec);
    size_t threshold = FailureThreshold(total, spec);
    Run run = Simulate(batches, threshold, parallel, fails);
    CAPTURE(trial);
    // Every host is either started or recorded as not started, never both.
    CHECK(run.started.size() + run.not_started.size() == total);
    CHECK(run.outcome.ok + run.outcome.failed + run.outcome.not_started == total);
    // A batch started only while failures were within the threshold and no canary had failed.
    for (size_t b = 0; b < run.failures_before_batch.size(); ++b) CHECK(run.failures_before_batch[b] <= threshold);
    bool canary_failed = !batches.empty() && batches[0].canary &&
                         std::any_of(batches[0].hosts.begin(), batches[0].hosts.end(), [&](size_t h) { return fails[h]; });
    if (canary_failed) {
      CHECK(run.outcome.outcome == "halted");
      for (size_t h : run.started) CHECK(h < batches[0].hosts.size());  // only canaries ran
    }
    // With one host at a time, it stops exactly one failure past the threshold.
    if (parallel == 1 && run.outcome.outcome == "halted" && !canary_failed) CHECK(run.outcome.failed == threshold + 1);
    // Without a halt, every host ran.
    if (run.outcome.outcome == "completed") {
      CHECK(run.started.size() == total);
      CHECK(run.outcome.failed <= threshold);
    } else {
      CHECK(run.outcome.outcome == "halted");
      CHECK_FALSE(run.outcome.reason.empty());
    }
  }
}

TEST_CASE("rollout engine: six hosts, canary 1, batch 2, max_failures 1, hosts 3 and 5 fail") {
  std::vector<RolloutBatch> batches = PlanBatches(6, Spec(1, {Quantity::Kind::kCount, 2}));
  Run run = Simulate(batches, 1, 4, {false, false, true, false, true, false});
  CHECK(run.outcome.outcome == "halted");
  CHECK(run.outcome.reason == "2 host(s) failed (h2, h4), more than max_failures allows (1)");
  CHECK(run.started == std::set<size_t>{0, 1, 2, 3, 4});
  CHECK(run.not_started == std::set<size_t>{5});
  CHECK(run.outcome.batches_started == 3);
}

TEST_CASE("rollout engine: a halt reason names at most five failed hosts") {
  std::vector<RolloutBatch> batches = PlanBatches(20, Spec(0, {Quantity::Kind::kPercent, 100}));
  Run run = Simulate(batches, 6, 1, std::vector<bool>(20, true));
  CHECK(run.outcome.reason == "7 host(s) failed (h0, h1, h2, h3, h4 and 2 more), more than max_failures allows (6)");
}

TEST_CASE("rollout engine: an interrupt starts no new host, and hosts in flight finish") {
  std::vector<RolloutBatch> batches = PlanBatches(8, Spec(1, {Quantity::Kind::kCount, 1}));
  Run run = Simulate(batches, 8, 2, std::vector<bool>(8, false), 3);
  CHECK(run.outcome.outcome == "interrupted");
  CHECK(run.outcome.reason == "interrupted by SIGINT");
  CHECK(run.started.size() == 3);
  CHECK(run.not_started.size() == 5);
  CHECK(run.outcome.ok == 3);
}

TEST_CASE("window check: open, closed, overridden, none") {
  daybook::Diagnostics diags("test");
  auto window = daybook::inventory::ParseWindow("Sun 02:00-04:00 UTC", {1, 1}, diags);
  REQUIRE(window);
  daybook::inventory::Host host;
  host.name = "web-01";
  // 2026-11-29 is a Sunday.
  auto sunday_3am = daybook::TimePoint(std::chrono::sys_days(std::chrono::year{2026} / 11 / 29).time_since_epoch() + std::chrono::hours(3));
  CHECK(CheckWindow(host, sunday_3am, false).allowed);
  CHECK(CheckWindow(host, sunday_3am, false).text.empty());
  host.window = *window;
  host.window_from = "group:web";
  CHECK(CheckWindow(host, sunday_3am, false).allowed);
  CHECK(CheckWindow(host, sunday_3am, false).text == "Sun 02:00-04:00 UTC (group:web)");
  auto sunday_5am = sunday_3am + std::chrono::hours(2);
  CHECK_FALSE(CheckWindow(host, sunday_5am, false).allowed);
  CHECK(CheckWindow(host, sunday_5am, true).allowed);
  CHECK(CheckWindow(host, sunday_5am, true).overridden);
  CHECK_FALSE(CheckWindow(host, sunday_3am, true).overridden);
}
