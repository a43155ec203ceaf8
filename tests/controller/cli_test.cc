// The controller's command line, driven through RunCli with fakes: exit
// codes, help, init into a fake filesystem, and what validate/inventory print.
#include "controller/cli.h"

#include <date/date.h>
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fakes/fake_filesystem.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_git.h"

using namespace daybook;
using namespace daybook::controller;

namespace {

struct Harness {
  testing::FakeFilesystem fs;
  testing::FakeGit git;
  // Sunday 2026-11-29 02:30 UTC: inside "Sun 02:00-04:00 UTC".
  testing::FixedClock clock{date::sys_days{date::year{2026} / 11 / 29} + std::chrono::minutes(150)};
  std::ostringstream out, err;

  int Run(std::vector<std::string> args, std::string cwd = "/work") {
    out.str("");
    err.str("");
    Env env{fs, git, clock, out, err, cwd, false, false, "", "/home/op"};
    env.colour = colour;
    return RunCli(args, env);
  }
  bool colour = false;  // as main() sets it: a terminal without $NO_COLOR
};

}  // namespace

TEST_CASE("cli: help, version and usage errors") {
  Harness h;
  CHECK(h.Run({"--help"}) == kExitOk);
  CHECK(h.out.str().find("Subcommands:") != std::string::npos);
  CHECK(h.out.str().find("validate") != std::string::npos);
  CHECK(h.Run({"--version"}) == kExitOk);
  CHECK(h.out.str().find("daybook 0.") == 0);
  CHECK(h.Run({}) == kExitUsage);
  CHECK(h.Run({"frobnicate"}) == kExitUsage);
  CHECK(h.Run({"validate", "--output", "yaml"}) == kExitUsage);
  CHECK(h.err.str().find("daybook: error:") == 0);
  CHECK(h.Run({"inventory", "--help"}) == kExitOk);
  CHECK(h.out.str().find("--target") != std::string::npos);
}

TEST_CASE("cli: usage errors in the project's words, with the nearest command, flag or value") {
  Harness h;
  CHECK(h.Run({"stauts"}) == kExitUsage);
  CHECK(h.err.str().find("daybook: error: unknown command \"stauts\"; did you mean status? (commands: init, validate") == 0);
  CHECK(h.err.str().find("Run `daybook --help` for usage.") != std::string::npos);
  CHECK(h.Run({}) == kExitUsage);
  CHECK(h.err.str().find("a command is needed after `daybook` (commands: init, validate") != std::string::npos);
  CHECK(h.Run({"journal"}) == kExitUsage);
  CHECK(h.err.str().find("a command is needed after `daybook journal` (commands: ") != std::string::npos);
  CHECK(h.Run({"journal", "verfy"}) == kExitUsage);
  CHECK(h.err.str().find("unknown command \"verfy\"; did you mean verify?") != std::string::npos);
  CHECK(h.Run({"status", "-o", "yaml"}) == kExitUsage);
  CHECK(h.err.str().find("daybook: error: --output: \"yaml\" is not one of json, table, text") == 0);
  CHECK(h.Run({"status", "--output=jsn"}) == kExitUsage);
  CHECK(h.err.str().find("is not one of json, table, text; did you mean json?") != std::string::npos);
  CHECK(h.Run({"push", "--yess", "manifests/app.toml"}) == kExitUsage);
  CHECK(h.err.str().find("unknown flag --yess for `daybook push`; did you mean --yes?") != std::string::npos);
  CHECK(h.err.str().find("Run `daybook push --help` for usage.") != std::string::npos);
  CHECK(h.Run({"push", "--dry-run", "manifests/app.toml"}) == kExitUsage);
  CHECK(h.err.str().find("unknown flag --dry-run for `daybook push`; `daybook plan MANIFEST` shows what a push would do") !=
        std::string::npos);
  CHECK(h.Run({"--fleet", "/work", "stauts"}) == kExitUsage);  // a global flag's value is not a command
  CHECK(h.err.str().find("unknown command \"stauts\"") != std::string::npos);
}

TEST_CASE("cli: init creates a fleet that validates as created") {
  Harness h;
  REQUIRE(h.Run({"init", "fleet"}) == kExitOk);
  CHECK(h.git.inits == std::vector<std::string>{"/work/fleet"});
  CHECK(h.fs.Exists("/work/fleet/daybook.toml"));
  CHECK(h.fs.Exists("/work/fleet/inventory/known_hosts"));
  CHECK(h.fs.Exists("/work/fleet/allowed_signers"));
  CHECK(h.fs.ReadFile("/work/fleet/.gitignore")->find("/.daybook/") != std::string::npos);
  CHECK(h.fs.ReadFile("/work/fleet/.gitignore")->find("/journal/") != std::string::npos);  // beside the repo, not in it
  CHECK(h.Run({"validate"}, "/work/fleet/manifests") == kExitOk);
  CHECK(h.out.str().find("0 invalid, 0 errors") != std::string::npos);
}

TEST_CASE("cli: colour on a terminal only, --color overrides, data cells never coloured") {
  Harness h;
  REQUIRE(h.Run({"init", "fleet"}) == kExitOk);
  REQUIRE(h.Run({"validate"}, "/work/fleet") == kExitOk);
  const std::string plain = h.out.str();
  CHECK(plain.find('\x1b') == std::string::npos);  // piped (or NO_COLOR): plain
  h.colour = true;
  REQUIRE(h.Run({"validate"}, "/work/fleet") == kExitOk);
  CHECK(h.out.str().find("\x1b[1mRESULT\x1b[0m") != std::string::npos);
  CHECK(h.out.str().find("\x1b[32mok\x1b[0m") != std::string::npos);
  CHECK(h.out.str().find("\x1b[32mdaybook.toml") == std::string::npos);
  REQUIRE(h.Run({"validate", "--color", "never"}, "/work/fleet") == kExitOk);
  CHECK(h.out.str() == plain);
  h.colour = false;
  REQUIRE(h.Run({"--color", "always", "validate"}, "/work/fleet") == kExitOk);
  CHECK(h.out.str().find("\x1b[32mok\x1b[0m") != std::string::npos);
  CHECK(h.Run({"validate", "--color", "sometimes"}, "/work/fleet") == kExitUsage);
}

TEST_CASE("cli: init refuses a non-empty directory and writes nothing") {
  Harness h;
  h.fs.AddFile("/work/busy/notes.txt", "x");
  CHECK(h.Run({"init", "busy"}) == kExitUsage);
  CHECK(h.err.str() == "daybook: error: busy is not empty; daybook init wants a new or empty directory\n");
  CHECK(h.fs.writes.empty());
  CHECK(h.git.inits.empty());
}

TEST_CASE("cli: commands outside a fleet say what to do") {
  Harness h;
  CHECK(h.Run({"validate"}) == kExitUsage);
  CHECK(h.err.str().find("not inside a fleet repository") != std::string::npos);
  CHECK(h.Run({"inventory", "--fleet", "/nowhere"}) == kExitUsage);
  CHECK(h.err.str().find("/nowhere is not a fleet repository (no daybook.toml)") != std::string::npos);
}

TEST_CASE("cli: validate reports positioned errors on stderr and exits 2, json lists them") {
  Harness h;
  REQUIRE(h.Run({"init", "f"}) == kExitOk);
  h.fs.AddFile("/work/f/manifests/bad.toml", "[manifest]\nname = \"b\"\ntargets = \"all\"\n[patch]\npolicy = \"most\"\n");
  CHECK(h.Run({"validate"}, "/work/f") == kExitUsage);
  // The error, and the warnings of a fresh fleet (no operator key yet).
  CHECK(h.err.str().find("manifests/bad.toml:5:10: error: bad policy \"most\": expected one of security, all, none\n") != std::string::npos);
  CHECK(h.err.str().find("allowed_signers:1:1: warning: no operator key") != std::string::npos);
  CHECK(h.out.str().find("INVALID  manifests/bad.toml") != std::string::npos);
  CHECK(h.Run({"validate", "--output", "json"}, "/work/f") == kExitUsage);
  nlohmann::json doc = nlohmann::json::parse(h.out.str());
  CHECK(doc["valid"] == false);
  std::vector<nlohmann::json> errors;
  for (const auto& d : doc["diagnostics"]) {
    if (d["severity"] == "error") errors.push_back(d);
  }
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["line"] == 5);
  CHECK(errors[0]["column"] == 10);
  CHECK(errors[0]["path"] == "manifests/bad.toml");
}

TEST_CASE("cli: inventory lists hosts, filters by target, tells whether the window is open") {
  Harness h;
  REQUIRE(h.Run({"init", "f"}) == kExitOk);
  h.fs.AddFile("/work/f/inventory/more.toml", "[hosts.db-01]\naddress = \"192.0.2.21\"\nport = 7100\n");
  REQUIRE(h.Run({"inventory"}, "/work/f") == kExitOk);
  CHECK(h.out.str() ==
        "HOST    ADDRESS     PORT  GROUPS  WINDOW               OPEN NOW\n"
        "db-01   192.0.2.21  7100  -       -                    -\n"
        "web-01  192.0.2.11  7022  web     Sun 02:00-04:00 UTC  yes\n"
        "2 of 2 hosts match \"all\"\n");
  REQUIRE(h.Run({"inventory", "--target", "group:web", "--output", "json"}, "/work/f") == kExitOk);
  nlohmann::json doc = nlohmann::json::parse(h.out.str());
  REQUIRE(doc["hosts"].size() == 1);
  CHECK(doc["hosts"][0]["name"] == "web-01");
  CHECK(doc["hosts"][0]["window"]["open_now"] == true);
  CHECK(doc["hosts"][0]["window"]["from"] == "group:web");
}

TEST_CASE("cli: a bad --target is positioned with a caret") {
  Harness h;
  REQUIRE(h.Run({"init", "f"}) == kExitOk);
  CHECK(h.Run({"inventory", "-t", "group:web,wbe-01"}, "/work/f") == kExitUsage);
  CHECK(h.err.str() ==
        "--target:1:11: error: unknown host \"wbe-01\"; did you mean \"web-01\"?\n"
        "  group:web,wbe-01\n"
        "            ^\n");
}
