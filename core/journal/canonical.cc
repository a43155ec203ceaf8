#include "core/journal/canonical.h"

#include <cassert>

#include "core/base/text.h"

namespace daybook::journal {
namespace {

bool HasFloat(const Json& value) {
  if (value.is_number_float()) return true;
  if (value.is_structured()) {
    for (const Json& child : value) {
      if (HasFloat(child)) return true;
    }
  }
  return false;
}

}  // namespace

std::string Canonical(const Json& value) {
  assert(!HasFloat(value));
  // nlohmann objects are std::map: keys come out sorted bytewise. Compact
  // form, raw UTF-8, control characters as \u00XX (or \n, \t ...).
  // Every producer makes its strings valid UTF-8 first (core/base/text.h);
  // should one slip through, its bad bytes become U+FFFD here rather than
  // an exception that would take the process down. ParseCanonical never
  // sees such a string: parsing rejects invalid UTF-8.
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Json> ParseCanonical(std::string_view line) {
  Json value;
  try {
    value = Json::parse(line);
  } catch (const Json::exception& e) {
    return MakeError(ErrorCode::kFailed, "not JSON: " + ReadableText(e.what()));
  }
  if (!value.is_object()) return MakeError(ErrorCode::kFailed, "a record must be a JSON object");
  if (HasFloat(value)) return MakeError(ErrorCode::kFailed, "records hold integers only, not floats");
  if (Canonical(value) != line) {
    return MakeError(ErrorCode::kFailed, "not canonical JSON (key order, spacing, escapes or duplicate keys)");
  }
  return value;
}

}  // namespace daybook::journal
