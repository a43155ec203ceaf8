// Durations as written in manifests and config: "90s", "10m", "2h", "1h30m".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace daybook {

using Duration = std::chrono::milliseconds;

// The longest duration anything accepts: a year and a day. Larger values are
// refused when parsed, so no timeout can overflow a clock or an int later.
constexpr Duration kMaxDuration = std::chrono::hours(24 * 366);

// Parses one or more <integer><unit> parts, unit one of ms, s, m, h, d, in
// decreasing order ("1h30m"), at most kMaxDuration. The error message says
// what was expected; the caller adds the position.
Result<Duration> ParseDuration(std::string_view text);

// The shortest exact form: "90s" → "1m30s", 0 → "0s".
std::string FormatDuration(Duration duration);

}  // namespace daybook
