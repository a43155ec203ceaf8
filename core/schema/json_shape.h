// The shape of a JSON document, written as JSON, checked against untrusted
// data once at the boundary, so that code behind it can read what the shape
// promises. A shape is:
//   "string" "integer" "boolean" "object" "array" "any"   that type
//   "string?" (any type name with ?)                      that type or null
//   {"key": shape, ...}                                   an object with those keys
//                                                         (others allowed); a key
//                                                         whose shape ends in ? may
//                                                         be absent
//   ["shape"] / [{...}]                                   an array of that shape
//   "object?" / "array?" style names for optional containers; an optional
//   nested object is {"?": true, ...}, an optional array ["?", shape].
// Normalize() also adds every absent optional key as null, so that reading
// any key of the shape afterwards is defined (nlohmann's const operator[]
// on a missing key is not).
#pragma once

#include <string>

#include "core/base/result.h"
#include "core/schema/json_reader.h"

namespace daybook::schema {

// kInvalidInput naming the first place that does not fit: "apply.result.deploys[0].status:
// expected a string, got an integer". `where` names the document.
Status CheckShape(const Json& value, const Json& shape, const std::string& where);

// CheckShape, then the absent optional keys of every object added as null.
Status Normalize(Json& value, const Json& shape, const std::string& where);

// Whether a floating-point number appears anywhere in `value`, at any depth
// (walked with an explicit stack: untrusted nesting never recurses). The
// journal and the protocol hold integers only: a float has no canonical form.
bool ContainsFloat(const Json& value);

}  // namespace daybook::schema
