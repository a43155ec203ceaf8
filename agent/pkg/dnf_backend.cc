#include "agent/pkg/dnf_backend.h"

#include <map>
#include <set>

#include "agent/pkg/dnf_output.h"
#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

std::string Tail(const exec::ProcessResult& r) {
  std::string text = Trim(r.err).empty() ? r.out : r.err;
  return Utf8Tail(ReadableText(Trim(text)), 1500) + " (" + r.Describe() + ")";
}

class DnfBackend final : public PackageManager {
 public:
  DnfBackend(exec::ProcessRunner& runner, DnfSettings settings) : runner_(runner), settings_(std::move(settings)) {}

  Result<PackagePlan> Plan(const PatchRequest& request) override {
    // Without any advisory (installed or available), updateinfo is missing.
    Result<exec::ProcessResult> all = Dnf({"updateinfo", "list", "--all"});
    if (!all) return all.error();
    if (!all->ok()) return MakeError(ErrorCode::kFailed, "dnf updateinfo failed: " + Tail(*all));
    Result<std::vector<DnfAdvisory>> any = ParseDnfUpdateinfo(all->out);
    if (!any) return any.error();
    if (request.policy == "security" && any->empty()) {
      return MakeError(ErrorCode::kFailed,
                       "the enabled repositories carry no updateinfo: security updates cannot be told from others");
    }
    Result<exec::ProcessResult> listed = Dnf({"updateinfo", "list", "--security"});
    Result<exec::ProcessResult> cves = Dnf({"updateinfo", "list", "--security", "--with-cve"});
    if (!listed || !cves) return (!listed ? listed : cves).error();
    if (!listed->ok()) return MakeError(ErrorCode::kFailed, "dnf updateinfo failed: " + Tail(*listed));
    Result<std::vector<DnfAdvisory>> advisories = ParseDnfUpdateinfo(listed->out);
    Result<std::vector<DnfAdvisory>> cve_lines = ParseDnfUpdateinfo(cves->ok() ? cves->out : "");
    if (!advisories) return advisories.error();
    std::map<std::string, std::set<std::string>> cves_of;  // nevra → CVE ids
    if (cve_lines) {
      for (const DnfAdvisory& c : *cve_lines) cves_of[c.nevra].insert(c.id);
    }
    // One change per package: the newest advisory's version wins.
    std::map<std::string, PackageChange> changes;
    PackagePlan plan;
    for (const DnfAdvisory& a : *advisories) {
      if (IsExcluded(request, a.name, plan)) continue;
      std::string origin = a.id + " " + a.severity;
      for (const std::string& cve : cves_of[a.nevra]) origin += " " + cve;
      changes[a.name] = {a.name, "", a.version, origin, "security", true};
    }
    std::vector<std::string> names;
    for (const auto& [name, change] : changes) names.push_back(name);
    std::map<std::string, std::string> installed = Installed(names);
    for (auto& [name, change] : changes) {
      change.from = installed[name];
      plan.changes.push_back(change);
    }
    if (request.policy == "all") {
      Result<exec::ProcessResult> updates = Dnf({"check-update"});
      if (!updates) return updates.error();
      if (updates->exit_code != 0 && updates->exit_code != 100) return MakeError(ErrorCode::kFailed, "dnf check-update failed: " + Tail(*updates));
      for (const std::string& line : Split(updates->out, '\n')) {
        std::vector<std::string> f;
        for (const std::string& x : Split(Trim(line), ' ')) {
          if (!x.empty()) f.push_back(x);
        }
        if (f.size() != 3 || f[0].find('.') == std::string::npos) continue;
        std::string name = f[0].substr(0, f[0].rfind('.'));
        if (changes.count(name) != 0 || IsExcluded(request, name, plan)) continue;
        plan.changes.push_back({name, "", f[1], f[2], "update", false});
      }
    }
    excludes_ = request.exclude;
    security_only_ = request.policy == "security";
    return plan;
  }

  Result<PackageOutcome> Apply(const PackagePlan& plan) override {
    PackageOutcome outcome;
    std::vector<std::string> names;
    for (const PackageChange& c : plan.changes) names.push_back(c.name);
    std::map<std::string, std::string> before = Installed(names);
    outcome.ok = true;
    if (!names.empty()) {
      std::vector<std::string> args = {"upgrade", "-y"};
      if (security_only_) args.push_back("--security");
      for (const std::string& glob : excludes_) args.push_back("--exclude=" + glob);
      args.insert(args.end(), names.begin(), names.end());
      Result<exec::ProcessResult> ran = Dnf(args);
      if (!ran) return ran.error();
      outcome.ok = ran->ok();
      if (!outcome.ok) outcome.error = Tail(*ran);
    }
    std::map<std::string, std::string> after = Installed(names);
    for (const std::string& name : names) outcome.versions.push_back({name, before[name], after[name]});
    exec::ProcessSpec spec = exec::ProcessSpec::Of({"needs-restarting", "-r"});
    if (settings_.root != "/") spec.argv.push_back("--installroot=" + settings_.root);
    Result<exec::ProcessResult> restart = runner_.Run(spec);
    outcome.reboot_required = restart && restart->exit_code == 1;
    return outcome;
  }

 private:
  bool IsExcluded(const PatchRequest& request, const std::string& name, PackagePlan& plan) {
    for (const std::string& glob : request.exclude) {
      if (GlobMatch(glob, name)) {
        plan.skipped.push_back({name, "excluded by the manifest (" + glob + ")"});
        return true;
      }
    }
    return false;
  }

  Result<exec::ProcessResult> Dnf(std::vector<std::string> args) {
    std::vector<std::string> argv = {"dnf", "-q"};
    if (settings_.root != "/") argv.push_back("--installroot=" + settings_.root);
    argv.insert(argv.end(), args.begin(), args.end());
    exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
    spec.env = {{"LC_ALL", "C"}};
    spec.timeout = settings_.timeout;
    Result<exec::ProcessResult> ran = runner_.Run(spec);
    // Parsing a cut listing would miss packages without a word.
    if (ran && ran->out_truncated) {
      return MakeError(ErrorCode::kFailed, "dnf " + Join(args, " ") + " printed more than " +
                                               std::to_string(spec.max_output) + " bytes; not parsed");
    }
    return ran;
  }

  std::map<std::string, std::string> Installed(const std::vector<std::string>& names) {
    if (names.empty()) return {};
    std::vector<std::string> argv = {"rpm", "-q", "--qf", "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n"};
    if (settings_.root != "/") argv.push_back("--root=" + settings_.root);
    argv.insert(argv.end(), names.begin(), names.end());
    exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
    spec.env = {{"LC_ALL", "C"}};
    Result<exec::ProcessResult> ran = runner_.Run(spec);
    return ran ? ParseRpmVersions(ran->out) : std::map<std::string, std::string>{};
  }

  exec::ProcessRunner& runner_;
  DnfSettings settings_;
  std::vector<std::string> excludes_;
  bool security_only_ = true;
};

}  // namespace

std::unique_ptr<PackageManager> MakeDnfBackend(exec::ProcessRunner& runner, DnfSettings settings) {
  return std::make_unique<DnfBackend>(runner, std::move(settings));
}

}  // namespace daybook::agent
