// daybook validate [FILE...]: checks the fleet's settings, inventory and
// manifests without contacting any host. Exit 0 valid, 2 invalid.
#include <ostream>

#include "controller/commands.h"
#include "controller/fleet.h"
#include "controller/fleet_session.h"
#include "controller/manifest_source.h"
#include "controller/output.h"
#include "controller/validate.h"
#include "core/base/strings.h"

namespace daybook::controller {
namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  OutputFormat format = OutputFormat::kText;
};

void PrintText(Env& env, const ValidationReport& report) {
  for (const Diagnostic& d : report.diagnostics) env.err << d.ToString() << '\n';
  Table table({"RESULT", "FILE", "KIND", "DETAIL"});
  size_t invalid = 0;
  for (const FileVerdict& file : report.files) {
    table.AddRow({file.valid ? "ok" : "INVALID", file.path, file.kind, file.summary});
    invalid += file.valid ? 0 : 1;
  }
  table.Print(env.out);
  env.out << report.files.size() << " files checked: " << report.files.size() - invalid << " valid, " << invalid
          << " invalid, " << report.error_count() << (report.error_count() == 1 ? " error\n" : " errors\n");
}

void PrintJsonReport(Env& env, const ValidationReport& report) {
  nlohmann::json files = nlohmann::json::array();
  for (const FileVerdict& file : report.files) {
    files.push_back({{"path", file.path}, {"kind", file.kind}, {"valid", file.valid}, {"detail", file.summary}});
  }
  PrintJson(env.out, {{"valid", report.valid()}, {"files", files}, {"diagnostics", ToJson(report.diagnostics)}});
}

int RunValidate(Env& env, const GlobalOptions& global, const ValidateOptions& options) {
  Result<std::filesystem::path> root = LocateFleet(env, global);
  if (!root) return ReportError(env.err, root.error());
  ValidateChecks checks;
  // What plan resolves for each deploy: the repository is local, the ref
  // exists, the tree can be reproduced on a host.
  // A repository not on this machine is a warning only: a fleet may be
  // checked where the applications are not checked out (CI).
  checks.deploys = [&](const manifest::ResolvedManifest& resolved) {
    std::vector<Diagnostic> problems;
    CommittedManifest manifest{resolved, "", resolved.manifest.path};
    auto& deploys = manifest.resolved.manifest.deploys;
    std::erase_if(deploys, [&](const manifest::DeploySpec& spec) {
      std::string repo = StartsWith(spec.repo, "file://") ? spec.repo.substr(7) : spec.repo;
      if (repo.find(':') != std::string::npos) return false;  // a URL: ResolveDeploys says what is wrong
      std::filesystem::path path = std::filesystem::path(repo).is_absolute() ? std::filesystem::path(repo) : *root / repo;
      if (env.fs.Exists(path)) return false;
      problems.push_back({resolved.manifest.path, spec.pos, Severity::kWarning,
                          "deploy " + spec.name + ": repository " + path.lexically_normal().string() +
                              " is not on this machine: its ref is not checked (plan needs it)"});
      return true;
    });
    Result<std::vector<ResolvedDeploy>> resolved_deploys = ResolveDeploys(env, Fleet{*root, {}, {}}, manifest);
    if (!resolved_deploys) {
      const auto& found = resolved_deploys.error().diagnostics;
      if (found.empty()) problems.push_back({resolved.manifest.path, {}, Severity::kError, resolved_deploys.error().message});
      problems.insert(problems.end(), found.begin(), found.end());
    }
    return problems;
  };
  checks.config = [&](const FleetConfig& config) {
    Result<AgentClientSettings> credentials = OperatorCredentials(env, config);
    if (credentials) return std::vector<Diagnostic>{};
    return std::vector<Diagnostic>{{kConfigFile, {}, Severity::kWarning, credentials.error().message + " (plan, push and status will need one)"}};
  };
  ValidationReport report = ValidateFleet(env.fs, *root, env.cwd, options.files, checks);
  if (options.format == OutputFormat::kJson) {
    PrintJsonReport(env, report);
  } else {
    PrintText(env, report);
  }
  return report.valid() ? kExitOk : kExitUsage;
}

}  // namespace

void AddValidateCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("validate", "Check daybook.toml, the inventory and manifests");
  auto options = std::make_shared<ValidateOptions>();
  command->add_option("FILE", options->files, "Manifests to check (default: all of manifests/*.toml)");
  AddOutputOption(*command, options->format);
  command->footer(
      "daybook.toml and the whole inventory are always checked; each manifest's targets are\n"
      "resolved against the inventory. Problems print as path:line:col: error: message, all\n"
      "at once, on stderr. Exit 0 when everything is valid, 2 otherwise.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunValidate(env, global, *options); });
}

}  // namespace daybook::controller
