// Canonical JSON for journal records: keys sorted bytewise, no whitespace,
// integers only (no floats), minimal escapes, UTF-8, no duplicate keys.
// A stored line is accepted only if it is exactly the canonical form of what
// it parses to, so every bit of a record is covered by its leaf hash.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace daybook::journal {

using Json = nlohmann::json;

// The canonical serialisation. Floats are a programming error here (assert);
// records are built from integers and strings only.
std::string Canonical(const Json& value);

// Parses `line` and checks that it is canonical. kFailed with the reason
// (invalid JSON, invalid UTF-8, a float, not canonical) otherwise.
Result<Json> ParseCanonical(std::string_view line);

}  // namespace daybook::journal
