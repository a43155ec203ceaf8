#include "core/inventory/window.h"

#include <array>
#include <cctype>
#include <date/tz.h>
#include <stdexcept>

#include "core/base/strings.h"

namespace daybook::inventory {
namespace {

constexpr std::array<std::string_view, 7> kDayNames{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr uint8_t kAllDays = 0x7f;
constexpr std::string_view kExpected = "expected \"DAYS HH:MM-HH:MM ZONE\", e.g. \"Sun 02:00-04:00 Europe/Paris\"";

std::optional<int> DayIndex(std::string_view word) {
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (lower == kDayNames[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "Mon-Fri,Sun" | "daily" | "*" → bit mask; 0 on error (already reported).
uint8_t ParseDays(std::string_view text, SourcePos pos, Diagnostics& diags) {
  if (text == "daily" || text == "*") return kAllDays;
  uint8_t mask = 0;
  size_t offset = 0;
  for (const std::string& item : Split(text, ',')) {
    SourcePos item_pos = pos.Shifted(static_cast<int>(offset));
    offset += item.size() + 1;
    std::vector<std::string> ends = Split(item, '-');
    std::optional<int> first = ends.size() <= 2 ? DayIndex(ends[0]) : std::nullopt;
    std::optional<int> last = ends.size() == 2 ? DayIndex(ends[1]) : first;
    if (!first || !last) {
      diags.Error(item_pos, "bad day " + Quoted(item) +
                                " in window: expected Mon..Sun, a range like Mon-Fri, \"daily\" or \"*\"");
      return 0;
    }
    for (int d = *first;; d = (d + 1) % 7) {  // ranges may wrap: Fri-Mon
      mask = static_cast<uint8_t>(mask | (1u << d));
      if (d == *last) break;
    }
  }
  return mask;
}

// "HH:MM" → minutes; allow_24 admits "24:00" (an end of day).
std::optional<int> ParseClock(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59) return std::nullopt;
  if (hours == 24 && minutes == 0 && allow_24) return 24 * 60;
  if (hours > 23) return std::nullopt;
  return hours * 60 + minutes;
}

bool ZoneExists(const std::string& zone) {
  try {
    return date::locate_zone(zone) != nullptr;
  } catch (const std::exception&) {
    return false;  // "X not found in timezone database", or no database at all
  }
}

}  // namespace

std::optional<Window> ParseWindow(std::string_view text, SourcePos value_pos, Diagnostics& diags) {
  std::vector<std::string> words;
  std::vector<int> offsets;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ' ') { ++i; continue; }
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(i, end - i));
    offsets.push_back(static_cast<int>(i));
    i = end;
  }
  if (words.size() != 3) {
    diags.Error(value_pos, "bad window " + Quoted(text) + ": " + std::string(kExpected));
    return std::nullopt;
  }
  Window window;
  window.text = std::string(text);
  bool ok = true;

  window.days = ParseDays(words[0], value_pos.Shifted(offsets[0]), diags);
  ok = window.days != 0 && ok;

  SourcePos times_pos = value_pos.Shifted(offsets[1]);
  std::vector<std::string> times = Split(words[1], '-');
  std::optional<int> start = times.size() == 2 ? ParseClock(times[0], false) : std::nullopt;
  std::optional<int> end = times.size() == 2 ? ParseClock(times[1], true) : std::nullopt;
  if (!start || !end) {
    diags.Error(times_pos, "bad time range " + Quoted(words[1]) +
                               " in window: expected HH:MM-HH:MM with hours 00-23 (end may be 24:00)");
    ok = false;
  } else if (*start == *end) {
    diags.Error(times_pos, "empty time range " + Quoted(words[1]) + " in window: start and end are equal");
    ok = false;
  } else {
    window.start_minute = *start;
    window.end_minute = *end;
  }

  window.zone = words[2];
  if (!ZoneExists(window.zone)) {
    diags.Error(value_pos.Shifted(offsets[2]),
                "unknown time zone " + Quoted(window.zone) + " in window (use an IANA name such as Europe/Paris or UTC)");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return window;
}

bool WindowContains(const Window& window, TimePoint t) {
  const date::time_zone* zone = date::locate_zone(window.zone);  // checked at parse time
  date::local_time<std::chrono::milliseconds> local = zone->to_local(t);
  date::local_days day = date::floor<date::days>(local);
  int minute = static_cast<int>(date::floor<std::chrono::minutes>(local - day).count());
  unsigned today = date::weekday(day).c_encoding();
  unsigned yesterday = (today + 6) % 7;
  auto opens_on = [&](unsigned d) { return (window.days >> d) & 1u; };

  if (window.start_minute < window.end_minute) {
    return opens_on(today) && minute >= window.start_minute && minute < window.end_minute;
  }
  // Crosses midnight: the evening part belongs to today, the morning part to
  // a window that opened yesterday.
  return (opens_on(today) && minute >= window.start_minute) ||
         (opens_on(yesterday) && minute < window.end_minute);
}

}  // namespace daybook::inventory
