#include "core/transport/startup_gate.h"

#include <memory>
#include <random>

namespace daybook::transport {

namespace {
constexpr size_t kMaxRemembered = 4096;
}  // namespace

StartupGate::StartupGate(StartupLimits limits, std::function<int()> roll, Clock now)
    : limits_(limits), roll_(std::move(roll)), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
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
  auto now = now_();
  auto trusted = trusted_until_.find(source);
  bool is_trusted = trusted != trusted_until_.end() && trusted->second > now;
  if (auto penalised = penalised_until_.find(source); !is_trusted && penalised != penalised_until_.end()) {
    if (penalised->second > now) return std::string("penalised: a recent connection from it misbehaved");
    penalised_until_.erase(penalised);
  }
  int& mine = per_source_[source];
  if (mine >= limits_.per_source) {
    if (mine == 0) per_source_.erase(source);
    return "per-source limit of " + std::to_string(limits_.per_source) + " unauthenticated connections reached";
  }
  int percent = is_trusted ? 0 : DropPercent(limits_, pending_);
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

void StartupGate::Remember(std::map<std::string, std::chrono::steady_clock::time_point>& map, const std::string& source,
                           std::chrono::steady_clock::time_point until) {
  if (map.size() >= kMaxRemembered && map.find(source) == map.end()) {
    auto oldest = map.begin();
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->second < oldest->second) oldest = it;
    }
    map.erase(oldest);
  }
  map[source] = until;
}

void StartupGate::Authenticated(const std::string& source) {
  if (limits_.trusted_for.count() <= 0) return;
  std::lock_guard lock(mu_);
  Remember(trusted_until_, source, now_() + limits_.trusted_for);
  penalised_until_.erase(source);
}

void StartupGate::Penalize(const std::string& source) {
  if (limits_.penalty.count() <= 0) return;
  std::lock_guard lock(mu_);
  Remember(penalised_until_, source, now_() + limits_.penalty);
}

int StartupGate::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

}  // namespace daybook::transport
