// Admission of unauthenticated connections, after OpenSSH sshd's
// MaxStartups (start:rate:full with random early drop) and
// PerSourceMaxStartups (sshd_config(5); the drop formula is sshd.c's
// drop_connection()). Connections that have not authenticated yet have a
// budget of their own, apart from authenticated sessions, so a flood of
// idle TCP connections cannot lock operators out: it fills its own source's
// share, then its connections are dropped at once.
#pragma once

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
};

// Thread-safe.
class StartupGate {
 public:
  // `roll` returns a uniform integer in [0, 100); tests pass their own.
  explicit StartupGate(StartupLimits limits, std::function<int()> roll = {});

  // Admits a new unauthenticated connection from `source` (an address,
  // without port), or returns why it is dropped. An admitted connection
  // must be Released exactly once, when it authenticates or ends.
  std::optional<std::string> Admit(const std::string& source);
  void Release(const std::string& source);

  int pending() const;

  // Percent chance that a new connection is dropped with `pending` already
  // waiting (the per-source cap aside): 0 below start, 100 at full.
  static int DropPercent(const StartupLimits& limits, int pending);

 private:
  StartupLimits limits_;
  std::function<int()> roll_;
  mutable std::mutex mu_;
  int pending_ = 0;
  std::map<std::string, int> per_source_;
};

}  // namespace daybook::transport
