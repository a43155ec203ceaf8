#include "controller/fleet_config.h"

#include "core/base/strings.h"
#include "core/schema/toml_reader.h"

namespace daybook::controller {
namespace {

using schema::TableReader;

// Paths in daybook.toml are relative to the fleet repository and must stay
// inside it (journal, signing key), or start with ~/ (operator key).
void ReadRelativePath(TableReader& reader, std::string_view key, std::string& into) {
  auto value = reader.String(key);
  if (!value) return;
  const std::string& path = value->value;
  bool escapes = path.empty() || path.front() == '/' || path == ".." || StartsWith(path, "../") ||
                 path.find("/../") != std::string::npos;
  if (escapes) {
    reader.diags().Error(value->pos, std::string(key) + " " + Quoted(path) +
                                         " must be a path inside the fleet repository");
    return;
  }
  into = path;
}

}  // namespace

Result<FleetConfig> ParseFleetConfig(const SourceFile& file) {
  Diagnostics diags(file.path);
  FleetConfig config;
  if (std::optional<toml::table> doc = schema::ParseDocument(file.text, diags)) {
    TableReader root(*doc, file.path, diags);
    if (const toml::table* op = root.Table("operator")) {
      TableReader reader(*op, "[operator]", diags);
      if (auto key = reader.String("key")) {
        if (key->value.empty()) diags.Error(key->pos, "operator key path must not be empty");
        config.operator_key = key->value;
      }
      reader.RejectUnknownKeys();
    }
    if (const toml::table* journal = root.Table("journal")) {
      TableReader reader(*journal, "[journal]", diags);
      ReadRelativePath(reader, "dir", config.journal_dir);
      ReadRelativePath(reader, "signing_key", config.journal_signing_key);
      if (auto origin = reader.String("origin")) {
        bool one_line = !origin->value.empty() && origin->value.find('\n') == std::string::npos;
        if (!one_line) diags.Error(origin->pos, "origin must be one non-empty line");
        config.journal_origin = origin->value;
      }
      reader.RejectUnknownKeys();
    }
    if (const toml::table* defaults = root.Table("defaults")) {
      TableReader reader(*defaults, "[defaults]", diags);
      if (auto parallel = reader.Integer("parallel")) {
        if (parallel->value < 1 || parallel->value > 10000) {
          diags.Error(parallel->pos, "parallel = " + std::to_string(parallel->value) + " out of range 1-10000");
        } else {
          config.parallel = static_cast<int>(parallel->value);
        }
      }
      if (auto timeout = reader.String("connect_timeout")) {
        Result<Duration> duration = ParseDuration(timeout->value);
        if (!duration) {
          diags.Error(timeout->pos, duration.error().message);
        } else if (duration->count() <= 0) {
          diags.Error(timeout->pos, "connect_timeout must be longer than 0s");
        } else {
          config.connect_timeout = *duration;
        }
      }
      reader.RejectUnknownKeys();
    }
    root.RejectUnknownKeys();
  }
  if (diags.has_errors()) {
    return Error{ErrorCode::kInvalidInput, "invalid " + file.path, diags.Take()};
  }
  return config;
}

}  // namespace daybook::controller
