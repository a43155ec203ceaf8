#include "core/journal/canonical.h"

#include <cassert>

#include "core/base/text.h"
#include "core/schema/json_shape.h"

namespace daybook::journal {
namespace {

constexpr int kMaxRecordNesting = 64;

}  // namespace

std::string Canonical(const Json& value) {
  // Floats have no canonical form here; ParseCanonical refuses them, so a
  // record holding one never verifies. Writers refuse them before that
  // (the controller refuses agent answers that hold one).
  // nlohmann objects are std::map: keys come out sorted bytewise. Compact
  // form, raw UTF-8, control characters as \u00XX (or \n, \t ...).
  // Every producer makes its strings valid UTF-8 first (core/base/text.h);
  // should one slip through, its bad bytes become U+FFFD here rather than
  // an exception that would take the process down. ParseCanonical never
  // sees such a string: parsing rejects invalid UTF-8.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Nesting of `line` outside strings, stopping past `limit`: nlohmann's
// parser recurses, and a line of a million '[' would overflow the stack.
bool NestsDeeperThan(std::string_view line, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if ((c == '{' || c == '[') && ++depth > limit) return true;
    if (c == '}' || c == ']') --depth;
  }
  return false;
}

Result<Json> ParseCanonical(std::string_view line) {
  if (NestsDeeperThan(line, kMaxRecordNesting)) {
    return MakeError(ErrorCode::kFailed, "nests deeper than " + std::to_string(kMaxRecordNesting) + " levels");
  }
  Json value;
  try {
    value = Json::parse(line);
  } catch (const Json::exception& e) {
    return MakeError(ErrorCode::kFailed, "not JSON: " + ReadableText(e.what()));
  }
  if (!value.is_object()) return MakeError(ErrorCode::kFailed, "a record must be a JSON object");
  if (schema::ContainsFloat(value)) return MakeError(ErrorCode::kFailed, "records hold integers only, not floats");
  if (Canonical(value) != line) {
    return MakeError(ErrorCode::kFailed, "not canonical JSON (key order, spacing, escapes or duplicate keys)");
  }
  return value;
}

}  // namespace daybook::journal
