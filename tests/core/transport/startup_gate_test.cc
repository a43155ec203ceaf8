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
  StartupGate gate({10, 30, 100, 8}, [&] { return roll; });
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
  StartupGate gate({2, 50, 4, 100}, [&] { return roll; });
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
