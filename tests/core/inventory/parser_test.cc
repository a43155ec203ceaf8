#include "core/inventory/parser.h"

#include <doctest/doctest.h>

using namespace daybook;
using namespace daybook::inventory;

namespace {

// The diagnostics of parsing `files`, formatted; empty when valid.
std::vector<std::string> Problems(const std::vector<SourceFile>& files) {
  Result<Inventory> inv = ParseInventory(files);
  std::vector<std::string> out;
  if (!inv) {
    for (const Diagnostic& d : inv.error().diagnostics) out.push_back(d.ToString());
  }
  return out;
}

std::vector<std::string> Problems(const std::string& text) { return Problems({{"inv.toml", text}}); }

const char* kValid = R"([defaults]
port = 7100

[groups.web]
hosts = ["web-01"]
window = "Sun 02:00-04:00 Europe/Paris"

[groups.dc1]

[hosts.web-01]
address = "10.0.0.11"
groups = ["dc1"]

[hosts.web-02]
groups = ["web", "dc1"]
port = 7200
ssh = "ssh://admin@bastion-side.example:2222"
)";

}  // namespace

TEST_CASE("inventory: a valid file, memberships from both directions") {
  Result<Inventory> inv = ParseInventory({{"inv.toml", kValid}});
  REQUIRE(inv.ok());
  REQUIRE(inv->hosts.size() == 2);
  const Host& web1 = *inv->FindHost("web-01");
  CHECK(web1.address == "10.0.0.11");
  CHECK(web1.port == 7100);
  CHECK(web1.ssh == "10.0.0.11");  // bootstrap's ssh destination defaults to the address
  CHECK(web1.groups == std::vector<std::string>{"dc1", "web"});
  REQUIRE(web1.window.has_value());
  CHECK(web1.window_from == "group:web");
  const Host& web2 = *inv->FindHost("web-02");
  CHECK(web2.address == "web-02");  // defaults to the name
  CHECK(web2.port == 7200);
  CHECK(web2.ssh == "ssh://admin@bastion-side.example:2222");
  CHECK(inv->FindGroup("web")->hosts == std::vector<std::string>{"web-01", "web-02"});
  CHECK(inv->FindGroup("dc1")->hosts == std::vector<std::string>{"web-01", "web-02"});
  CHECK(inv->FindHost("web-03") == nullptr);
}

TEST_CASE("inventory: files are merged, defaults apply across files") {
  Result<Inventory> inv = ParseInventory({{"a.toml", "[defaults]\nport = 7300\n[groups.g]\n"},
                                          {"b.toml", "[hosts.h1]\ngroups = [\"g\"]\n"}});
  REQUIRE(inv.ok());
  CHECK(inv->FindHost("h1")->port == 7300);
  CHECK(inv->FindGroup("g")->hosts == std::vector<std::string>{"h1"});
}

TEST_CASE("inventory: bad input, each problem positioned") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[hosts.web-01]\nadress = \"10.0.0.1\"\n",
       "inv.toml:2:1: error: unknown key \"adress\" in [hosts.web-01]; did you mean \"address\"?"},
      {"[hosts.web-01]\nport = \"7022\"\n", "inv.toml:2:8: error: wrong type for \"port\": expected an integer, found string"},
      {"[hosts.web-01]\nport = 70000\n", "inv.toml:2:8: error: port 70000 out of range 1-65535"},
      {"[hosts.web-01]\ngroups = [\"dbb\"]\n[groups.db]\n",
       "inv.toml:2:11: error: host \"web-01\" is in undefined group \"dbb\" (define [groups.dbb]); did you mean \"db\"?"},
      {"[groups.web]\nhosts = [\"web-9\"]\n[hosts.web-1]\n",
       "inv.toml:2:10: error: group \"web\" lists unknown host \"web-9\"; did you mean \"web-1\"?"},
      {"[hosts.\"web 01\"]\n", "inv.toml:1:8: error: bad host name \"web 01\": use letters, digits, '.', '_' and '-', starting with a letter or digit"},
      {"[groups.web]\nwindow = \"Sun 25:00-04:00 UTC\"\n",
       "inv.toml:2:15: error: bad time range \"25:00-04:00\" in window: expected HH:MM-HH:MM with hours 00-23 (end may be 24:00)"},
      {"[groups.web]\nwindow = \"Sun 02:00-04:00 Mars/Olympus\"\n",
       "inv.toml:2:27: error: unknown time zone \"Mars/Olympus\" in window (use an IANA name such as Europe/Paris or UTC)"},
      {"[groups.web]\nwindow = \"Sunday 02:00-04:00 UTC\"\n",
       "inv.toml:2:11: error: bad day \"Sunday\" in window: expected Mon..Sun, a range like Mon-Fri, \"daily\" or \"*\""},
      {"[groups.web]\nwindow = \"02:00-04:00\"\n",
       "inv.toml:2:11: error: bad window \"02:00-04:00\": expected \"DAYS HH:MM-HH:MM ZONE\", e.g. \"Sun 02:00-04:00 Europe/Paris\""},
      {"[groups.web]\nwindow = \"Sun 04:00-04:00 UTC\"\n",
       "inv.toml:2:15: error: empty time range \"04:00-04:00\" in window: start and end are equal"},
      {"[hosts.web-01]\naddress = \"\"\n", "inv.toml:2:11: error: bad address \"\" for host \"web-01\""},
      {"[hosts.web-01]\naddress = \"x$(id)\"\n", "inv.toml:2:11: error: bad address \"x$(id)\" for host \"web-01\""},
      {"[hosts.a]\naddress = \"10.0.0.1\"\n[hosts.b]\naddress = \"10.0.0.1\"\n",
       "inv.toml:3:8: error: host \"b\" has the address and port of host \"a\" (10.0.0.1:7022): one agent answers for one host"},
      // bootstrap hands it to ssh(1) as the destination: never an option.
      {"[hosts.web-01]\nssh = \"-oProxyCommand=x\"\n",
       "inv.toml:2:7: error: bad ssh destination \"-oProxyCommand=x\" for host \"web-01\" (want [user@]host or ssh://[user@]host[:port])"},
      {"[hosts.web-01]\nssh = \"root@a b\"\n",
       "inv.toml:2:7: error: bad ssh destination \"root@a b\" for host \"web-01\" (want [user@]host or ssh://[user@]host[:port])"},
      {"[hosts]\nweb-01 = \"10.0.0.1\"\n", "inv.toml:2:10: error: host \"web-01\" must be a table ([hosts.web-01])"},
      {"[hosts.web-01]\nport = 7022\n[hosts.web-01]\n", "inv.toml:3:1: error: invalid TOML: Error while parsing table header: cannot redefine existing table 'hosts.web-01'"},
      {"[defaults]\nport = 0\n", "inv.toml:2:8: error: port 0 out of range 1-65535"},
      {"[hots.web-01]\n", "inv.toml:1:2: error: unknown key \"hots\" in the inventory; did you mean \"hosts\"?"},
      {"[groups.web]\nhosts = [\"a\", 3]\n", "inv.toml:2:15: error: wrong type in \"hosts\": expected a string, found integer"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::vector<std::string> problems = Problems(c.text);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == c.expected);
  }
}

TEST_CASE("inventory: every problem of every file in one run") {
  std::vector<std::string> problems = Problems({
      {"a.toml", "[hosts.web-01]\nprot = 1\n[groups.web]\nwindow = \"Sun 02:00-04:00 Nowhere/City\"\n"},
      {"b.toml", "[hosts.web-01]\n[groups.web]\n"},
  });
  REQUIRE(problems.size() == 4);
  CHECK(problems[0] == "a.toml:2:1: error: unknown key \"prot\" in [hosts.web-01]; did you mean \"port\"?");
  CHECK(problems[1].find("a.toml:4:27: error: unknown time zone") == 0);
  CHECK(problems[2] == "b.toml:1:8: error: duplicate host \"web-01\" (first defined at a.toml:1:8)");
  CHECK(problems[3] == "b.toml:2:9: error: duplicate group \"web\" (first defined at a.toml:3:9)");
}

TEST_CASE("inventory: conflicting windows from two groups must be settled on the host") {
  std::vector<std::string> problems = Problems(
      "[groups.a]\nwindow = \"Sun 02:00-04:00 UTC\"\n[groups.b]\nwindow = \"Sat 02:00-04:00 UTC\"\n"
      "[hosts.h]\ngroups = [\"a\", \"b\"]\n");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "inv.toml:5:8: error: host \"h\" gets different windows from group:a and group:b; set \"window\" on the host");
  Result<Inventory> fixed = ParseInventory({{"inv.toml",
      "[groups.a]\nwindow = \"Sun 02:00-04:00 UTC\"\n[groups.b]\nwindow = \"Sat 02:00-04:00 UTC\"\n"
      "[hosts.h]\ngroups = [\"a\", \"b\"]\nwindow = \"daily 01:00-02:00 UTC\"\n"}});
  REQUIRE(fixed.ok());
  CHECK(fixed->hosts[0].window_from == "host");
}

TEST_CASE("inventory: defaults defined twice") {
  std::vector<std::string> problems = Problems({{"a.toml", "[defaults]\nport = 1\n"}, {"b.toml", "[defaults]\nport = 2\n"}});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "b.toml:1:1: error: [defaults] defined twice (first at a.toml:1:1)");
}
