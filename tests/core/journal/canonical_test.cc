#include "core/journal/canonical.h"

#include <doctest/doctest.h>

#include "core/journal/record.h"

using namespace daybook;
using namespace daybook::journal;

TEST_CASE("canonical: sorted keys, no spaces, round trip") {
  Json j = {{"zeta", 1}, {"alpha", {{"b", "x"}, {"a", -2}}}, {"list", {3, "é", nullptr, true}}};
  std::string line = Canonical(j);
  CHECK(line == "{\"alpha\":{\"a\":-2,\"b\":\"x\"},\"list\":[3,\"é\",null,true],\"zeta\":1}");
  CHECK(*ParseCanonical(line) == j);
  CHECK(Canonical(Json{{"s", "a\nb\x01\"\\/"}}) == "{\"s\":\"a\\nb\\u0001\\\"\\\\/\"}");
}

TEST_CASE("canonical: anything else is rejected") {
  for (const char* bad : {
           "{\"b\":1,\"a\":2}",          // key order
           "{\"a\": 1}",                 // space
           "{\"a\":1} ",                 // trailing space
           "{\"a\":1.0}",                // float
           "{\"a\":1e2}",                // exponent
           "{\"a\":-0}",                 // negative zero
           "{\"a\":\"\\u0041\"}",        // needless escape
           "{\"a\":1,\"a\":1}",          // duplicate key
           "{\"a\":\"\xff\"}",           // invalid UTF-8
           "[1]",                        // not an object
           "{\"a\":01}",                 // leading zero
           "",                           // empty
       }) {
    CAPTURE(bad);
    CHECK_FALSE(ParseCanonical(bad).ok());
  }
}

TEST_CASE("records: timestamps have one spelling") {
  auto t = ParseTimestamp("2026-11-28T05:10:00.123Z");
  REQUIRE(t.has_value());
  CHECK(FormatTimestamp(*t) == "2026-11-28T05:10:00.123Z");
  for (const char* bad : {"2026-11-28T05:10:00Z", "2026-11-28T05:10:00.123+00:00", "2026-11-28 05:10:00.123Z",
                          "2026-13-28T05:10:00.123Z", "2026-11-28T25:10:00.123Z", "2026-02-30T05:10:00.123Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseTimestamp(bad).has_value());
  }
}
