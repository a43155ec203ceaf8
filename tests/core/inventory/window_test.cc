#include "core/inventory/window.h"

#include <date/date.h>
#include <doctest/doctest.h>

using namespace daybook;
using namespace daybook::inventory;
using namespace std::chrono_literals;

namespace {

Window Parse(const std::string& text) {
  Diagnostics diags("w");
  std::optional<Window> w = ParseWindow(text, {1, 1}, diags);
  for (const Diagnostic& d : diags.all()) MESSAGE(d.ToString());
  REQUIRE(w.has_value());
  return *w;
}

// A UTC instant from calendar fields.
TimePoint Utc(int y, unsigned m, unsigned d, int hh, int mm) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{hh} +
         std::chrono::minutes{mm};
}

}  // namespace

TEST_CASE("windows: days, ranges, lists") {
  CHECK(Parse("Sun 02:00-04:00 UTC").days == 0x01);
  CHECK(Parse("Mon-Fri 22:00-06:00 UTC").days == 0x3e);
  CHECK(Parse("Fri-Mon 22:00-06:00 UTC").days == 0x63);  // wraps over the weekend: Fri, Sat, Sun, Mon
  CHECK(Parse("sat,sun 00:00-24:00 UTC").days == 0x41);
  CHECK(Parse("daily 12:00-13:00 UTC").days == 0x7f);
  CHECK(Parse("* 12:00-13:00 UTC").days == 0x7f);
  Window w = Parse("Sun 02:00-04:00 Europe/Paris");
  CHECK(w.start_minute == 120);
  CHECK(w.end_minute == 240);
  CHECK(w.zone == "Europe/Paris");
}

TEST_CASE("windows: membership in plain weeks") {
  Window w = Parse("Sun 02:00-04:00 UTC");
  // 2026-11-29 is a Sunday.
  CHECK_FALSE(WindowContains(w, Utc(2026, 11, 29, 1, 59)));
  CHECK(WindowContains(w, Utc(2026, 11, 29, 2, 0)));
  CHECK(WindowContains(w, Utc(2026, 11, 29, 3, 59)));
  CHECK_FALSE(WindowContains(w, Utc(2026, 11, 29, 4, 0)));  // end excluded
  CHECK_FALSE(WindowContains(w, Utc(2026, 11, 28, 2, 30)));  // Saturday
}

TEST_CASE("windows: crossing midnight belongs to the day it opens") {
  Window w = Parse("Sat 23:00-01:00 UTC");
  CHECK(WindowContains(w, Utc(2026, 11, 28, 23, 30)));   // Saturday night
  CHECK(WindowContains(w, Utc(2026, 11, 29, 0, 30)));    // Sunday early morning
  CHECK_FALSE(WindowContains(w, Utc(2026, 11, 29, 23, 30)));  // Sunday night
  CHECK_FALSE(WindowContains(w, Utc(2026, 11, 28, 0, 30)));   // Saturday early morning: Friday didn't open
}

TEST_CASE("windows: wall-clock hours across the spring DST change (Europe/Paris, 2026-03-29)") {
  // 02:00-03:00 local does not exist that night: clocks jump from 02:00 CET to 03:00 CEST.
  Window w = Parse("Sun 02:00-04:00 Europe/Paris");
  CHECK_FALSE(WindowContains(w, Utc(2026, 3, 29, 0, 59)));  // 01:59 CET
  CHECK(WindowContains(w, Utc(2026, 3, 29, 1, 0)));         // 03:00 CEST
  CHECK(WindowContains(w, Utc(2026, 3, 29, 1, 59)));        // 03:59 CEST
  CHECK_FALSE(WindowContains(w, Utc(2026, 3, 29, 2, 0)));   // 04:00 CEST
}

TEST_CASE("windows: wall-clock hours across the autumn DST change (Europe/Paris, 2026-10-25)") {
  // 02:00-03:00 local happens twice that night: both are inside.
  Window w = Parse("Sun 02:00-04:00 Europe/Paris");
  CHECK_FALSE(WindowContains(w, Utc(2026, 10, 24, 23, 59)));  // 01:59 CEST
  CHECK(WindowContains(w, Utc(2026, 10, 25, 0, 0)));          // 02:00 CEST
  CHECK(WindowContains(w, Utc(2026, 10, 25, 1, 0)));          // 02:00 CET, again
  CHECK(WindowContains(w, Utc(2026, 10, 25, 2, 59)));         // 03:59 CET
  CHECK_FALSE(WindowContains(w, Utc(2026, 10, 25, 3, 0)));    // 04:00 CET
  // A summer Sunday: the same local hours are 00:00-02:00 UTC.
  CHECK(WindowContains(w, Utc(2026, 7, 5, 0, 0)));
  CHECK_FALSE(WindowContains(w, Utc(2026, 7, 5, 2, 0)));
}

TEST_CASE("windows: bad input, all problems of one window reported") {
  Diagnostics diags("w");
  CHECK_FALSE(ParseWindow("Sun,Funday 9:00-04:00 Mars/Olympus", {3, 10}, diags).has_value());
  REQUIRE(diags.all().size() == 3);
  CHECK(diags.all()[0].ToString() ==
        "w:3:14: error: bad day \"Funday\" in window: expected Mon..Sun, a range like Mon-Fri, \"daily\" or \"*\"");
  CHECK(diags.all()[1].ToString().find("w:3:21: error: bad time range \"9:00-04:00\"") == 0);
  CHECK(diags.all()[2].ToString().find("w:3:32: error: unknown time zone \"Mars/Olympus\"") == 0);
}
