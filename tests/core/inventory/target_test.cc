#include "core/inventory/target.h"

#include <doctest/doctest.h>

#include "core/inventory/parser.h"

using namespace daybook;
using namespace daybook::inventory;

namespace {

Inventory Fleet() {
  Result<Inventory> inv = ParseInventory({{"inv.toml", R"(
[groups.web]
hosts = ["web-01", "web-02", "web-03"]
[groups.db]
hosts = ["db-01", "db-02"]
[groups.rbx]
hosts = ["web-01", "web-02", "db-01"]
[groups.empty]
[hosts.web-01]
[hosts.web-02]
[hosts.web-03]
[hosts.db-01]
[hosts.db-02]
)"}});
  REQUIRE(inv.ok());
  return std::move(*inv);
}

std::vector<std::string> Select(const std::string& expr) {
  Diagnostics diags("--target");
  auto hosts = SelectHosts(expr, Fleet(), {1, 1}, diags);
  for (const Diagnostic& d : diags.all()) MESSAGE(d.ToString());
  REQUIRE(hosts.has_value());
  return *hosts;
}

std::vector<std::string> Errors(const std::string& expr) {
  Diagnostics diags("--target");
  auto hosts = SelectHosts(expr, Fleet(), {1, 1}, diags);
  CHECK_FALSE(hosts.has_value());
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.all()) out.push_back(d.ToString());
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("targets: atoms") {
  CHECK(Select("all") == V{"db-01", "db-02", "web-01", "web-02", "web-03"});
  CHECK(Select("web-02") == V{"web-02"});
  CHECK(Select("web-*") == V{"web-01", "web-02", "web-03"});
  CHECK(Select("db-0[2-9]") == V{"db-02"});
  CHECK(Select("group:db") == V{"db-01", "db-02"});
}

TEST_CASE("targets: union, intersection, exclusion, parentheses") {
  CHECK(Select("group:web,group:db") == Select("all"));
  CHECK(Select("group:web&group:rbx") == V{"web-01", "web-02"});
  CHECK(Select("!web-02") == V{"db-01", "db-02", "web-01", "web-03"});
  CHECK(Select("group:web,!web-02") == V{"web-01", "web-03"});
  CHECK(Select("group:web&!web-02") == V{"web-01", "web-03"});
  CHECK(Select("!web-02,group:web") == V{"web-01", "web-03"});  // order of terms does not matter
  CHECK(Select("group:web,group:db,!group:rbx") == V{"db-02", "web-03"});
  CHECK(Select("(group:web,group:db)&group:rbx") == V{"db-01", "web-01", "web-02"});
  CHECK(Select("group:rbx&(web-*,!web-01)") == V{"web-02"});
  CHECK(Select(" group:web & group:rbx ") == V{"web-01", "web-02"});
  CHECK(Select("!!web-01") == V{"web-01"});
}

TEST_CASE("targets: syntax errors are positioned") {
  CHECK(Errors("") == V{"--target:1:1: error: empty target expression (use \"all\" to select every host)"});
  CHECK(Errors("group:web,") ==
        V{"--target:1:11: error: target expression ends where a host, glob or group:NAME was expected"});
  CHECK(Errors("group:web,,db-01") ==
        V{"--target:1:11: error: unexpected \",\" in target expression: expected a host, glob or group:NAME"});
  CHECK(Errors("(group:web") == V{"--target:1:1: error: unbalanced \"(\" in target expression"});
  CHECK(Errors("web-01)") == V{"--target:1:7: error: unexpected \")\" in target expression"});
  CHECK(Errors("role:web") ==
        V{"--target:1:1: error: unknown selector \"role:web\" in target expression (only group:NAME has a prefix)"});
  CHECK(Errors("web-01&group:") == V{"--target:1:8: error: bad group name \"\" in target expression"});
  CHECK(Errors("web|db") == V{"--target:1:4: error: unexpected \"|\" in target expression"});
}

TEST_CASE("targets: names that match nothing are errors, all reported") {
  CHECK(Errors("group:webb,web-9,zz-*") ==
        V{"--target:1:1: error: unknown group \"webb\"; did you mean \"web\"?",
          "--target:1:12: error: unknown host \"web-9\"; did you mean \"web-01\"?",
          "--target:1:18: error: pattern \"zz-*\" matches no host"});
  CHECK(Errors("web-1") == V{"--target:1:1: error: unknown host \"web-1\"; did you mean \"web-01\"?"});
  CHECK(Errors("group:web&group:db") ==
        V{"--target:1:1: error: target expression \"group:web&group:db\" matches no host"});
  CHECK(Errors("group:empty") == V{"--target:1:1: error: target expression \"group:empty\" matches no host"});
}

TEST_CASE("targets: positions shift with the value's position in a file") {
  Diagnostics diags("m.toml");
  auto hosts = SelectHosts("group:web,nope", Fleet(), {4, 12}, diags);
  CHECK_FALSE(hosts.has_value());
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].ToString() == "m.toml:4:22: error: unknown host \"nope\"");
}
