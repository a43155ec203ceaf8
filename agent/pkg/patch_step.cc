#include "agent/pkg/patch_step.h"

#include "agent/facts.h"
#include "agent/pkg/apt_backend.h"
#include "agent/pkg/dnf_backend.h"
#include "agent/requests.h"

namespace daybook::agent {

using protocol::Json;

std::unique_ptr<PackageManager> MakePackageManager(const AgentConfig& config, Filesystem& fs, exec::ProcessRunner& runner) {
  std::string backend = ResolveBackend(fs, config);
  if (backend == "apt") {
    std::vector<OriginPattern> origins;
    for (const std::string& text : config.security_origins) {
      if (Result<OriginPattern> pattern = ParseOriginPattern(text)) origins.push_back(*pattern);  // checked at load
    }
    AptSettings settings{config.root, config.state_dir, origins,
                         std::chrono::duration_cast<std::chrono::seconds>(config.lock_timeout), config.patch_timeout};
    return MakeAptBackend(fs, runner, settings);
  }
  if (backend == "dnf") return MakeDnfBackend(runner, {config.root, config.patch_timeout});
  return nullptr;
}

Result<PatchStep::Session> PatchStep::Begin(const PatchSpec& patch) {
  std::unique_ptr<PackageManager> manager = MakePackageManager(config_, fs_, runner_);
  if (!manager) return MakeError(ErrorCode::kInvalidInput, "this agent has no package backend (package_backend = none)");
  Result<std::unique_ptr<Filesystem::Lock>> lock = fs_.LockFile(std::filesystem::path(config_.state_dir) / "patch.lock");
  if (!lock) return MakeError(ErrorCode::kFailed, "packages are busy: another intervention is patching this host");
  return Session{patch.request, std::move(manager), std::move(lock).value()};
}

namespace {

// A policy of "none" touches no package: it is a reboot-only manifest
// (reboot = "always"), a rolling reboot of the fleet. No backend is needed.
bool PackagesUntouched(const PatchSpec& patch) { return patch.request.policy == "none"; }

}  // namespace

Result<std::vector<PackageFinding>> PatchStep::Check(Session& session) {
  // Broken package state first: planning on it would either fail half way or
  // make apt finish the interrupted work, excluded packages included.
  return session.manager->Findings();
}

Json PatchStep::Plan(const PatchSpec& patch) {
  Json answer = {{"type", "patch.plan"}, {"backend", ResolveBackend(fs_, config_)}, {"plan", nullptr}, {"error", nullptr},
                 {"findings", Json::array()}};
  if (PackagesUntouched(patch)) {
    answer["plan"] = ToJson(PackagePlan{});
    return answer;
  }
  Result<Session> session = Begin(patch);
  if (!session) {
    answer["error"] = session.error().message;
    return answer;
  }
  Result<std::vector<PackageFinding>> findings = Check(*session);
  if (!findings) {
    answer["error"] = findings.error().message;
    return answer;
  }
  if (!findings->empty()) {
    answer["findings"] = ToJson(*findings);
    answer["error"] = Describe(*findings);
    return answer;
  }
  Result<PackagePlan> plan = session->manager->Plan(session->request);
  if (plan) {
    answer["plan"] = ToJson(*plan);
  } else {
    answer["error"] = plan.error().message;
  }
  return answer;
}

Json PatchStep::Apply(const PatchSpec& patch, bool& reboot) {
  reboot = false;
  Json step = {{"status", "refused"}, {"backend", ResolveBackend(fs_, config_)}, {"plan", nullptr}, {"outcome", nullptr},
               {"reboot", "none"}, {"error", nullptr}, {"findings", Json::array()}};
  if (PackagesUntouched(patch)) {
    step["status"] = "ok";
    step["plan"] = ToJson(PackagePlan{});
    reboot = patch.reboot == "always";
    step["reboot"] = reboot ? "scheduled" : "none";
    return step;
  }
  Result<Session> session = Begin(patch);
  if (!session) {
    step["error"] = session.error().message;
    return step;
  }
  // Refused before anything runs: no apt-get update, no package touched.
  Result<std::vector<PackageFinding>> findings = Check(*session);
  if (!findings) {
    step["error"] = findings.error().message;
    return step;
  }
  if (!findings->empty()) {
    step["findings"] = ToJson(*findings);
    step["error"] = Describe(*findings);
    return step;
  }
  Result<PackagePlan> plan = session->manager->Plan(session->request);
  if (!plan) {
    step["error"] = plan.error().message;
    return step;
  }
  step["plan"] = ToJson(*plan);
  Result<PackageOutcome> outcome = session->manager->Apply(*plan);
  if (!outcome) {
    step["status"] = "failed";
    step["error"] = outcome.error().message;
    return step;
  }
  step["outcome"] = ToJson(*outcome);
  step["status"] = outcome->ok ? "ok" : "failed";
  if (!outcome->ok) {
    step["error"] = outcome->error;
    return step;
  }
  reboot = patch.reboot == "always" || (patch.reboot == "if-required" && outcome->reboot_required);
  step["reboot"] = reboot ? "scheduled" : "none";
  return step;
}

}  // namespace daybook::agent
