// Checked reading of JSON from untrusted sources (the wire, agent answers,
// journal records, saved plans). nlohmann-json's own accessors throw on a
// missing key or a wrong type (`value()`, `get<T>()`, implicit conversions)
// or are undefined behaviour (`operator[]` on a const object without the
// key); nothing that reads bytes from outside uses them. Every getter here
// checks presence, type and range and returns an error that names the field:
//   apply.deploys[1].keep: expected an integer, got a string
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace daybook::schema {

using Json = nlohmann::json;

// "string", "integer", "object", ... for messages.
std::string_view JsonTypeName(const Json& value);

// A view of one JSON object. It does not own the object: keep the Json alive.
class JsonReader {
 public:
  // kInvalidInput when `value` is not an object. `where` names it in
  // messages ("apply", "answer.deploys[2]").
  static Result<JsonReader> Of(const Json& value, std::string where);

  const std::string& where() const { return where_; }
  const Json& json() const { return *object_; }
  bool Has(std::string_view key) const;

  // Required fields.
  Result<std::string> String(std::string_view key) const;
  Result<bool> Bool(std::string_view key) const;
  Result<int64_t> Int(std::string_view key, int64_t min = std::numeric_limits<int64_t>::min(),
                      int64_t max = std::numeric_limits<int64_t>::max()) const;
  Result<const Json*> Array(std::string_view key) const;
  Result<JsonReader> Object(std::string_view key) const;
  // Any type (the caller checks), but present.
  Result<const Json*> Any(std::string_view key) const;

  // Optional fields: absent or null gives the fallback; a present value of
  // another type is still an error.
  Result<std::string> String(std::string_view key, std::string fallback) const;
  Result<bool> Bool(std::string_view key, bool fallback) const;
  Result<int64_t> Int(std::string_view key, int64_t min, int64_t max, int64_t fallback) const;
  Result<std::optional<JsonReader>> OptionalObject(std::string_view key) const;
  Result<const Json*> OptionalArray(std::string_view key) const;  // nullptr when absent

  // Each element of an array read as a string; the first bad one is named.
  Result<std::vector<std::string>> StringArray(std::string_view key) const;

  // The object at `index` of array `array` (for loops over arrays of objects).
  Result<JsonReader> Element(const Json& array, size_t index, std::string_view key) const;

 private:
  JsonReader(const Json* object, std::string where) : object_(object), where_(std::move(where)) {}
  const Json* Find(std::string_view key) const;
  std::string Name(std::string_view key) const;
  Error Wrong(std::string_view key, std::string_view expected, const Json& got) const;

  const Json* object_;
  std::string where_;
};

// Display-only reads that never fail: the member when it has the type,
// else the fallback. For text shown to people, never for decisions.
std::string StringOr(const Json& object, std::string_view key, std::string fallback = "");
int64_t IntOr(const Json& object, std::string_view key, int64_t fallback = 0);
bool BoolOr(const Json& object, std::string_view key, bool fallback = false);
// The member, or a null value when `object` is no object or lacks it.
const Json& MemberOr(const Json& object, std::string_view key);

}  // namespace daybook::schema
