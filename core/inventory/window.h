// Maintenance windows: "Sun 02:00-04:00 Europe/Paris", "Mon-Fri 22:00-02:00 UTC".
// Times are wall-clock times in the window's zone (the system tz database),
// so a window keeps its local hours across DST changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/clock.h"
#include "core/base/diagnostic.h"

namespace daybook::inventory {

struct Window {
  std::string text;        // as written, for display and the journal
  uint8_t days = 0;        // bit d set = the window opens on weekday d (0 = Sunday)
  int start_minute = 0;    // minutes after local midnight, 0..1439
  int end_minute = 0;      // 1..1440; <= start_minute means it ends the next day
  std::string zone;        // IANA name, checked against the tz database
};

// Parses `text`; on failure reports every problem into `diags` at
// `value_pos` (the first character of the window text) shifted to the
// offending part, and returns nullopt.
std::optional<Window> ParseWindow(std::string_view text, SourcePos value_pos, Diagnostics& diags);

// True when instant `t` falls inside `window` (start included, end excluded).
// A wall-clock time skipped by a DST change is simply never reached; one
// repeated by it is inside the window both times.
bool WindowContains(const Window& window, TimePoint t);

}  // namespace daybook::inventory
