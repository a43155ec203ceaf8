#include "controller/fleet_config.h"

#include <doctest/doctest.h>

using namespace daybook;
using namespace daybook::controller;
using namespace std::chrono_literals;

TEST_CASE("daybook.toml: defaults and values") {
  Result<FleetConfig> empty = ParseFleetConfig({"daybook.toml", ""});
  REQUIRE(empty.ok());
  CHECK(empty->parallel == 100);
  CHECK(empty->connect_timeout == Duration(10s));
  CHECK(empty->journal_dir == "journal");
  Result<FleetConfig> set = ParseFleetConfig({"daybook.toml",
      "[operator]\nkey = \"~/.ssh/ops\"\n[journal]\ndir = \"log\"\norigin = \"example.org/x\"\n"
      "[defaults]\nparallel = 8\nconnect_timeout = \"3s\"\n"});
  REQUIRE(set.ok());
  CHECK(set->operator_key == "~/.ssh/ops");
  CHECK(set->journal_dir == "log");
  CHECK(set->journal_origin == "example.org/x");
  CHECK(set->parallel == 8);
  CHECK(set->connect_timeout == Duration(3s));
}

TEST_CASE("daybook.toml: every problem, positioned") {
  Result<FleetConfig> bad = ParseFleetConfig({"daybook.toml",
      "[journal]\ndir = \"../elsewhere\"\nsigning_key = \"/etc/key\"\n[defaults]\nparallel = 0\n"
      "connect_timeout = \"ten\"\n[extra]\n"});
  REQUIRE_FALSE(bad.ok());
  std::vector<std::string> lines;
  for (const Diagnostic& d : bad.error().diagnostics) lines.push_back(d.ToString());
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "daybook.toml:2:7: error: dir \"../elsewhere\" must be a path inside the fleet repository");
  CHECK(lines[1] == "daybook.toml:3:15: error: signing_key \"/etc/key\" must be a path inside the fleet repository");
  CHECK(lines[2] == "daybook.toml:5:12: error: parallel = 0 out of range 1-10000");
  CHECK(lines[3].find("daybook.toml:6:19: error: bad duration \"ten\"") == 0);
  CHECK(lines[4] == "daybook.toml:7:2: error: unknown key \"extra\" in daybook.toml");
}
