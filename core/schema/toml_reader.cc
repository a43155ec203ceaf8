#include "core/schema/toml_reader.h"

#include "core/base/strings.h"

namespace daybook::schema {
namespace {

SourcePos FromRegion(const toml::source_region& region) {
  if (region.begin.line == 0) return {1, 1};  // implicit tables have no source
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

}  // namespace

SourcePos PosOf(const toml::node& node) { return FromRegion(node.source()); }
SourcePos PosOf(const toml::key& key) { return FromRegion(key.source()); }

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::optional<toml::table> ParseDocument(std::string_view text, Diagnostics& diags) {
  try {
    return toml::parse(text, std::string_view{diags.path()});
  } catch (const toml::parse_error& e) {
    SourcePos pos{static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)};
    diags.Error(pos, "invalid TOML: " + std::string(e.description()));
    return std::nullopt;
  }
}

TableReader::TableReader(const toml::table& table, std::string where, Diagnostics& diags)
    : table_(table), where_(std::move(where)), pos_(PosOf(table)), diags_(diags) {}

const toml::node* TableReader::Lookup(std::string_view key, Presence presence) {
  asked_.emplace(key);
  const toml::node* node = table_.get(key);
  if (node == nullptr && presence == Presence::kRequired) {
    diags_.Error(pos_, "missing required key " + Quoted(key) + " in " + where_);
  }
  return node;
}

void TableReader::WrongType(std::string_view key, const toml::node& node, std::string_view expected) {
  diags_.Error(PosOf(node), "wrong type for " + Quoted(key) + ": expected " + std::string(expected) +
                                ", found " + std::string(TypeName(node)));
}

std::optional<Field<std::string>> TableReader::String(std::string_view key, Presence presence) {
  const toml::node* node = Lookup(key, presence);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) {
    WrongType(key, *node, "a string");
    return std::nullopt;
  }
  return Field<std::string>{node->as_string()->get(), PosOf(*node)};
}

std::optional<Field<int64_t>> TableReader::Integer(std::string_view key, Presence presence) {
  const toml::node* node = Lookup(key, presence);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) {
    WrongType(key, *node, "an integer");
    return std::nullopt;
  }
  return Field<int64_t>{node->as_integer()->get(), PosOf(*node)};
}

std::optional<Field<bool>> TableReader::Bool(std::string_view key, Presence presence) {
  const toml::node* node = Lookup(key, presence);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) {
    WrongType(key, *node, "a boolean (true or false)");
    return std::nullopt;
  }
  return Field<bool>{node->as_boolean()->get(), PosOf(*node)};
}

std::optional<std::vector<Field<std::string>>> TableReader::StringArray(std::string_view key,
                                                                         Presence presence) {
  const toml::node* node = Lookup(key, presence);
  if (node == nullptr) return std::nullopt;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    WrongType(key, *node, "an array of strings");
    return std::nullopt;
  }
  std::vector<Field<std::string>> out;
  bool ok = true;
  for (const toml::node& element : *array) {
    if (!element.is_string()) {
      diags_.Error(PosOf(element), "wrong type in " + Quoted(key) + ": expected a string, found " +
                                       std::string(TypeName(element)));
      ok = false;
      continue;
    }
    out.push_back({element.as_string()->get(), PosOf(element)});
  }
  if (!ok) return std::nullopt;
  return out;
}

const toml::table* TableReader::Table(std::string_view key, Presence presence) {
  const toml::node* node = Lookup(key, presence);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    WrongType(key, *node, "a table");
    return nullptr;
  }
  return node->as_table();
}

const toml::array* TableReader::Array(std::string_view key, Presence presence) {
  const toml::node* node = Lookup(key, presence);
  if (node == nullptr) return nullptr;
  if (!node->is_array()) {
    WrongType(key, *node, "an array");
    return nullptr;
  }
  return node->as_array();
}

const toml::node* TableReader::Any(std::string_view key, Presence presence) {
  return Lookup(key, presence);
}

void TableReader::RejectUnknownKeys() {
  std::vector<std::string> known(asked_.begin(), asked_.end());
  for (const auto& [key, node] : table_) {
    if (asked_.count(key.str()) != 0) continue;
    std::string message = "unknown key " + Quoted(key.str()) + " in " + where_;
    if (std::optional<std::string> guess = ClosestMatch(key.str(), known)) {
      message += "; did you mean " + Quoted(*guess) + "?";
    }
    diags_.Error(PosOf(key), message);
  }
}

}  // namespace daybook::schema
