#include "controller/validate.h"

#include <algorithm>
#include <functional>
#include <set>

#include "controller/fleet.h"
#include "controller/journal_context.h"
#include "controller/known_hosts.h"
#include "core/crypto/allowed_signers.h"
#include "core/journal/note.h"
#include "core/inventory/parser.h"
#include "core/manifest/parser.h"

namespace daybook::controller {
namespace {

namespace fs = std::filesystem;

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Records a failed load: its diagnostics, or a whole-file one from the message.
void AddFailure(ValidationReport& report, const std::string& path, const Error& error) {
  if (error.diagnostics.empty()) {
    report.diagnostics.push_back({path, {}, Severity::kError, error.message});
  } else {
    report.diagnostics.insert(report.diagnostics.end(), error.diagnostics.begin(), error.diagnostics.end());
  }
}

std::optional<inventory::Inventory> CheckInventory(Filesystem& fs, const fs::path& root, ValidationReport& report) {
  Result<std::vector<fs::path>> paths = ListFilesWithSuffix(fs, root / kInventoryDir, ".toml");
  std::vector<std::string> names;
  if (paths) {
    for (const fs::path& p : *paths) names.push_back(DisplayPath(root, p));
  }
  Result<inventory::Inventory> inventory = LoadInventory(fs, root);
  if (!inventory) {
    std::set<std::string> bad;
    for (const Diagnostic& d : inventory.error().diagnostics) bad.insert(d.path);
    if (names.empty() || bad.empty()) {
      std::string path = DisplayPath(root, root / kInventoryDir);
      AddFailure(report, path, inventory.error());
      report.files.push_back({path, "inventory", false, inventory.error().message});
      return std::nullopt;
    }
    AddFailure(report, "", inventory.error());
    for (const std::string& name : names) {
      bool valid = bad.count(name) == 0;
      report.files.push_back({name, "inventory", valid, valid ? "no errors in this file" : "invalid"});
    }
    return std::nullopt;
  }
  for (const std::string& name : names) {
    report.files.push_back({name, "inventory", true,
                            Plural(inventory->hosts.size(), "host") + ", " + Plural(inventory->groups.size(), "group") +
                                " in the fleet"});
  }
  return std::move(*inventory);
}

void CheckManifest(Filesystem& fs, const fs::path& path, const std::string& display,
                   const std::optional<inventory::Inventory>& inventory, const ValidateChecks& checks, ValidationReport& report) {
  Result<SourceFile> file = ReadSource(fs, path, display);
  if (!file) {
    AddFailure(report, display, file.error());
    report.files.push_back({display, "manifest", false, "unreadable"});
    return;
  }
  if (!inventory) {
    Result<manifest::Manifest> parsed = manifest::ParseManifest(*file);
    if (!parsed) AddFailure(report, display, parsed.error());
    report.files.push_back({display, "manifest", parsed.ok(),
                            parsed ? "targets not checked: the inventory is invalid" : "invalid"});
    return;
  }
  Result<manifest::ResolvedManifest> resolved = manifest::ParseAndResolveManifest(*file, *inventory);
  if (!resolved) {
    AddFailure(report, display, resolved.error());
    report.files.push_back({display, "manifest", false, "invalid"});
    return;
  }
  std::vector<Diagnostic> problems = checks.deploys ? checks.deploys(*resolved) : std::vector<Diagnostic>{};
  bool errors = std::any_of(problems.begin(), problems.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; });
  report.diagnostics.insert(report.diagnostics.end(), problems.begin(), problems.end());
  report.files.push_back({display, "manifest", !errors,
                          errors ? "deploys cannot be resolved" : "targets " + Plural(resolved->hosts.size(), "host")});
}

// The fleet's trust files, when present: operators, pinned host keys, the
// journal's verifier key. A typo there must surface here, not at verify time.
void CheckTrustFiles(Filesystem& fs, const fs::path& root, ValidationReport& report) {
  struct TrustFile {
    fs::path path;
    std::function<std::optional<Error>(const SourceFile&, std::string&)> check;
  };
  const std::vector<TrustFile> files = {
      {root / kAllowedSignersFile,
       [&report](const SourceFile& f, std::string& summary) -> std::optional<Error> {
         Result<crypto::AllowedSigners> parsed = crypto::ParseAllowedSigners(f);
         if (!parsed) return parsed.error();
         summary = Plural(parsed->signers.size(), "operator key");
         if (parsed->signers.empty()) {
           summary += ": no one may sign an intervention yet";
           report.diagnostics.push_back({f.path, {1, 1}, Severity::kWarning,
                                         "no operator key: push and rollback will refuse until a line `PRINCIPAL "
                                         "ssh-ed25519 AAAA...` names one (the operator's public key; docs/journal.md)"});
         }
         return std::nullopt;
       }},
      {root / kInventoryDir / "known_hosts",
       [](const SourceFile& f, std::string& summary) -> std::optional<Error> {
         Result<KnownHosts> parsed = KnownHosts::Parse(f);
         if (!parsed) return parsed.error();
         summary = "ok";
         return std::nullopt;
       }},
      {root / kVerifierKeyFile,
       [](const SourceFile& f, std::string& summary) -> std::optional<Error> {
         Result<journal::NoteVerifier> key = journal::ParseVerifierKey(f.text);
         if (!key) return Error{ErrorCode::kInvalidInput, "", {{f.path, {1, 1}, Severity::kError, key.error().message}}};
         summary = "journal verifier key " + key->name;
         return std::nullopt;
       }},
  };
  for (const TrustFile& file : files) {
    if (!fs.Exists(file.path)) continue;
    std::string display = DisplayPath(root, file.path), summary;
    Result<SourceFile> source = ReadSource(fs, file.path, display);
    std::optional<Error> error = source ? file.check(*source, summary) : std::optional<Error>(source.error());
    if (error) AddFailure(report, display, *error);
    report.files.push_back({display, "trust", !error, error ? "invalid" : summary});
  }
}

}  // namespace

bool ValidationReport::valid() const { return error_count() == 0; }

size_t ValidationReport::error_count() const {
  return static_cast<size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                           [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

ValidationReport ValidateFleet(Filesystem& fs, const fs::path& root, const fs::path& cwd,
                               const std::vector<std::string>& manifests, const ValidateChecks& checks) {
  ValidationReport report;
  Result<FleetConfig> config = LoadFleetConfig(fs, root);
  report.files.push_back({kConfigFile, "config", config.ok(), config ? "ok" : "invalid"});
  if (!config) AddFailure(report, kConfigFile, config.error());
  if (config && checks.config) {
    std::vector<Diagnostic> problems = checks.config(*config);
    report.diagnostics.insert(report.diagnostics.end(), problems.begin(), problems.end());
  }

  std::optional<inventory::Inventory> inventory = CheckInventory(fs, root, report);
  CheckTrustFiles(fs, root, report);

  std::vector<fs::path> paths;
  if (manifests.empty()) {
    Result<std::vector<fs::path>> listed = ListManifests(fs, root);
    if (listed) {
      paths = std::move(*listed);
    } else {
      AddFailure(report, kManifestDir, listed.error());
    }
  } else {
    for (const std::string& name : manifests) {
      fs::path p(name);
      paths.push_back(p.is_absolute() ? p : (cwd / p).lexically_normal());
    }
  }
  for (const fs::path& path : paths) {
    std::string display = DisplayPath(root, path);
    // A named inventory file: already checked above, with the whole inventory.
    if (display.rfind(std::string(kInventoryDir) + "/", 0) == 0) continue;
    CheckManifest(fs, path, display, inventory, checks, report);
  }

  SortDiagnostics(report.diagnostics);
  return report;
}

}  // namespace daybook::controller
