#include "agent/pkg/apt_backend.h"

#include <algorithm>
#include <map>
#include <set>

#include "agent/pkg/apt_simulation.h"
#include "agent/pkg/dpkg_state.h"
#include "core/base/glob.h"
#include "core/base/strings.h"
#include "core/base/text.h"

namespace daybook::agent {
namespace {

namespace fs = std::filesystem;

// A command an operator can paste to run something in `root` confined
// (bubblewrap, as the agent does, without its capability and system-call
// limits: the operator chooses to run it).
std::string SandboxCommandPrefix(const std::string& root) {
  return "bwrap --bind " + root + " / --dev /dev --proc /proc --unshare-pid --unshare-net --die-with-parent ";
}

std::string Origin(const AptChange& change) {
  std::string out;
  for (const AptRelease& r : change.releases) out += (out.empty() ? "" : ", ") + (r.label.empty() ? r.suite : r.label + ":" + r.suite);
  return out;
}

// apt's and dpkg's own error lines (with their indented continuations),
// for a message that says what went wrong.
std::string ErrorLines(const exec::ProcessResult& result) {
  std::string lines;
  bool continuing = false;
  for (const std::string& line : Split(result.out + "\n" + result.err, '\n')) {
    bool error = StartsWith(line, "E: ") || StartsWith(line, "dpkg: ") || StartsWith(line, "dpkg (subprocess)");
    if (error || (continuing && StartsWith(line, " "))) {
      lines += (lines.empty() ? "" : "\n") + line;
      continuing = true;
    } else {
      continuing = false;
    }
  }
  return lines.empty() ? result.Describe() : Utf8Tail(ReadableText(lines), 4000);
}

class AptBackend final : public PackageManager {
 public:
  AptBackend(Filesystem& fs, exec::ProcessRunner& runner, AptSettings settings)
      : fs_(fs), runner_(runner), settings_(std::move(settings)) {
    if (settings_.security_origins.empty()) {
      for (const std::string& text : kDefaultSecurityOrigins) origins_.push_back(*ParseOriginPattern(text));
    } else {
      origins_ = settings_.security_origins;
    }
  }

  Result<std::vector<PackageFinding>> Findings() override {
    Result<exec::ProcessResult> ran = Apt({"dpkg-query", "-W", kDpkgStatusFormat});
    if (!ran) return ran.error();
    // An empty database is "no packages found" (exit 1), not an error.
    bool empty = ran->exit_code == 1 && ran->out.empty() && ran->err.find("no packages found") != std::string::npos;
    if (!ran->ok() && !empty) return MakeError(ErrorCode::kFailed, "dpkg-query failed: " + ErrorLines(*ran));
    // In a sandbox root, the fix runs the root's maintainer scripts: confined
    // as the agent would run them, not by a bare chroot.
    return DpkgFindings(fs_, settings_.root, ran->out, settings_.root == "/" ? "" : SandboxCommandPrefix(settings_.root));
  }

  Result<PackagePlan> Plan(const PatchRequest& request) override {
    if (Result<exec::ProcessResult> update = Apt({"apt-get", "update", "-q"}, /*network=*/true); !update) {
      return update.error();
    } else if (!update->ok()) {
      return MakeError(ErrorCode::kFailed, "apt-get update failed: " + ErrorLines(*update));
    }
    Result<std::set<std::string>> held = Holds();
    if (!held) return held.error();
    if (Status s = LoadSources(); !s) return s.error();
    Result<AptSimulation> upgrade = Simulate({"upgrade"});
    if (!upgrade) return upgrade.error();

    // Every package with an upgrade, kept back or not, and where it comes
    // from: the upgrade's Inst lines name the candidate and its release.
    std::vector<std::string> candidates = upgrade->kept_back;
    for (const AptChange& c : upgrade->installs) candidates.push_back(c.name);
    PackagePlan plan;
    std::map<std::string, AptChange> candidate_of;
    for (const AptChange& c : upgrade->installs) candidate_of.emplace(c.name, c);
    if (Status s = NamePinnedSecurity(*held, candidates, plan); !s) return s.error();
    if (candidates.empty()) return plan;
    std::vector<std::string> kept_back;
    for (const std::string& name : upgrade->kept_back) {
      if (held->count(name) == 0) kept_back.push_back(name);
    }
    // Kept back (it needs a new package, or cannot be installed): where its
    // candidate comes from, and apt's reason when it cannot be upgraded.
    ProbeKeptBack(kept_back, candidate_of, plan);
    std::vector<std::string> targets;
    std::map<std::string, bool> target_security;
    for (const std::string& name : candidates) {
      if (held->count(name) != 0) {
        plan.skipped.push_back({name, "held (apt-mark hold)"});
        continue;
      }
      auto it = candidate_of.find(name);
      if (it == candidate_of.end()) continue;  // named by ProbeKeptBack as skipped
      bool security = IsSecurity(it->second);
      if (request.policy == "security" && !security) {
        plan.skipped.push_back({name, "not a security update (" + Origin(it->second) + "): " +
                                          DescribeSources(it->second, sources_) + " is not in the agent's security_origins"});
        continue;
      }
      std::string excluded;
      for (const std::string& glob : request.exclude) {
        if (GlobMatch(glob, name)) excluded = glob;
      }
      if (!excluded.empty()) {
        plan.skipped.push_back({name, "excluded by the manifest (" + excluded + ")"});
        continue;
      }
      targets.push_back(name);
      target_security[name] = security;
    }
    if (targets.empty()) return plan;

    // The exact transaction: the targets and whatever they pull in.
    std::vector<std::string> args = {"install", "--only-upgrade"};
    args.insert(args.end(), targets.begin(), targets.end());
    Result<AptSimulation> final = Simulate(args);
    if (!final) return final.error();
    std::string refused;
    for (const AptChange& c : final->installs) {
      bool security = IsSecurity(c);
      bool target = target_security.count(c.name) != 0;
      std::string reason = target ? (security ? "security" : "update") : "dependency";
      plan.changes.push_back({c.name, c.from, c.to, Origin(c), reason, security});
      if (!target && !security && request.policy == "security" && !request.allow_other_origins) {
        refused += (refused.empty() ? "" : ", ") + c.name + " " + c.to + " (" + Origin(c) + ")";
      }
    }
    plan.removals = final->removals;
    if (!refused.empty()) {
      return MakeError(ErrorCode::kFailed, "security upgrades need packages from other origins, which allow_other_origins = false refuses: " + refused);
    }
    if (!plan.removals.empty()) {
      return MakeError(ErrorCode::kFailed, "the upgrade would remove " + Join(plan.removals, ", ") + ": refused");
    }
    return plan;
  }

  Result<PackageOutcome> Apply(const PackagePlan& plan) override {
    PackageOutcome outcome;
    std::vector<std::string> names, targets;
    for (const PackageChange& c : plan.changes) {
      names.push_back(c.name);
      if (c.reason != "dependency") targets.push_back(c.name);
    }
    std::map<std::string, std::string> before = Installed(names);
    // apt marks every package named on its command line as manually
    // installed; unattended-upgrades keeps the marks, and so do we: the
    // targets that were automatic are marked so again afterwards (even when
    // the install failed part way), so `apt autoremove` still sees them.
    Result<std::set<std::string>> automatic = Marked("showauto");
    if (!automatic) return automatic.error();
    if (!targets.empty()) {
      std::vector<std::string> argv = {"apt-get", "install", "-y", "-q", "--only-upgrade",
                                       "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
                                       "-o", "DPkg::Lock::Timeout=" + std::to_string(settings_.lock_timeout.count())};
      argv.insert(argv.end(), targets.begin(), targets.end());
      // Downloaded first, with the network and no dpkg run; then installed
      // with no network at all, so the root's maintainer scripts run
      // offline (in a sandbox root: no host service in reach). Not
      // --no-download: apt takes file: repositories' packages in place,
      // and that option makes it refuse them ("Pathname to install is not
      // absolute"); with everything else in its cache it fetches nothing.
      std::vector<std::string> download = argv;
      download.insert(download.begin() + 2, "--download-only");
      Result<exec::ProcessResult> ran = Apt(download, /*network=*/true);
      if (ran && ran->ok()) ran = Apt(argv);
      if (!ran) return ran.error();
      outcome.ok = ran->ok();
      if (!outcome.ok) outcome.error = ErrorLines(*ran);
      if (Status kept = RestoreAuto(targets, *automatic); !kept) {
        outcome.ok = false;
        outcome.error += (outcome.error.empty() ? "" : "\n") + kept.error().message;
      }
    } else {
      outcome.ok = true;
    }
    std::map<std::string, std::string> after = Installed(names);
    for (const std::string& name : names) outcome.versions.push_back({name, before[name], after[name]});
    // apt said yes: the versions must say so too (an apt.conf.d of the
    // root can make an install a simulation that exits 0).
    std::string differs;
    for (const PackageChange& c : plan.changes) {
      if (after[c.name] != c.to) differs += (differs.empty() ? "" : ", ") + c.name + " is " + (after[c.name].empty() ? "not installed" : after[c.name]) + ", not " + c.to;
    }
    if (outcome.ok && !differs.empty()) {
      outcome.ok = false;
      outcome.error = "installed versions differ from the plan: " + differs;
    }
    // Where a postinst in the root wrote it: var/run is a link to /run in a
    // Debian root, resolved inside the root, never to the host's /run.
    Result<fs::path> flag = ResolveInRoot(fs_, settings_.root, "/var/run/reboot-required");
    if (!flag) return flag.error();
    outcome.reboot_required = fs_.Exists(*flag);
    Result<fs::path> list = ResolveInRoot(fs_, settings_.root, "/var/run/reboot-required.pkgs");
    if (!list) return list.error();
    if (Result<std::string> pkgs = fs_.ReadSmallRegularFile(*list, 64u << 10); pkgs) {
      for (const std::string& line : Split(*pkgs, '\n')) {
        if (!Trim(line).empty()) outcome.reboot_packages.emplace_back(Trim(line));
      }
    }
    return outcome;
  }

 private:
  // `network`: a run that downloads (a sandbox root's other runs get a
  // network namespace of their own: ProcessSpec::network).
  Result<exec::ProcessResult> Apt(std::vector<std::string> argv, bool network = false) {
    exec::ProcessSpec spec = exec::ProcessSpec::Of(std::move(argv));
    spec.env = {{"LC_ALL", "C"}, {"DEBIAN_FRONTEND", "noninteractive"}};
    // A configuration of the caller's must not reach the root's apt.
    spec.unset_env = {"APT_CONFIG"};
    if (settings_.root != "/") spec.root_dir = fs::path(settings_.root).lexically_normal().string();
    spec.network = network;
    spec.timeout = settings_.timeout;
    Result<exec::ProcessResult> ran = runner_.Run(spec);
    // Parsing a cut listing would miss packages without a word.
    if (ran && ran->out_truncated) {
      return MakeError(ErrorCode::kFailed, spec.argv[0] + " printed more than " + std::to_string(spec.max_output) +
                                               " bytes; not parsed");
    }
    return ran;
  }

  // Every source's Release fields (`apt-cache policy`, one run): what
  // IsSecurity matches the security origins against.
  Status LoadSources() {
    Result<exec::ProcessResult> ran = Apt({"apt-cache", "policy"});
    if (!ran) return ran.error();
    if (!ran->ok()) return MakeError(ErrorCode::kFailed, "apt-cache policy failed: " + ErrorLines(*ran));
    sources_ = ParseAptPolicySources(ran->out);
    return OkStatus();
  }

  // Whether the candidate comes from a release the agent's security
  // origins name (apt_origins.h): origin, label and suite, as
  // unattended-upgrades decides.
  bool IsSecurity(const AptChange& change) const {
    return IsFromOrigins(change, sources_, origins_);
  }

  Result<AptSimulation> Simulate(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"apt-get", "-s", "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    Result<exec::ProcessResult> ran = Apt(argv);
    if (!ran) return ran.error();
    if (!ran->ok()) return MakeError(ErrorCode::kFailed, ErrorLines(*ran));
    return ParseAptSimulation(ran->out);
  }

  // Marks automatic again those of `targets` that were so before.
  Status RestoreAuto(const std::vector<std::string>& targets, const std::set<std::string>& automatic) {
    std::vector<std::string> argv = {"apt-mark", "auto"};
    for (const std::string& name : targets) {
      if (automatic.count(name) != 0) argv.push_back(name);
    }
    if (argv.size() == 2) return OkStatus();
    Result<exec::ProcessResult> ran = Apt(argv);
    if (!ran) return ran.error();
    if (!ran->ok()) return MakeError(ErrorCode::kFailed, "apt-mark auto (restoring the automatic marks) failed: " + ErrorLines(*ran));
    return OkStatus();
  }

  // The candidates of the kept-back packages `names`, into `candidate_of`:
  // one simulation for all of them (a fixed cost, however many there are);
  // only when apt refuses that one, one per package, so that each that
  // cannot be upgraded is named in `plan.skipped` with apt's reason.
  void ProbeKeptBack(const std::vector<std::string>& names, std::map<std::string, AptChange>& candidate_of,
                     PackagePlan& plan) {
    if (names.empty()) return;
    std::vector<std::string> args = {"install", "--only-upgrade"};
    args.insert(args.end(), names.begin(), names.end());
    if (Result<AptSimulation> all = Simulate(args); all) {
      for (const AptChange& c : all->installs) candidate_of.emplace(c.name, c);
      return;
    }
    for (const std::string& name : names) {
      Result<AptSimulation> probe = Simulate({"install", "--only-upgrade", name});
      if (!probe) {
        plan.skipped.push_back({name, "cannot be upgraded: " + probe.error().message});
        continue;
      }
      for (const AptChange& c : probe->installs) {
        if (c.name == name) candidate_of.emplace(c.name, c);
      }
    }
  }

  Result<std::set<std::string>> Holds() { return Marked("showhold"); }

  // A security version an apt pin keeps from being the candidate is named
  // in `plan.skipped`: the upgrade as it would be without the root's
  // preferences (one more simulation) against `candidates`.
  Status NamePinnedSecurity(const std::set<std::string>& held, const std::vector<std::string>& candidates, PackagePlan& plan) {
    Result<AptSimulation> unpinned =
        Simulate({"-o", "Dir::Etc::Preferences=/dev/null", "-o", "Dir::Etc::PreferencesParts=/dev/null", "upgrade"});
    if (!unpinned) return unpinned.error();
    std::set<std::string> pinned_view(candidates.begin(), candidates.end());
    for (const AptChange& c : unpinned->installs) {
      if (pinned_view.count(c.name) != 0 || held.count(c.name) != 0) continue;
      if (!IsSecurity(c)) continue;
      plan.skipped.push_back({c.name, "held back by an apt pin: security version " + c.to + " (" + Origin(c) + ") is not the candidate (apt-cache policy " + c.name + ")"});
    }
    return OkStatus();
  }

  // The packages `apt-mark SHOW` lists (showhold, showauto).
  Result<std::set<std::string>> Marked(const std::string& show) {
    Result<exec::ProcessResult> ran = Apt({"apt-mark", show});
    if (!ran) return ran.error();
    if (!ran->ok()) return MakeError(ErrorCode::kFailed, "apt-mark " + show + " failed: " + ErrorLines(*ran));
    std::set<std::string> held;
    for (const std::string& line : Split(ran->out, '\n')) {
      if (!Trim(line).empty()) held.emplace(Trim(line));
    }
    return held;
  }

  // Installed versions (dpkg's database in the root); a package not
  // fully installed shows its state: "1.0-2 (half-configured)".
  std::map<std::string, std::string> Installed(const std::vector<std::string>& names) {
    std::map<std::string, std::string> versions;
    if (names.empty()) return versions;
    std::vector<std::string> argv = {"dpkg-query", "-W", "-f=${Package}\t${Version}\t${db:Status-Status}\n"};
    argv.insert(argv.end(), names.begin(), names.end());
    Result<exec::ProcessResult> ran = Apt(argv);
    if (!ran) return versions;
    for (const std::string& line : Split(ran->out, '\n')) {
      std::vector<std::string> fields = Split(line, '\t');
      if (fields.size() != 3 || fields[2] == "not-installed" || fields[2] == "config-files") continue;
      versions[fields[0]] = fields[2] == "installed" ? fields[1] : fields[1] + " (" + fields[2] + ")";
    }
    return versions;
  }

  Filesystem& fs_;
  exec::ProcessRunner& runner_;
  AptSettings settings_;
  std::vector<OriginPattern> origins_;
  std::vector<AptSource> sources_;  // from the last Plan
};

}  // namespace

std::unique_ptr<PackageManager> MakeAptBackend(Filesystem& fs, exec::ProcessRunner& runner, AptSettings settings) {
  return std::make_unique<AptBackend>(fs, runner, std::move(settings));
}

}  // namespace daybook::agent
