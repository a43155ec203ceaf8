#include "core/manifest/parser.h"

#include <doctest/doctest.h>

#include "core/inventory/parser.h"

using namespace daybook;
using namespace daybook::manifest;
using namespace std::chrono_literals;

namespace {

const char* kFull = R"([manifest]
name = "2026-11-security-and-app-1.4.2"
description = "openssl DSA + app release 1.4.2"
targets = "group:web"
ticket = "INC-1234"

[patch]
policy = "security"
exclude = ["linux-image-*"]
reboot = "if-required"

[[deploy]]
name = "app"
repo = "../app.git"
ref = "v1.4.2"
path = "/srv/app"
keep = 5
after = ["systemctl", "reload", "app"]

[rollout]
canary = 1
batch = "25%"
max_failures = "10%"
timeout = "10m"
)";

// The manifest's problems, formatted; empty when it parses.
std::vector<std::string> Problems(const std::string& text) {
  Result<Manifest> m = ParseManifest({"m.toml", text});
  std::vector<std::string> out;
  if (!m) {
    for (const Diagnostic& d : m.error().diagnostics) out.push_back(d.ToString());
  }
  return out;
}

// A minimal valid manifest with `extra` appended (TOML tables may follow).
std::string With(const std::string& extra) {
  return "[manifest]\nname = \"n\"\ntargets = \"all\"\n[patch]\n" + extra;
}

}  // namespace

TEST_CASE("manifest: the DESIGN.md example parses into the typed model") {
  Result<Manifest> m = ParseManifest({"m.toml", kFull});
  REQUIRE(m.ok());
  CHECK(m->name == "2026-11-security-and-app-1.4.2");
  CHECK(m->ticket == "INC-1234");
  CHECK(m->targets == "group:web");
  CHECK(m->targets_pos.line == 4);
  CHECK(m->targets_pos.column == 12);
  REQUIRE(m->patch.has_value());
  CHECK(m->patch->policy == PatchPolicy::kSecurity);
  CHECK(m->patch->exclude == std::vector<std::string>{"linux-image-*"});
  CHECK(m->patch->reboot == RebootPolicy::kIfRequired);
  CHECK(m->patch->allow_other_origins);
  REQUIRE(m->deploys.size() == 1);
  const DeploySpec& app = m->deploys[0];
  CHECK(app.name == "app");
  CHECK(app.repo == "../app.git");
  CHECK(app.ref == "v1.4.2");
  CHECK(app.path == "/srv/app");
  CHECK(app.keep == 5);
  CHECK(app.after == std::vector<std::string>{"systemctl", "reload", "app"});
  CHECK(m->rollout.canary == 1);
  CHECK(m->rollout.batch.kind == Quantity::Kind::kPercent);
  CHECK(m->rollout.batch.value == 25);
  CHECK(m->rollout.max_failures.value == 10);
  CHECK(m->rollout.timeout == Duration(10min));
}

TEST_CASE("manifest: defaults when optional tables are left out") {
  Result<Manifest> m = ParseManifest({"m.toml", With("")});
  REQUIRE(m.ok());
  CHECK(m->patch->policy == PatchPolicy::kSecurity);
  CHECK(m->patch->reboot == RebootPolicy::kNever);
  CHECK(m->rollout.canary == 1);
  CHECK(m->rollout.batch.ToString() == "25%");
  CHECK(m->rollout.max_failures.ToString() == "0");
  CHECK(m->rollout.timeout == Duration(10min));
  Result<Manifest> counted = ParseManifest({"m.toml", With("[rollout]\nbatch = 2\nmax_failures = 1\n")});
  REQUIRE(counted.ok());
  CHECK(counted->rollout.batch.kind == Quantity::Kind::kCount);
  CHECK(counted->rollout.batch.value == 2);
}

TEST_CASE("manifest: bad input, each problem positioned") {
  struct Case {
    std::string text;
    const char* expected;
  };
  const Case cases[] = {
      {With("pakage = \"x\"\n"),
       "m.toml:5:1: error: unknown key \"pakage\" in [patch]"},
      {With("polcy = \"all\"\n"),
       "m.toml:5:1: error: unknown key \"polcy\" in [patch]; did you mean \"policy\"?"},
      {With("policy = \"critical\"\n"),
       "m.toml:5:10: error: bad policy \"critical\": expected one of security, all, none"},
      {With("reboot = \"sometimes\"\n"),
       "m.toml:5:10: error: bad reboot \"sometimes\": expected one of never, if-required, always"},
      {With("reboot = true\n"), "m.toml:5:10: error: wrong type for \"reboot\": expected a string, found boolean"},
      {With("exclude = \"linux-*\"\n"),
       "m.toml:5:11: error: wrong type for \"exclude\": expected an array of strings, found string"},
      {With("exclude = [\"linux image\"]\n"),
       "m.toml:5:12: error: bad package pattern \"linux image\" in exclude: expected a package name or glob like \"linux-image-*\""},
      {With("allow_other_origins = \"yes\"\n"),
       "m.toml:5:23: error: wrong type for \"allow_other_origins\": expected a boolean (true or false), found string"},
      {With("[rollout]\ntimeout = \"10 minutes\"\n"),
       "m.toml:6:11: error: bad duration \"10 minutes\": unknown unit \"minutes\" (expected a number and a unit: \"90s\", \"10m\", \"2h\", \"1h30m\")"},
      {With("[rollout]\ntimeout = 600\n"),
       "m.toml:6:11: error: wrong type for \"timeout\": expected a string, found integer"},
      {With("[rollout]\ntimeout = \"0s\"\n"), "m.toml:6:11: error: timeout must be longer than 0s"},
      {With("[rollout]\nbatch = \"150%\"\n"),
       "m.toml:6:9: error: percentage \"150%\" for \"batch\" out of range: between 1% and 100%"},
      {With("[rollout]\nbatch = \"0%\"\n"),
       "m.toml:6:9: error: percentage \"0%\" for \"batch\" out of range: between 1% and 100%"},
      {With("[rollout]\nbatch = 0\n"), "m.toml:6:9: error: batch = 0 is too small: at least 1"},
      {With("[rollout]\nbatch = \"25 %\"\n"),
       "m.toml:6:9: error: bad percentage \"25 %\" for \"batch\": expected a whole number and %, like \"25%\""},
      {With("[rollout]\nbatch = 0.25\n"),
       "m.toml:6:9: error: wrong type for \"batch\": expected a count (integer) or a percentage (\"25%\"), found float"},
      {With("[rollout]\nmax_failures = -1\n"), "m.toml:6:16: error: max_failures = -1 is too small: at least 0"},
      {With("[rollout]\ncanary = -1\n"), "m.toml:6:10: error: canary must be 0 or more hosts"},
      {With("[rollout]\nparallel = 5\n"), "m.toml:6:1: error: unknown key \"parallel\" in [rollout]"},
      {"[manifest]\nname = \"n\"\n[patch]\n", "m.toml:1:1: error: missing required key \"targets\" in [manifest]"},
      {"[manifest]\ntargets = \"all\"\n[patch]\n", "m.toml:1:1: error: missing required key \"name\" in [manifest]"},
      {"[patch]\n", "m.toml:1:1: error: missing required key \"manifest\" in the manifest"},
      {"[manifest]\nname = \"n\"\ntargets = \"\"\n[patch]\n",
       "m.toml:3:12: error: empty target expression (use \"all\" to select every host)"},
      {"[manifest]\nname = \"n\"\ntargets = \"group:web,,x\"\n[patch]\n",
       "m.toml:3:22: error: unexpected \",\" in target expression: expected a host, glob or group:NAME"},
      {"[manifest]\nname = \"n\"\ntargets = \"all\"\nticket = \"\"\n[patch]\n",
       "m.toml:4:10: error: ticket must be non-empty text on one line (or leave it out)"},
      {"[manifest]\nname = \"n\"\ntargets = \"all\"\n",
       "m.toml:1:1: error: manifest does nothing: add a [patch] policy other than \"none\", reboot = \"always\" or a [[deploy]]"},
      {"[manifest]\nname = \"n\"\ntargets = \"all\"\n[patch]\npolicy = \"none\"\n",
       "m.toml:1:1: error: manifest does nothing: add a [patch] policy other than \"none\", reboot = \"always\" or a [[deploy]]"},
      {"[manifest]\nname = \"n\"\ntargets = \"all\"\n[patch\n",
       "m.toml:4:7: error: invalid TOML: Error while parsing table header: expected ']', saw '\\n'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::vector<std::string> problems = Problems(c.text);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == c.expected);
  }
}

TEST_CASE("manifest: policy none with reboot always is a reboot-only manifest") {
  CHECK(Problems("[manifest]\nname = \"n\"\ntargets = \"all\"\n[patch]\npolicy = \"none\"\nreboot = \"always\"\n").empty());
}

TEST_CASE("manifest: deploy entries are checked one by one") {
  const std::string head = "[manifest]\nname = \"n\"\ntargets = \"all\"\n";
  struct Case {
    std::string deploy;
    const char* expected;
  };
  const Case cases[] = {
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"srv/app\"\n",
       "m.toml:8:8: error: deploy path \"srv/app\" must be absolute and normalised (like \"/srv/app\": no \"..\", no trailing \"/\")"},
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/srv/../etc\"\n",
       "m.toml:8:8: error: deploy path \"/srv/../etc\" must be absolute and normalised (like \"/srv/app\": no \"..\", no trailing \"/\")"},
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/\"\n",
       "m.toml:8:8: error: deploy path \"/\" must be absolute and normalised (like \"/srv/app\": no \"..\", no trailing \"/\")"},
      {"name = \"app\"\nrepo = \"r\"\npath = \"/srv/app\"\n",
       "m.toml:4:1: error: missing required key \"ref\" in [[deploy]] #1"},
      {"name = \"my app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/srv/app\"\n",
       "m.toml:5:8: error: bad deploy name \"my app\": use letters, digits, '.', '_' and '-', at most 200 of them"},
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/srv/app\"\nkeep = 0\n",
       "m.toml:9:8: error: keep = 0 out of range 1-100"},
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/srv/app\"\nafter = []\n",
       "m.toml:4:1: error: after must name a command: [\"systemctl\", \"reload\", \"app\"] (leave it out for none)"},
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/srv/app\"\nafter = \"systemctl reload app\"\n",
       "m.toml:9:9: error: wrong type for \"after\": expected an array of strings, found string"},
      {"name = \"app\"\nrepo = \"\"\nref = \"v1\"\npath = \"/srv/app\"\n", "m.toml:6:8: error: repo must not be empty"},
      {"name = \"app\"\nrepo = \"r\"\nref = \"v1\"\npath = \"/srv/app\"\nlfs = \"fetch\"\n",
       "m.toml:9:7: error: lfs = \"fetch\" is not supported: the only value is \"pointers\" (deploy Git LFS pointer files as committed)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.deploy);
    std::vector<std::string> problems = Problems(head + "[[deploy]]\n" + c.deploy);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == c.expected);
  }
  std::vector<std::string> dup = Problems(head +
      "[[deploy]]\nname = \"a\"\nrepo = \"r\"\nref = \"v\"\npath = \"/srv/a\"\n"
      "[[deploy]]\nname = \"a\"\nrepo = \"r\"\nref = \"v\"\npath = \"/srv/a\"\n");
  CHECK(dup == std::vector<std::string>{"m.toml:9:1: error: duplicate deploy name \"a\"",
                                        "m.toml:9:1: error: two deploys share the path \"/srv/a\""});
  CHECK(Problems("deploy = 3\n" + head) ==
        std::vector<std::string>{"m.toml:1:10: error: \"deploy\" must be an array of tables: write each one as [[deploy]]"});
}

TEST_CASE("manifest: every problem of a file in one run, in file order") {
  std::vector<std::string> problems = Problems(
      "[manifest]\nname = \"n\"\ntargets = \"all\"\nticet = \"x\"\n"
      "[patch]\npolicy = \"most\"\n[rollout]\nbatch = \"150%\"\ntimeout = \"10 minutes\"\n");
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].find("m.toml:4:1: error: unknown key \"ticet\" in [manifest]; did you mean \"ticket\"?") == 0);
  CHECK(problems[1].find("m.toml:6:10: error: bad policy") == 0);
  CHECK(problems[2].find("m.toml:8:9: error: percentage \"150%\"") == 0);
  CHECK(problems[3].find("m.toml:9:11: error: bad duration \"10 minutes\"") == 0);
}

TEST_CASE("manifest: targets resolved against the inventory") {
  Result<inventory::Inventory> inv = inventory::ParseInventory({{"inv.toml",
      "[groups.web]\nhosts = [\"web-01\", \"web-02\"]\n[hosts.web-01]\n[hosts.web-02]\n[hosts.db-01]\n"}});
  REQUIRE(inv.ok());
  Result<Manifest> m = ParseManifest({"m.toml", kFull});
  REQUIRE(m.ok());
  Result<std::vector<std::string>> hosts = ResolveManifestTargets(*m, *inv);
  REQUIRE(hosts.ok());
  CHECK(*hosts == std::vector<std::string>{"web-01", "web-02"});

  Result<Manifest> none = ParseManifest({"m.toml", "[manifest]\nname = \"n\"\ntargets = \"group:db\"\n[patch]\n"});
  REQUIRE(none.ok());
  Result<std::vector<std::string>> unresolved = ResolveManifestTargets(*none, *inv);
  REQUIRE_FALSE(unresolved.ok());
  REQUIRE(unresolved.error().diagnostics.size() == 1);
  CHECK(unresolved.error().diagnostics[0].ToString() == "m.toml:3:12: error: unknown group \"db\"");
}
