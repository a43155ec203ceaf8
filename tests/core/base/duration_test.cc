#include "core/base/duration.h"

#include <doctest/doctest.h>

using daybook::Duration;
using daybook::FormatDuration;
using daybook::ParseDuration;
using namespace std::chrono_literals;

TEST_CASE("durations: units and combinations") {
  CHECK(*ParseDuration("90s") == Duration(90s));
  CHECK(*ParseDuration("10m") == Duration(10min));
  CHECK(*ParseDuration("2h") == Duration(2h));
  CHECK(*ParseDuration("1h30m") == Duration(90min));
  CHECK(*ParseDuration("1d") == Duration(24h));
  CHECK(*ParseDuration("250ms") == Duration(250ms));
  CHECK(*ParseDuration("0s") == Duration(0));
}

TEST_CASE("durations: bad input says what was expected") {
  for (const char* bad : {"10 minutes", "10", "m", "", "1x", "-5s", "1m1h", "1s1s", "1.5h", "10M"}) {
    CAPTURE(bad);
    daybook::Result<Duration> d = ParseDuration(bad);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("bad duration") == 0);
    CHECK(d.error().message.find("\"90s\"") != std::string::npos);
  }
  CHECK(ParseDuration("10 minutes").error().message.find("unknown unit \"minutes\"") != std::string::npos);
  CHECK(ParseDuration("10 m").error().message.find("no space") != std::string::npos);
  CHECK(ParseDuration("1x").error().message.find("unknown unit \"x\"") != std::string::npos);
  CHECK(ParseDuration("1m1h").error().message.find("largest to smallest") != std::string::npos);
  CHECK_FALSE(ParseDuration("99999999999999999999d").ok());
}

TEST_CASE("durations: nothing past a year and a day, so no timeout overflows later") {
  CHECK(ParseDuration("366d").ok());
  CHECK(ParseDuration("365d23h59m59s999ms").ok());
  for (const char* huge : {"367d", "366d1ms", "106751991167d", "9223372036854s", "1000000000h1ms", "999999999999ms"}) {
    CAPTURE(huge);
    daybook::Result<Duration> d = ParseDuration(huge);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("too large") != std::string::npos);
  }
}

TEST_CASE("durations: formatting is exact and round-trips") {
  CHECK(FormatDuration(90s) == "1m30s");
  CHECK(FormatDuration(Duration(0)) == "0s");
  CHECK(FormatDuration(Duration(1500)) == "1s500ms");
  for (const char* text : {"1h30m", "2d", "10m", "1d2h3m4s5ms"}) {
    CHECK(FormatDuration(*ParseDuration(text)) == text);
  }
}
