#include "core/base/glob.h"

#include <doctest/doctest.h>

#include <string>

using daybook::GlobMatch;
using daybook::IsGlob;

TEST_CASE("glob: stars, question marks and classes") {
  CHECK(GlobMatch("web-*", "web-01"));
  CHECK(GlobMatch("web-*", "web-"));
  CHECK_FALSE(GlobMatch("web-*", "db-01"));
  CHECK(GlobMatch("*-01", "web-01"));
  CHECK(GlobMatch("w?b-0?", "web-01"));
  CHECK_FALSE(GlobMatch("w?b", "web-01"));
  CHECK(GlobMatch("db-0[1-3]", "db-02"));
  CHECK_FALSE(GlobMatch("db-0[1-3]", "db-04"));
  CHECK(GlobMatch("db-0[!1]", "db-02"));
  CHECK_FALSE(GlobMatch("db-0[!1]", "db-01"));
  CHECK(GlobMatch("linux-image-*", "linux-image-6.1.0-28-amd64"));
  CHECK(GlobMatch("*", ""));
  CHECK(GlobMatch("a*b*c", "aXXbYYc"));
  CHECK_FALSE(GlobMatch("a*b*c", "aXXbYY"));
}

TEST_CASE("glob: a malformed class matches its opening bracket literally") {
  CHECK(GlobMatch("a[b", "a[b"));
  CHECK_FALSE(GlobMatch("a[b", "ab"));
}

TEST_CASE("glob: pathological patterns stay fast") {
  std::string text(5000, 'a');
  CHECK_FALSE(GlobMatch("*a*a*a*a*a*a*a*b", text));
}

TEST_CASE("glob: detection") {
  CHECK(IsGlob("web-*"));
  CHECK(IsGlob("db-0[12]"));
  CHECK_FALSE(IsGlob("web-01"));
}
