#include "core/transport/startup_gate.h"

#include <memory>
#include <random>

namespace daybook::transport {

StartupGate::StartupGate(StartupLimits limits, std::function<int()> roll) : limits_(limits), roll_(std::move(roll)) {
  if (!roll_) {
    roll_ = [engine = std::make_shared<std::mt19937>(std::random_device{}())] {
      return static_cast<int>(std::uniform_int_distribution<int>(0, 99)(*engine));
    };
  }
}

int StartupGate::DropPercent(const StartupLimits& limits, int pending) {
  if (pending >= limits.full) return 100;
  if (pending < limits.start) return 0;
  // sshd.c drop_connection(): rate at start, rising linearly to 100 at full.
  return limits.rate + (100 - limits.rate) * (pending - limits.start) / (limits.full - limits.start);
}

std::optional<std::string> StartupGate::Admit(const std::string& source) {
  std::lock_guard lock(mu_);
  int& mine = per_source_[source];
  if (mine >= limits_.per_source) {
    if (mine == 0) per_source_.erase(source);
    return "per-source limit of " + std::to_string(limits_.per_source) + " unauthenticated connections reached";
  }
  int percent = DropPercent(limits_, pending_);
  if (percent >= 100 || (percent > 0 && roll_() < percent)) {
    if (mine == 0) per_source_.erase(source);
    return "max_startups: " + std::to_string(pending_) + " unauthenticated connections pending";
  }
  ++mine;
  ++pending_;
  return std::nullopt;
}

void StartupGate::Release(const std::string& source) {
  std::lock_guard lock(mu_);
  auto it = per_source_.find(source);
  if (it == per_source_.end()) return;
  if (--it->second <= 0) per_source_.erase(it);
  --pending_;
}

int StartupGate::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

}  // namespace daybook::transport
