#include "core/transport/startup_gate.h"

#include <doctest/doctest.h>

using daybook::transport::StartupGate;
using daybook::transport::StartupLimits;

TEST_CASE("startup gate: OpenSSH's drop curve") {
  StartupLimits limits{10, 30, 100, 1000};
  CHECK(StartupGate::DropPercent(limits, 0) == 0);
  CHECK(StartupGate::DropPercent(limits, 9) == 0);
  CHECK(StartupGate::DropPercent(limits, 10) == 30);
  CHECK(StartupGate::DropPercent(limits, 55) == 65);
  CHECK(StartupGate::DropPercent(limits, 99) == 99);
  CHECK(StartupGate::DropPercent(limits, 100) == 100);
  CHECK(StartupGate::DropPercent(limits, 500) == 100);
}

TEST_CASE("startup gate: a flood from one source fills only its own share") {
  int roll = 0;  // 0 < any positive drop percent: drops whenever dropping is possible
  StartupGate gate({10, 30, 100, 8, std::chrono::hours(24), std::chrono::seconds(30)}, [&] { return roll; });
  for (int i = 0; i < 8; ++i) CHECK_FALSE(gate.Admit("10.0.0.66").has_value());
  for (int i = 0; i < 56; ++i) {
    std::optional<std::string> dropped = gate.Admit("10.0.0.66");
    REQUIRE(dropped.has_value());
    CHECK(dropped->find("per-source limit of 8") != std::string::npos);
  }
  CHECK(gate.pending() == 8);
  // The operator, from elsewhere, is below `start`: never dropped.
  CHECK_FALSE(gate.Admit("10.0.0.1").has_value());
  gate.Release("10.0.0.1");
  // Released connections free their slots.
  for (int i = 0; i < 8; ++i) gate.Release("10.0.0.66");
  CHECK(gate.pending() == 0);
  CHECK_FALSE(gate.Admit("10.0.0.66").has_value());
  gate.Release("unknown source");  // harmless
  CHECK(gate.pending() == 1);
}

TEST_CASE("startup gate: random early drop between start and full") {
  int roll = 99;  // the luckiest connection: dropped only at 100%
  StartupGate gate({2, 50, 4, 100, std::chrono::hours(24), std::chrono::seconds(30)}, [&] { return roll; });
  CHECK_FALSE(gate.Admit("a").has_value());
  CHECK_FALSE(gate.Admit("b").has_value());
  CHECK_FALSE(gate.Admit("c").has_value());  // 50%: roll 99 passes
  CHECK_FALSE(gate.Admit("d").has_value());  // 75%: passes
  std::optional<std::string> full = gate.Admit("e");
  REQUIRE(full.has_value());  // 100%
  CHECK(full->find("max_startups") != std::string::npos);
  roll = 0;
  gate.Release("d");
  CHECK(gate.Admit("f").has_value());  // 75% with roll 0: dropped
}

TEST_CASE("startup gate: addresses that authenticated get in past a full budget, misbehaving ones wait") {
  auto now = std::chrono::steady_clock::time_point{};
  StartupGate gate({4, 30, 4, 8, std::chrono::hours(24), std::chrono::seconds(30)}, [] { return 0; }, [&] { return now; });
  gate.Authenticated("controller");
  for (const char* flood : {"a", "b", "c", "d"}) CHECK_FALSE(gate.Admit(flood).has_value());
  CHECK(gate.Admit("newcomer").has_value());           // full: dropped
  CHECK_FALSE(gate.Admit("controller").has_value());   // trusted: admitted anyway
  gate.Release("controller");
  // "a" hit the login grace: penalised for 30 s, even once the budget frees up.
  gate.Release("a");
  gate.Penalize("a");
  for (const char* f : {"b", "c", "d"}) gate.Release(f);
  std::optional<std::string> penalised = gate.Admit("a");
  REQUIRE(penalised.has_value());
  CHECK(penalised->find("penalised") != std::string::npos);
  now += std::chrono::seconds(31);
  CHECK_FALSE(gate.Admit("a").has_value());
  // Trust expires too.
  now += std::chrono::hours(25);
  gate.Release("a");
  for (const char* flood : {"a", "b", "c", "d"}) CHECK_FALSE(gate.Admit(flood).has_value());
  CHECK(gate.Admit("controller").has_value());
}
