#include "core/base/duration.h"

#include <array>
#include <cstdint>
#include <limits>

#include "core/base/strings.h"

namespace daybook {
namespace {

struct Unit {
  std::string_view name;
  int64_t millis;
};
// Largest first: parts must come in this order, each unit at most once.
constexpr std::array<Unit, 5> kUnits{{
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

Error BadDuration(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidInput,
                   "bad duration " + Quoted(text) + ": " + std::string(why) +
                       " (expected a number and a unit: \"90s\", \"10m\", \"2h\", \"1h30m\")");
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text, "empty");
  int64_t total = 0;
  size_t next_unit = 0;  // index in kUnits the next part may use
  size_t i = 0;
  while (i < text.size()) {
    size_t digits_start = i;
    int64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > std::numeric_limits<int64_t>::max() / 10 / 86'400'000) {
        return BadDuration(text, "too large");
      }
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == digits_start) return BadDuration(text, "a number must come before each unit");
    size_t space_start = i;
    while (i < text.size() && text[i] == ' ') ++i;
    bool spaced = i > space_start;
    size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return BadDuration(text, "missing unit");
    size_t found = kUnits.size();
    for (size_t u = 0; u < kUnits.size(); ++u) {
      if (kUnits[u].name == unit) found = u;
    }
    if (found == kUnits.size()) {
      return BadDuration(text, "unknown unit " + Quoted(unit));
    }
    if (spaced) return BadDuration(text, "no space between a number and its unit");
    if (found < next_unit) return BadDuration(text, "units must go from largest to smallest, once each");
    next_unit = found + 1;
    // number * millis cannot overflow (bounded above); the sum is checked
    // against the cap at every part.
    total += number * kUnits[found].millis;
    if (total > kMaxDuration.count()) return BadDuration(text, "too large (the most is 366d)");
  }
  return Duration(total);
}

std::string FormatDuration(Duration duration) {
  int64_t left = duration.count();
  if (left == 0) return "0s";
  std::string out;
  for (const Unit& unit : kUnits) {
    if (left >= unit.millis) {
      out += std::to_string(left / unit.millis) + std::string(unit.name);
      left %= unit.millis;
    }
  }
  return out;
}

}  // namespace daybook
