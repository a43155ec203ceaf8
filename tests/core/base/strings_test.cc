#include "core/base/strings.h"

#include <doctest/doctest.h>

using namespace daybook;

TEST_CASE("strings: split, trim, join") {
  CHECK(Split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(Split("", ',') == std::vector<std::string>{""});
  CHECK(Trim("  x y \n") == "x y");
  CHECK(Trim("   ").empty());
  CHECK(Join({"a", "b"}, ", ") == "a, b");
}

TEST_CASE("strings: edit distance and suggestions") {
  CHECK(EditDistance("pakage", "package") == 1);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("prot", "port") == 1);
  std::vector<std::string> keys{"policy", "exclude", "reboot"};
  CHECK(ClosestMatch("polcy", keys) == "policy");
  CHECK(ClosestMatch("exlcude", keys) == "exclude");
  CHECK_FALSE(ClosestMatch("banana", keys).has_value());
  // The start of exactly one candidate means it, however far in edits.
  CHECK(ClosestMatch("--abandon", {"--abandon-host", "--yes"}) == "--abandon-host");
  CHECK_FALSE(ClosestMatch("--out", {"--output", "--outcome"}).has_value());
  CHECK_FALSE(ClosestMatch("x", {"y"}).has_value());  // too short to be a typo
}

TEST_CASE("strings: quoting escapes control characters") {
  CHECK(Quoted("web") == "\"web\"");
  CHECK(Quoted("a\"b") == "\"a\\\"b\"");
  CHECK(Quoted("a\nb") == "\"a\\x0ab\"");
}

TEST_CASE("strings: names") {
  CHECK(IsValidName("web-01"));
  CHECK(IsValidName("db.rbx_2"));
  CHECK_FALSE(IsValidName(""));
  CHECK_FALSE(IsValidName("-web"));
  CHECK_FALSE(IsValidName("web 01"));
  CHECK_FALSE(IsValidName("web/01"));
  CHECK_FALSE(IsValidName(std::string(254, 'a')));
}
