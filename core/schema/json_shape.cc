#include "core/schema/json_shape.h"

#include <vector>

namespace daybook::schema {
namespace {

Error Mismatch(const std::string& where, const std::string& expected, const Json& got) {
  return MakeError(ErrorCode::kInvalidInput,
                   where + ": expected " + expected + ", got " + std::string(JsonTypeName(got)));
}

bool Optional(const Json& shape) {
  if (shape.is_string()) {
    const auto& name = shape.get_ref<const std::string&>();
    return !name.empty() && name.back() == '?';
  }
  if (shape.is_object()) return shape.contains("?");
  if (shape.is_array()) return shape.size() == 2 && shape[0] == "?";
  return false;
}

bool TypeFits(const Json& value, const std::string& type) {
  if (type == "any") return true;
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return false;
}

// Checks (and, when `fill`, normalises) one value.
Status Walk(Json& value, const Json& shape, const std::string& where, bool fill) {
  if (Optional(shape) && value.is_null()) return OkStatus();
  if (shape.is_string()) {
    std::string type = shape.get<std::string>();
    if (!type.empty() && type.back() == '?') type.pop_back();
    if (!TypeFits(value, type)) return Mismatch(where, type == "integer" ? "an integer" : "a " + type, value);
    return OkStatus();
  }
  if (shape.is_array()) {
    if (!value.is_array()) return Mismatch(where, "an array", value);
    const Json& element = shape.back();
    for (size_t i = 0; i < value.size(); ++i) {
      if (Status s = Walk(value[i], element, where + "[" + std::to_string(i) + "]", fill); !s) return s;
    }
    return OkStatus();
  }
  if (!value.is_object()) return Mismatch(where, "an object", value);
  for (const auto& [key, field_shape] : shape.items()) {
    if (key == "?") continue;
    auto it = value.find(key);
    if (it == value.end()) {
      if (!Optional(field_shape)) return MakeError(ErrorCode::kInvalidInput, where + "." + key + ": missing");
      if (fill) value[key] = nullptr;
      continue;
    }
    if (Status s = Walk(*it, field_shape, where + "." + key, fill); !s) return s;
  }
  return OkStatus();
}

}  // namespace

Status CheckShape(const Json& value, const Json& shape, const std::string& where) {
  // Walk takes a mutable value only to normalise; with fill off it never writes.
  return Walk(const_cast<Json&>(value), shape, where, false);
}

Status Normalize(Json& value, const Json& shape, const std::string& where) { return Walk(value, shape, where, true); }

bool ContainsFloat(const Json& value) {
  std::vector<const Json*> pending{&value};
  while (!pending.empty()) {
    const Json* next = pending.back();
    pending.pop_back();
    if (next->is_number_float()) return true;
    if (next->is_structured()) {
      for (const Json& child : *next) pending.push_back(&child);
    }
  }
  return false;
}

}  // namespace daybook::schema
