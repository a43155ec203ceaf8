// Admission of unauthenticated connections, after OpenSSH sshd's
// MaxStartups (start:rate:full with random early drop) and
// PerSourceMaxStartups (sshd_config(5); the drop formula is sshd.c's
// drop_connection()). Connections that have not authenticated yet have a
// budget of their own, apart from authenticated sessions, so a flood of
// idle TCP connections cannot lock operators out: it fills its own source's
// share, then its connections are dropped at once.
//
// Two refinements for floods from many addresses, which fill the shared
// budget whatever the per-source cap:
//   - an address that authenticated within `trusted_for` (the controller's,
//     an operator's bastion) is admitted up to its own per-source cap even
//     when the shared budget is full, so the people who operate the fleet
//     keep getting in;
//   - an address whose connection was cut at the login grace time, or for
//     too many authentication failures, is dropped outright for `penalty`
//     (after OpenSSH 9.8's PerSourcePenalties), so an idle flood frees its
//     slots at the first grace time and cannot take them again at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace daybook::transport {

struct StartupLimits {
  int start = 10;       // below this many pending connections, none is dropped
  int rate = 30;        // percent dropped at `start`, rising linearly to 100 at `full`
  int full = 100;       // at this many, every new connection is dropped
  int per_source = 8;   // pending connections from one address
  std::chrono::seconds trusted_for{std::chrono::hours(24)};  // 0: nobody is trusted
  std::chrono::seconds penalty{30};                          // 0: no penalties
};

// Thread-safe.
class StartupGate {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // `roll` returns a uniform integer in [0, 100) and `now` the time; tests
  // pass their own.
  explicit StartupGate(StartupLimits limits, std::function<int()> roll = {}, Clock now = {});

  // Admits a new unauthenticated connection from `source` (an address,
  // without port), or returns why it is dropped. An admitted connection
  // must be Released exactly once, when it authenticates or ends.
  std::optional<std::string> Admit(const std::string& source);
  void Release(const std::string& source);

  // `source` authenticated: trusted for limits.trusted_for.
  void Authenticated(const std::string& source);
  // A connection from `source` misbehaved (login grace, auth failures):
  // its new connections are dropped for limits.penalty.
  void Penalize(const std::string& source);

  int pending() const;

  // Percent chance that a new connection is dropped with `pending` already
  // waiting (the per-source cap aside): 0 below start, 100 at full.
  static int DropPercent(const StartupLimits& limits, int pending);

 private:
  // Both maps are bounded (kMaxRemembered addresses, oldest forgotten first).
  void Remember(std::map<std::string, std::chrono::steady_clock::time_point>& map, const std::string& source,
                std::chrono::steady_clock::time_point until);

  StartupLimits limits_;
  std::function<int()> roll_;
  Clock now_;
  mutable std::mutex mu_;
  int pending_ = 0;
  std::map<std::string, int> per_source_;
  std::map<std::string, std::chrono::steady_clock::time_point> trusted_until_;
  std::map<std::string, std::chrono::steady_clock::time_point> penalised_until_;
};

}  // namespace daybook::transport
