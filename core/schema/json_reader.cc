#include "core/schema/json_reader.h"

namespace daybook::schema {
namespace {

const Json& Null() {
  static const Json null_value;
  return null_value;
}

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidInput, std::move(message)); }

}  // namespace

std::string_view JsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a float";
    case Json::value_t::binary: return "binary";
    case Json::value_t::discarded: return "nothing";
  }
  return "unknown";
}

Result<JsonReader> JsonReader::Of(const Json& value, std::string where) {
  if (!value.is_object()) return Invalid(where + ": expected an object, got " + std::string(JsonTypeName(value)));
  return JsonReader(&value, std::move(where));
}

const Json* JsonReader::Find(std::string_view key) const {
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

bool JsonReader::Has(std::string_view key) const {
  const Json* found = Find(key);
  return found != nullptr && !found->is_null();
}

std::string JsonReader::Name(std::string_view key) const {
  return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
}

Error JsonReader::Wrong(std::string_view key, std::string_view expected, const Json& got) const {
  return Invalid(Name(key) + ": expected " + std::string(expected) + ", got " + std::string(JsonTypeName(got)));
}

Result<const Json*> JsonReader::Any(std::string_view key) const {
  const Json* found = Find(key);
  if (found == nullptr || found->is_null()) return Invalid(Name(key) + ": missing");
  return found;
}

Result<std::string> JsonReader::String(std::string_view key) const {
  Result<const Json*> found = Any(key);
  if (!found) return found.error();
  if (!(*found)->is_string()) return Wrong(key, "a string", **found);
  return (*found)->get_ref<const std::string&>();
}

Result<bool> JsonReader::Bool(std::string_view key) const {
  Result<const Json*> found = Any(key);
  if (!found) return found.error();
  if (!(*found)->is_boolean()) return Wrong(key, "a boolean", **found);
  return (*found)->get<bool>();
}

Result<int64_t> JsonReader::Int(std::string_view key, int64_t min, int64_t max) const {
  Result<const Json*> found = Any(key);
  if (!found) return found.error();
  const Json& v = **found;
  int64_t n = 0;
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Invalid(Name(key) + ": " + std::to_string(u) + " is out of range [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]");
    }
    n = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else {
    return Wrong(key, "an integer", v);
  }
  if (n < min || n > max) {
    return Invalid(Name(key) + ": " + std::to_string(n) + " is out of range [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
  }
  return n;
}

Result<const Json*> JsonReader::Array(std::string_view key) const {
  Result<const Json*> found = Any(key);
  if (!found) return found.error();
  if (!(*found)->is_array()) return Wrong(key, "an array", **found);
  return found;
}

Result<JsonReader> JsonReader::Object(std::string_view key) const {
  Result<const Json*> found = Any(key);
  if (!found) return found.error();
  if (!(*found)->is_object()) return Wrong(key, "an object", **found);
  return JsonReader(*found, Name(key));
}

Result<std::string> JsonReader::String(std::string_view key, std::string fallback) const {
  if (!Has(key)) return fallback;
  return String(key);
}

Result<bool> JsonReader::Bool(std::string_view key, bool fallback) const {
  if (!Has(key)) return fallback;
  return Bool(key);
}

Result<int64_t> JsonReader::Int(std::string_view key, int64_t min, int64_t max, int64_t fallback) const {
  if (!Has(key)) return fallback;
  return Int(key, min, max);
}

Result<std::optional<JsonReader>> JsonReader::OptionalObject(std::string_view key) const {
  if (!Has(key)) return std::optional<JsonReader>();
  Result<JsonReader> object = Object(key);
  if (!object) return object.error();
  return std::optional<JsonReader>(*object);
}

Result<const Json*> JsonReader::OptionalArray(std::string_view key) const {
  if (!Has(key)) return static_cast<const Json*>(nullptr);
  return Array(key);
}

Result<std::vector<std::string>> JsonReader::StringArray(std::string_view key) const {
  Result<const Json*> array = Array(key);
  if (!array) return array.error();
  std::vector<std::string> out;
  out.reserve((*array)->size());
  for (size_t i = 0; i < (*array)->size(); ++i) {
    const Json& item = (**array)[i];
    if (!item.is_string()) {
      return Invalid(Name(key) + "[" + std::to_string(i) + "]: expected a string, got " +
                     std::string(JsonTypeName(item)));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<JsonReader> JsonReader::Element(const Json& array, size_t index, std::string_view key) const {
  std::string name = Name(key) + "[" + std::to_string(index) + "]";
  if (!array.is_array() || index >= array.size()) return Invalid(name + ": missing");
  return Of(array[index], name);
}

std::string StringOr(const Json& object, std::string_view key, std::string fallback) {
  const Json& v = MemberOr(object, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}

int64_t IntOr(const Json& object, std::string_view key, int64_t fallback) {
  const Json& v = MemberOr(object, key);
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    return u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? fallback : static_cast<int64_t>(u);
  }
  return v.is_number_integer() ? v.get<int64_t>() : fallback;
}

bool BoolOr(const Json& object, std::string_view key, bool fallback) {
  const Json& v = MemberOr(object, key);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

const Json& MemberOr(const Json& object, std::string_view key) {
  if (!object.is_object()) return Null();
  auto it = object.find(key);
  return it == object.end() ? Null() : *it;
}

}  // namespace daybook::schema
