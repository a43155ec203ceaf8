#include "core/manifest/parser.h"

#include <algorithm>
#include <set>

#include "core/base/strings.h"
#include "core/schema/toml_reader.h"

namespace daybook::manifest {
namespace {

using schema::Field;
using schema::Presence;
using schema::TableReader;

// Strings in TOML start with a quote: the text itself is one column further.
SourcePos TextPos(SourcePos value_pos) { return value_pos.Shifted(1); }

bool HasControlChars(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// One of `choices` ("security", "all", ...), else a positioned error.
template <typename Enum>
std::optional<Enum> ReadChoice(TableReader& reader, std::string_view key,
                               const std::vector<std::pair<std::string_view, Enum>>& choices) {
  std::optional<Field<std::string>> text = reader.String(key);
  if (!text) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (name == text->value) return value;
    names.emplace_back(name);
  }
  reader.diags().Error(text->pos, "bad " + std::string(key) + " " + Quoted(text->value) + ": expected one of " +
                                      Join(names, ", "));
  return std::nullopt;
}

// `batch = 2` or `batch = "25%"`; min_count / min_percent bound the value.
std::optional<Quantity> ReadQuantity(TableReader& reader, std::string_view key, int64_t min_value) {
  const toml::node* node = reader.Any(key);
  if (node == nullptr) return std::nullopt;
  Diagnostics& diags = reader.diags();
  SourcePos pos = schema::PosOf(*node);
  std::string range_min = std::to_string(min_value);
  if (node->is_integer()) {
    int64_t count = node->as_integer()->get();
    if (count < min_value) {
      diags.Error(pos, std::string(key) + " = " + std::to_string(count) + " is too small: at least " + range_min);
      return std::nullopt;
    }
    return Quantity{Quantity::Kind::kCount, count};
  }
  if (node->is_string()) {
    const std::string& text = node->as_string()->get();
    bool digits = text.size() >= 2 && text.size() <= 5 && text.back() == '%' &&
                  std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      diags.Error(pos, "bad percentage " + Quoted(text) + " for " + Quoted(key) +
                                    ": expected a whole number and %, like \"25%\"");
      return std::nullopt;
    }
    int64_t percent = std::stoll(text.substr(0, text.size() - 1));
    if (percent < min_value || percent > 100) {
      diags.Error(pos, "percentage " + Quoted(text) + " for " + Quoted(key) + " out of range: between " +
                                    range_min + "% and 100%");
      return std::nullopt;
    }
    return Quantity{Quantity::Kind::kPercent, percent};
  }
  diags.Error(pos, "wrong type for " + Quoted(key) + ": expected a count (integer) or a percentage (\"25%\"), found " +
                       std::string(schema::TypeName(*node)));
  return std::nullopt;
}

// Returns whether the targets expression parsed.
bool ReadManifestTable(TableReader& root, Manifest& m) {
  const toml::table* table = root.Table("manifest", Presence::kRequired);
  if (table == nullptr) return false;
  bool targets_parsed = false;
  TableReader reader(*table, "[manifest]", root.diags());
  Diagnostics& diags = root.diags();
  if (auto name = reader.String("name", Presence::kRequired)) {
    if (Trim(name->value).empty() || HasControlChars(name->value)) {
      diags.Error(name->pos, "manifest name must be non-empty text on one line");
    }
    m.name = name->value;
  }
  if (auto description = reader.String("description")) m.description = description->value;
  if (auto ticket = reader.String("ticket")) {
    if (Trim(ticket->value).empty() || HasControlChars(ticket->value)) {
      diags.Error(ticket->pos, "ticket must be non-empty text on one line (or leave it out)");
    }
    m.ticket = ticket->value;
  }
  if (auto targets = reader.String("targets", Presence::kRequired)) {
    m.targets = targets->value;
    m.targets_pos = TextPos(targets->pos);
    if (auto expr = inventory::ParseTarget(m.targets, m.targets_pos, diags)) {
      m.target_expr = std::move(*expr);
      targets_parsed = true;
    }
  }
  reader.RejectUnknownKeys();
  return targets_parsed;
}

void ReadPatch(TableReader& root, Manifest& m) {
  const toml::table* table = root.Table("patch");
  if (table == nullptr) return;
  TableReader reader(*table, "[patch]", root.diags());
  PatchSpec patch;
  if (auto policy = ReadChoice<PatchPolicy>(reader, "policy", {{"security", PatchPolicy::kSecurity},
                                                               {"all", PatchPolicy::kAll},
                                                               {"none", PatchPolicy::kNone}})) {
    patch.policy = *policy;
  }
  if (auto exclude = reader.StringArray("exclude")) {
    for (const Field<std::string>& glob : *exclude) {
      if (Trim(glob.value).empty() || glob.value.find_first_of(" \t/") != std::string::npos) {
        reader.diags().Error(glob.pos, "bad package pattern " + Quoted(glob.value) +
                                           " in exclude: expected a package name or glob like \"linux-image-*\"");
      }
      patch.exclude.push_back(glob.value);
    }
  }
  if (auto reboot = ReadChoice<RebootPolicy>(reader, "reboot", {{"never", RebootPolicy::kNever},
                                                               {"if-required", RebootPolicy::kIfRequired},
                                                               {"always", RebootPolicy::kAlways}})) {
    patch.reboot = *reboot;
  }
  if (auto allow = reader.Bool("allow_other_origins")) patch.allow_other_origins = allow->value;
  reader.RejectUnknownKeys();
  m.patch = std::move(patch);
}

// An absolute, normalised path that is not "/" itself: no "." or ".."
// components, no empty ones, no trailing slash.
bool IsCleanAbsolutePath(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  for (const std::string& part : Split(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == ".." || HasControlChars(part)) return false;
  }
  return true;
}

DeploySpec ReadDeploy(const toml::table& table, size_t index, Diagnostics& diags) {
  TableReader reader(table, "[[deploy]] #" + std::to_string(index + 1), diags);
  DeploySpec deploy;
  deploy.pos = reader.pos();
  if (auto name = reader.String("name", Presence::kRequired)) {
    if (!IsValidDeployName(name->value)) {
      diags.Error(name->pos, "bad deploy name " + Quoted(name->value) + ": use letters, digits, '.', '_' and '-', at most " +
                                 std::to_string(kMaxDeployName) + " of them");
    }
    deploy.name = name->value;
  }
  for (auto [key, into] : {std::pair{"repo", &deploy.repo}, std::pair{"ref", &deploy.ref}}) {
    if (auto value = reader.String(key, Presence::kRequired)) {
      if (Trim(value->value).empty()) diags.Error(value->pos, std::string(key) + " must not be empty");
      *into = value->value;
    }
  }
  if (auto path = reader.String("path", Presence::kRequired)) {
    if (!IsCleanAbsolutePath(path->value)) {
      diags.Error(path->pos, "deploy path " + Quoted(path->value) +
                                          " must be absolute and normalised (like \"/srv/app\": no \"..\", no trailing \"/\")");
    }
    deploy.path = path->value;
  }
  if (auto keep = reader.Integer("keep")) {
    if (keep->value < 1 || keep->value > 100) {
      diags.Error(keep->pos, "keep = " + std::to_string(keep->value) + " out of range 1-100");
    }
    deploy.keep = keep->value;
  }
  if (auto after = reader.StringArray("after")) {
    if (after->empty() || after->front().value.empty()) {
      diags.Error(after->empty() ? reader.pos() : after->front().pos,
                  "after must name a command: [\"systemctl\", \"reload\", \"app\"] (leave it out for none)");
    }
    for (const Field<std::string>& arg : *after) deploy.after.push_back(arg.value);
  }
  if (auto lfs = reader.String("lfs")) {
    if (lfs->value != "pointers") {
      diags.Error(lfs->pos, "lfs = " + Quoted(lfs->value) +
                                " is not supported: the only value is \"pointers\" (deploy Git LFS pointer files as committed)");
    }
    deploy.lfs_pointers = true;
  }
  reader.RejectUnknownKeys();
  return deploy;
}

void ReadDeploys(TableReader& root, Manifest& m) {
  const toml::node* node = root.Any("deploy");
  if (node == nullptr) return;
  Diagnostics& diags = root.diags();
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    diags.Error(schema::PosOf(*node), "\"deploy\" must be an array of tables: write each one as [[deploy]]");
    return;
  }
  std::set<std::string> names, paths;
  for (size_t i = 0; i < array->size(); ++i) {
    DeploySpec deploy = ReadDeploy(*array->get(i)->as_table(), i, diags);
    if (!deploy.name.empty() && !names.insert(deploy.name).second) {
      diags.Error(deploy.pos, "duplicate deploy name " + Quoted(deploy.name));
    }
    if (!deploy.path.empty() && !paths.insert(deploy.path).second) {
      diags.Error(deploy.pos, "two deploys share the path " + Quoted(deploy.path));
    }
    m.deploys.push_back(std::move(deploy));
  }
}

void ReadRollout(TableReader& root, Manifest& m) {
  const toml::table* table = root.Table("rollout");
  if (table == nullptr) return;
  TableReader reader(*table, "[rollout]", root.diags());
  RolloutSpec& rollout = m.rollout;
  if (auto canary = reader.Integer("canary")) {
    if (canary->value < 0) reader.diags().Error(canary->pos, "canary must be 0 or more hosts");
    rollout.canary = canary->value;
  }
  if (auto batch = ReadQuantity(reader, "batch", 1)) rollout.batch = *batch;
  if (auto max_failures = ReadQuantity(reader, "max_failures", 0)) rollout.max_failures = *max_failures;
  if (auto timeout = reader.String("timeout")) {
    Result<Duration> duration = ParseDuration(timeout->value);
    if (!duration) {
      reader.diags().Error(timeout->pos, duration.error().message);
    } else if (duration->count() <= 0) {
      reader.diags().Error(timeout->pos, "timeout must be longer than 0s");
    } else if (*duration > std::chrono::hours(24 * 7)) {
      reader.diags().Error(timeout->pos, "timeout " + Quoted(timeout->value) + " is longer than the 7d an agent accepts");
    } else {
      rollout.timeout = *duration;
    }
  }
  reader.RejectUnknownKeys();
}

}  // namespace

namespace {

// Reads the whole document into `m`, reporting into `diags`. Returns whether
// the targets expression parsed (so it can be resolved even when other
// parts of the file are wrong).
bool ParseInto(const SourceFile& file, Diagnostics& diags, Manifest& m) {
  m.path = file.path;
  std::optional<toml::table> doc = schema::ParseDocument(file.text, diags);
  if (!doc) return false;
  TableReader root(*doc, "the manifest", diags);
  bool targets_parsed = ReadManifestTable(root, m);
  ReadPatch(root, m);
  ReadDeploys(root, m);
  ReadRollout(root, m);
  root.RejectUnknownKeys();
  // A reboot-only manifest (policy "none", reboot "always") does something.
  bool patches = m.patch && (m.patch->policy != PatchPolicy::kNone || m.patch->reboot == RebootPolicy::kAlways);
  if (!diags.has_errors() && !patches && m.deploys.empty()) {
    diags.Error({1, 1}, "manifest does nothing: add a [patch] policy other than \"none\", reboot = \"always\" or a [[deploy]]");
  }
  return targets_parsed;
}

Error InvalidManifest(const std::string& path, Diagnostics& diags) {
  std::vector<Diagnostic> all = diags.Take();
  SortDiagnostics(all);
  return Error{ErrorCode::kInvalidInput, "invalid manifest " + path, std::move(all)};
}

}  // namespace

Result<Manifest> ParseManifest(const SourceFile& file) {
  Diagnostics diags(file.path);
  Manifest m;
  ParseInto(file, diags, m);
  if (diags.has_errors()) return InvalidManifest(file.path, diags);
  return m;
}

Result<ResolvedManifest> ParseAndResolveManifest(const SourceFile& file, const inventory::Inventory& inventory) {
  Diagnostics diags(file.path);
  ResolvedManifest resolved;
  Manifest& m = resolved.manifest;
  if (ParseInto(file, diags, m)) {
    std::optional<std::vector<std::string>> hosts =
        inventory::ResolveTarget(m.target_expr, m.targets, inventory, m.targets_pos, diags);
    if (hosts) resolved.hosts = std::move(*hosts);
  }
  if (diags.has_errors()) return InvalidManifest(file.path, diags);
  return resolved;
}

Result<std::vector<std::string>> ResolveManifestTargets(const Manifest& manifest,
                                                        const inventory::Inventory& inventory) {
  Diagnostics diags(manifest.path);
  std::optional<std::vector<std::string>> hosts =
      inventory::ResolveTarget(manifest.target_expr, manifest.targets, inventory, manifest.targets_pos, diags);
  if (!hosts) {
    return Error{ErrorCode::kInvalidInput, "invalid targets in " + manifest.path, diags.Take()};
  }
  return std::move(*hosts);
}

}  // namespace daybook::manifest
