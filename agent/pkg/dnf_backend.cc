#include "agent/pkg/dnf_backend.h"

#include <algorithm>
#include <set>

#include "agent/pkg/dnf_output.h"
#include "agent/pkg/dnf_plan.h"
#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

constexpr size_t kMaxOutput = 16u << 20;  // a host's whole rpm -qa is well under 1 MiB

class DnfBackend final : public PackageManager {
 public:
  DnfBackend(exec::ProcessRunner& runner, DnfSettings settings) : runner_(runner), settings_(std::move(settings)) {}

  // The passes, each a fixed number of runs whatever the number of updates:
  // updateinfo (is there any, what is available, CVEs), check-update for
  // policy "all", rpm -q, then dnf's own preview of the exact transaction.
  // `dnf check`: two versions of one package installed (what an
  // interrupted transaction leaves), broken dependencies, obsoleted
  // packages still installed. Exit 1 with its problems on stdout.
  Result<std::vector<PackageFinding>> Findings() override {
    Result<exec::ProcessResult> ran = Run(DnfSpec(settings_, {"check"}));
    if (!ran) return ran.error();
    std::vector<PackageFinding> findings;
    if (ran->ok()) return findings;
    std::vector<std::string> duplicates, other;
    for (const std::string& line : Split(ran->out, '\n')) {
      std::string problem(Trim(line));
      if (problem.empty()) continue;
      (problem.find(" is a duplicate with ") != std::string::npos ? duplicates : other).push_back(ReadableText(problem));
    }
    if (duplicates.empty() && other.empty()) return MakeError(ErrorCode::kFailed, "dnf check failed: " + ToolTail(*ran));
    std::string dnf = settings_.root == "/" ? "dnf" : "dnf --installroot=" + settings_.root;
    if (!duplicates.empty()) {
      findings.push_back({"rpm-duplicates", "two versions of a package are installed (an interrupted transaction): " + FirstOf(duplicates),
                          "run `" + dnf + " remove --duplicates` (dnf-plugins-core), check `" + dnf + " check`, then plan again"});
    }
    if (!other.empty()) {
      findings.push_back({"rpm-inconsistent", "dnf check: " + FirstOf(other), "repair what `" + dnf + " check` lists, then plan again"});
    }
    return findings;
  }

  Result<PackagePlan> Plan(const PatchRequest& request) override {
    specs_.clear();
    excludes_ = request.exclude;
    // Any advisory at all, installed ("i ") or not, of any type, shows the
    // repositories carry updateinfo; none means security cannot be told.
    Result<std::vector<DnfAdvisory>> any = Updateinfo({"--all"});
    if (!any) return any.error();
    if (request.policy == "security" && any->empty()) {
      return MakeError(ErrorCode::kFailed,
                       "the enabled repositories carry no updateinfo: security updates cannot be told from others");
    }
    Result<std::vector<DnfAdvisory>> available = Updateinfo({"--security"});
    if (!available) return available.error();
    Result<std::vector<DnfAdvisory>> cves = Updateinfo({"--security", "--with-cve"});
    if (!cves) return cves.error();
    std::vector<DnfTarget> targets = SecurityTargets(*available, *cves);
    if (request.policy == "all") {
      Result<std::vector<DnfUpdate>> updates = CheckUpdate();
      if (!updates) return updates.error();
      targets = UpdateTargets(*updates, targets);
    }
    PackagePlan plan;
    std::vector<DnfTarget> kept;
    for (DnfTarget& t : targets) {
      if (std::string glob = ExcludedBy(t.name); !glob.empty()) {
        plan.skipped.push_back({t.name, "excluded by the manifest (" + glob + ")"});
      } else {
        kept.push_back(std::move(t));
      }
    }
    if (kept.empty()) return plan;
    if (request.policy == "security") {
      // updateinfo does not say where a package comes from; the preview does.
      for (DnfTarget& t : kept) t.repo.clear();
    }
    std::vector<std::string> specs;
    for (const DnfTarget& t : kept) specs.push_back(t.spec);
    Result<std::vector<DnfTransactionItem>> items = Preview(specs);
    if (!items) return items.error();
    for (DnfTarget& t : kept) {
      for (const DnfTransactionItem& item : *items) {
        if (item.name == t.name && item.arch == t.arch && t.repo.empty()) t.repo = item.repo;
      }
    }
    std::vector<std::string> names;
    for (const DnfTransactionItem& item : *items) names.push_back(item.name);
    Result<InstalledVersions> installed = Installed(names);
    if (!installed) return installed.error();
    Result<PackagePlan> planned = PlanFromTransaction(request, kept, *items, *installed, std::move(plan));
    if (!planned) return planned.error();
    std::set<std::string> skipped;
    for (const SkippedPackage& s : planned->skipped) skipped.insert(s.name);
    for (const DnfTarget& t : kept) {
      if (skipped.count(t.name) == 0) specs_.push_back(t.spec);
    }
    return planned;
  }

  // Installs the plan's NEVRAs, then reads the rpm database again: what
  // changed is the outcome, whatever dnf printed, and a difference from the
  // plan is a failure. Then asks whether a reboot is required.
  Result<PackageOutcome> Apply(const PackagePlan& plan) override {
    PackageOutcome outcome;
    outcome.ok = true;
    bool planned = false;
    for (const PackageChange& c : plan.changes) planned = planned || c.reason != "dependency";
    if (planned && specs_.empty()) return MakeError(ErrorCode::kInternal, "dnf: Apply without this backend's Plan");
    if (planned) {
      Result<InstalledVersions> before = Installed({});
      if (!before) return before.error();
      std::vector<std::string> args = {"upgrade", "-y"};
      for (const std::string& glob : excludes_) args.push_back("--exclude=" + glob);
      args.insert(args.end(), specs_.begin(), specs_.end());
      Result<exec::ProcessResult> ran = Run(DnfSpec(settings_, args));
      if (!ran) return ran.error();
      if (!ran->ok()) {
        outcome.ok = false;
        outcome.error = "dnf upgrade failed: " + ToolTail(*ran);
      }
      Result<InstalledVersions> after = Installed({});
      if (!after) return after.error();
      outcome.versions = VersionReport(plan, *before, *after);
      if (std::vector<std::string> diff = PlanDifferences(plan, *before, *after); outcome.ok && !diff.empty()) {
        outcome.ok = false;
        outcome.error = "installed differs from the plan: " + Join(diff, "; ");
      }
    }
    Result<RebootCheck> reboot = CheckReboot(runner_, settings_);
    if (reboot) {
      outcome.reboot_required = reboot->required;
      outcome.reboot_packages = reboot->packages;
    } else {
      // Unknown is not "no": the operator must look, so the step fails.
      outcome.ok = false;
      outcome.error += (outcome.error.empty() ? "" : "; ") + ("cannot tell whether a reboot is required: " + reboot.error().message);
    }
    return outcome;
  }

 private:
  std::string ExcludedBy(const std::string& name) const {
    for (const std::string& glob : excludes_) {
      if (GlobMatch(glob, name)) return glob;
    }
    return "";
  }

  // The first problems of a list, joined; how many more.
  static std::string FirstOf(const std::vector<std::string>& problems) {
    constexpr size_t kShown = 5;
    std::vector<std::string> shown(problems.begin(), problems.begin() + static_cast<long>(std::min(problems.size(), kShown)));
    std::string text = Join(shown, "; ");
    if (problems.size() > kShown) text += "; and " + std::to_string(problems.size() - kShown) + " more";
    return text;
  }

  Result<exec::ProcessResult> Run(exec::ProcessSpec spec) {
    spec.max_output = kMaxOutput;
    Result<exec::ProcessResult> ran = runner_.Run(spec);
    // Parsing a cut listing would miss packages without a word.
    if (ran && ran->out_truncated) {
      return MakeError(ErrorCode::kFailed, Join(spec.argv, " ") + " printed more than " + std::to_string(kMaxOutput) +
                                               " bytes; not parsed");
    }
    return ran;
  }

  Result<std::vector<DnfAdvisory>> Updateinfo(std::vector<std::string> options) {
    std::vector<std::string> args = {"updateinfo", "list"};
    args.insert(args.end(), options.begin(), options.end());
    Result<exec::ProcessResult> ran = Run(DnfSpec(settings_, args));
    if (!ran) return ran.error();
    if (!ran->ok()) return MakeError(ErrorCode::kFailed, "dnf updateinfo list " + Join(options, " ") + " failed: " + ToolTail(*ran));
    return ParseDnfUpdateinfo(ran->out);
  }

  Result<std::vector<DnfUpdate>> CheckUpdate() {
    Result<exec::ProcessResult> ran = Run(DnfSpec(settings_, {"check-update"}));
    if (!ran) return ran.error();
    // 100: updates listed; 0: none; anything else is dnf failing.
    if (ran->timed_out || ran->signal != 0 || (ran->exit_code != 0 && ran->exit_code != 100)) {
      return MakeError(ErrorCode::kFailed, "dnf check-update failed: " + ToolTail(*ran));
    }
    return ParseDnfCheckUpdate(ran->out);
  }

  // `dnf upgrade --assumeno SPECS`, without -q (which hides the table):
  // exit 1 with "Operation aborted." is the answer "no" after the table.
  Result<std::vector<DnfTransactionItem>> Preview(const std::vector<std::string>& specs) {
    std::vector<std::string> args = {"upgrade", "--assumeno"};
    for (const std::string& glob : excludes_) args.push_back("--exclude=" + glob);
    args.insert(args.end(), specs.begin(), specs.end());
    Result<exec::ProcessResult> ran = Run(DnfSpec(settings_, args, /*quiet=*/false));
    if (!ran) return ran.error();
    bool aborted = ran->exit_code == 1 && !ran->timed_out && Trim(ran->err) == "Operation aborted.";
    if (!ran->ok() && !aborted) return MakeError(ErrorCode::kFailed, "dnf upgrade --assumeno failed: " + ToolTail(*ran));
    return ParseDnfTransaction(ran->out);
  }

  Result<InstalledVersions> Installed(const std::vector<std::string>& names) {
    Result<exec::ProcessResult> ran = Run(RpmQuerySpec(settings_, names));
    if (!ran) return ran.error();
    // rpm -q exits with the number of names not installed, saying so on
    // stdout: an answer. An error says "error: ..." on stderr.
    bool answered = ran->exit_code == 0 || (!names.empty() && ran->exit_code > 0 && Trim(ran->err).empty());
    if (ran->timed_out || ran->signal != 0 || !answered) {
      return MakeError(ErrorCode::kFailed, "rpm -q failed: " + ToolTail(*ran));
    }
    return ParseRpmVersions(ran->out);
  }

  exec::ProcessRunner& runner_;
  DnfSettings settings_;
  std::vector<std::string> excludes_;
  std::vector<std::string> specs_;  // the NEVRAs the last Plan resolved
};

}  // namespace

std::unique_ptr<PackageManager> MakeDnfBackend(exec::ProcessRunner& runner, DnfSettings settings) {
  return std::make_unique<DnfBackend>(runner, std::move(settings));
}

}  // namespace daybook::agent
