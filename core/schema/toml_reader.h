// Strict reading of TOML documents against a schema: every key a parser asks
// for is type-checked and positioned, every key it never asks for is an
// "unknown key" error (with a "did you mean" suggestion). Shared by the
// manifest, inventory and configuration parsers. TOML++ exceptions stop here.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "core/base/diagnostic.h"

namespace daybook::schema {

// A value with the position of its first character in the source.
template <typename T>
struct Field {
  T value;
  SourcePos pos;
};

SourcePos PosOf(const toml::node& node);
SourcePos PosOf(const toml::key& key);

// "string", "integer", "table", ... for messages.
std::string_view TypeName(const toml::node& node);

// Parses a whole document. A syntax error becomes one diagnostic (TOML++
// stops at the first) and the result is empty.
std::optional<toml::table> ParseDocument(std::string_view text, Diagnostics& diags);

enum class Presence { kOptional, kRequired };

// Reads one table. Every accessor marks its key as known and reports a wrong
// type or a missing required key into `diags`, returning nullopt/nullptr.
// RejectUnknownKeys() then reports the keys nobody asked for.
class TableReader {
 public:
  // `where` names the table in messages: "[rollout]", "[hosts.web-01]".
  // `pos` is where to report a missing key (the table header).
  TableReader(const toml::table& table, std::string where, Diagnostics& diags);

  std::optional<Field<std::string>> String(std::string_view key, Presence presence = Presence::kOptional);
  std::optional<Field<int64_t>> Integer(std::string_view key, Presence presence = Presence::kOptional);
  std::optional<Field<bool>> Bool(std::string_view key, Presence presence = Presence::kOptional);
  // Each element must be a string; every bad element is reported.
  std::optional<std::vector<Field<std::string>>> StringArray(std::string_view key,
                                                             Presence presence = Presence::kOptional);
  const toml::table* Table(std::string_view key, Presence presence = Presence::kOptional);
  const toml::array* Array(std::string_view key, Presence presence = Presence::kOptional);
  // Any type: the caller checks it (for "count or percentage" values).
  const toml::node* Any(std::string_view key, Presence presence = Presence::kOptional);

  void RejectUnknownKeys();

  SourcePos pos() const { return pos_; }
  Diagnostics& diags() { return diags_; }

 private:
  const toml::node* Lookup(std::string_view key, Presence presence);
  void WrongType(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::table& table_;
  std::string where_;
  SourcePos pos_;
  Diagnostics& diags_;
  std::set<std::string, std::less<>> asked_;
};

}  // namespace daybook::schema
