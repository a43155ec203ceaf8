// daybook push MANIFEST [--rev REV] [--target EXPR] [--ticket ID] [--plan FILE]
//                       [--yes] [--override-window]:
// applies a committed manifest to its targets through the rollout engine
// (docs/rollout.md): canary hosts alone, then batches, halting once failures
// exceed max_failures. Journal first: the operator-signed intervention.begin
// is durable before any host is touched; each host's signed result follows
// (hosts never started are recorded as skipped); intervention.end closes it
// with the outcome: completed, halted (and why) or interrupted.
// Exit 0 all hosts ok, 1 any host not ok or a halt, 2 bad input or refused.
#include <atomic>
#include <optional>
#include <ostream>

#include "controller/commands.h"
#include "controller/deploy_client.h"
#include "controller/interrupt.h"
#include "controller/output.h"
#include "controller/reconcile.h"
#include "controller/patch_client.h"
#include "controller/prepared_manifest.h"
#include "controller/push_report.h"
#include "controller/result_recorder.h"
#include "controller/rollout_progress.h"
#include "controller/rollout_view.h"
#include "controller/saved_plan.h"
#include "core/journal/agent_binding.h"

namespace daybook::controller {
namespace {

using protocol::Json;

struct PushOptions {
  ManifestFlags manifest;
  std::string ticket;
  std::string plan_file;
  bool yes = false;
  bool override_window = false;
  OutputFormat format = OutputFormat::kText;
};

Status CheckUsage(const PushOptions& options) {
  if (options.override_window && options.ticket.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "--override-window needs --ticket ID: the reason for touching hosts outside their window is journaled");
  }
  if (!options.plan_file.empty() && options.manifest.rev != "HEAD") {
    return MakeError(ErrorCode::kInvalidInput, "--plan fixes the manifest commit: do not combine it with --rev");
  }
  if (!options.plan_file.empty() && !options.manifest.connect.target.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "--plan fixes the hosts: do not combine it with --target");
  }
  return OkStatus();
}

// The manifest, pinned to the saved plan when there is one.
Result<PreparedManifest> Prepare(Env& env, const GlobalOptions& global, const PushOptions& options,
                                 std::optional<SavedPlan>& saved) {
  ManifestFlags flags = options.manifest;
  if (!options.plan_file.empty()) {
    Result<SavedPlan> read = ReadSavedPlan(env.fs, env.cwd / options.plan_file);
    if (!read) return read.error();
    saved = std::move(*read);
    flags.rev = saved->manifest_commit;
    // A plan made before the fleet files last changed cannot be pushed:
    // said as such, not as a working tree that differs from the plan's commit.
    Result<std::filesystem::path> root = LocateFleet(env, global);
    if (!root) return root.error();
    if (Status fresh = CheckPlanNotStale(env.git, *root, *saved, options.plan_file); !fresh) return fresh.error();
  }
  Result<PreparedManifest> prepared = PrepareManifest(env, global, flags);
  if (!prepared || !saved) return prepared;
  if (Status s = PinToSavedPlan(*saved, env.git, *prepared); !s) return s.error();
  return prepared;
}

Json BeginFields(const PreparedManifest& prepared, const RolloutView& view, const std::optional<SavedPlan>& saved,
                 const std::string& ticket, bool override_window) {
  const CommittedManifest& committed = prepared.manifest;
  Json deploys = Json::array();
  for (const ResolvedDeploy& d : prepared.deploys) {
    deploys.push_back({{"name", d.spec.name}, {"ref", d.spec.ref}, {"commit", d.target.commit}, {"tree", d.target.tree},
                       {"path", d.spec.path}});
  }
  Json fields = {{"manifest", {{"commit", committed.commit}, {"path", committed.path}, {"name", committed.resolved.manifest.name}}},
                 {"targets", prepared.session->hosts}, {"deploys", deploys},
                 {"patch", PatchRequestJson(committed.resolved.manifest)},
                 {"rollout", RolloutJson(view, prepared.session->hosts)}};
  // The plan digest binds this intervention to what was reviewed: the saved
  // file's, or the rollout's own when none was given.
  std::string digest = saved ? saved->file_digest : Digest(Json{{"deploys", deploys}, {"rollout", fields["rollout"]}});
  fields["plan"] = {{"digest", digest}, {"saved", saved.has_value()}};
  // What every host will be asked, bound under the operator's signature:
  // the agent carries out exactly this (agent_binding.h).
  fields["apply"] = journal::ApplyContentHash(ApplyRequest("", fields["patch"], prepared.deploys, committed.resolved.manifest.rollout.timeout));
  if (!ticket.empty()) fields["ticket"] = ticket;
  if (override_window) fields["override_window"] = true;
  return fields;
}

std::string HostList(const std::vector<std::string>& hosts, const RolloutBatch& batch) {
  std::string list;
  for (size_t h : batch.hosts) list += (list.empty() ? "" : " ") + hosts[h];
  return list;
}

int RunPush(Env& env, const GlobalOptions& global, const PushOptions& options) {
  if (Status s = CheckUsage(options); !s) return ReportError(env.err, s.error());
  std::optional<SavedPlan> saved;
  Result<PreparedManifest> prepared = Prepare(env, global, options, saved);
  if (!prepared) return ReportError(env.err, prepared.error());
  FleetSession& session = *prepared->session;
  const CommittedManifest& committed = prepared->manifest;
  const manifest::Manifest& m = committed.resolved.manifest;
  RolloutView view = ViewRollout(session, m.rollout, env.clock.Now(), options.override_window);
  // Who acts is known before the operator is asked, and before any host is
  // contacted: an operator key allowed_signers lacks is said now.
  if (Result<journal::OperatorSigner*> op = SessionOperatorSigner(env, global, session); !op) {
    return ReportError(env.err, std::move(op).error().WithContext("nothing was done"));
  }
  if (!options.yes) {
    if (env.in_is_terminal) {
      PrintManifestSummary(env.err, *prepared);
      PrintRollout(env.err, view, session.hosts);
    }
    std::string question = "push " + committed.path + " at " + Short(committed.commit) + " to " +
                           std::to_string(session.hosts.size()) + " host(s)" +
                           (ClosedWindows(view) > 0 ? " (" + std::to_string(ClosedWindows(view)) + " outside their window, left untouched)" : "");
    if (Status s = Confirm(env, question); !s) return ReportError(env.err, s.error());
  }

  // What a stopped controller left on these hosts is journaled first (reconcile.h).
  Result<ReconcileReport> reconciled = Reconcile(env, global, session, session.hosts);
  if (!reconciled) return ReportError(env.err, std::move(reconciled).error().WithContext("journal (nothing was done)"));
  PrintReconcileReport(env.err, *reconciled);

  std::string ticket = options.ticket.empty() ? m.ticket : options.ticket;
  Json patch = PatchRequestJson(m);
  Result<std::unique_ptr<Intervention>> intervention =
      Intervention::Begin(env, global, session, BeginFields(*prepared, view, saved, ticket, options.override_window));
  if (!intervention) return ReportError(env.err, intervention.error());

  PushReport report{(*intervention)->id(), committed.path, committed.commit, {}, {}, 0};
  for (size_t i = 0; i < session.hosts.size(); ++i) report.hosts.push_back({session.hosts[i], view.batch_label[i], {}});
  // -q: none; -v: a plain line per batch and host even on a terminal.
  std::ostream no_progress(nullptr);
  RolloutProgress progress(env.verbosity < 0 ? no_progress : env.err, env.err_is_terminal && env.verbosity == 0, "push",
                           session.hosts.size());
  ResultRecorder recorder(**intervention);
  InterruptWatch interrupt([&](int sig) {
    progress.Note(std::string(sig == SIGTERM ? "SIGTERM" : "interrupted") +
                  ": no new host will be started; waiting for the hosts in flight (again to quit at once)");
  });
  PackCache packs(env.git);

  // One host's work: the window, the saved plan's state, then the push itself.
  auto push_host = [&](size_t i) -> HostVerdict {
    HostDeploy& run = report.hosts[i].run;
    const inventory::Host& host = session.Host(i);
    WindowCheck window = CheckWindow(host, env.clock.Now(), options.override_window);
    Json window_json = window.text.empty() ? Json(nullptr)
                                           : Json{{"window", host.window->text}, {"from", host.window_from},
                                                  {"open", window.open}, {"overridden", window.overridden}};
    if (!window.allowed) {
      run.outcome = {"skipped", "outside its maintenance window " + window.text, {{"window", window_json}}, std::nullopt};
      return HostVerdict::kSkipped;
    }
    if (saved) {
      const std::string& planned = saved->hosts[i].digest;
      HostPlan now = PlanHost(*session.client, env.git, host, patch, prepared->deploys);
      std::string digest = now.reachable ? Digest(now.state) : "";
      if (planned.empty() || digest != planned) {
        std::string why = planned.empty()  ? "the host was unreachable when the plan was made"
                          : digest.empty() ? "cannot check the planned state: " + now.error
                                           : "the host changed since the plan was made (state " + planned.substr(0, 19) + "… now " +
                                                 digest.substr(0, 19) + "…)";
        run.outcome = {"refused", why, {{"planned_digest", planned}, {"digest", digest}}, std::nullopt};
        return HostVerdict::kFailed;
      }
    }
    run = DeployToHost(*session.client, packs, host, (*intervention)->binding(), patch, prepared->deploys, m.rollout.timeout);
    if (!window_json.is_null()) run.outcome.details["window"] = window_json;
    return run.outcome.status == "ok" ? HostVerdict::kOk : HostVerdict::kFailed;
  };
  // Queued on the worker as soon as the host is done; committed in groups.
  auto queue = [&](size_t i) {
    const HostDeploy& run = report.hosts[i].run;
    recorder.Queue((*intervention)->HostFields(session.Host(i), run.outcome, run.agent_key));
  };
  RolloutHooks hooks;
  hooks.run = [&](size_t i) {
    progress.HostStarted(session.hosts[i]);
    HostVerdict verdict = push_host(i);
    queue(i);
    return verdict;
  };
  hooks.crashed = [&](size_t i, const std::string& crash) {
    report.hosts[i].run.outcome = {"failed", crash, Json::object(), std::nullopt};
    queue(i);
  };
  hooks.finished = [&](size_t i, HostVerdict) {
    const HostDeploy& run = report.hosts[i].run;
    report.bytes_sent += run.bytes_sent;
    (void)recorder.Commit();
    progress.HostFinished(session.hosts[i], run.outcome.status, run.outcome.error);
  };
  hooks.not_started = [&](size_t i, const std::string& why) {
    report.hosts[i].run.outcome = {"skipped", why, Json::object(), std::nullopt};
    queue(i);
    (void)recorder.Commit();
    progress.NotStarted(session.hosts[i], why);
  };
  hooks.batch_started = [&](size_t b) { progress.BatchStarted(BatchLabel(view.batches, b), HostList(session.hosts, view.batches[b])); };
  hooks.stop_reason = [&]() -> std::string {
    if (recorder.broken()) return "the journal cannot be written";  // fail closed: no new host without a record
    if (interrupt.requested()) return std::string("interrupted by ") + (interrupt.signal() == SIGTERM ? "SIGTERM" : "SIGINT");
    return "";
  };
  report.rollout = RunRollout(view.batches, session.hosts, view.threshold, session.parallel, hooks);
  (void)recorder.Commit();
  progress.Finish();
  Status ended = (*intervention)->End(report.rollout.outcome, PushSummary(report));

  if (options.format == OutputFormat::kJson) {
    PrintPushJson(env.out, report);
  } else {
    PrintPushTable(env.out, report);
  }
  AdviseCommitPins(env, session);
  if (recorder.broken()) env.err << "daybook: error: journal: " << recorder.error() << "; later hosts were not started\n";
  if (!ended) env.err << "daybook: error: journal: " << ended.error().message << "\n";
  bool all_ok = report.rollout.ok == session.hosts.size();
  return all_ok && !recorder.broken() && ended ? kExitOk : kExitFailed;
}

}  // namespace

void AddPushCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("push", "Apply a committed manifest to its targets: canary, batches, journaled");
  auto options = std::make_shared<PushOptions>();
  AddManifestFlags(*command, options->manifest);
  command->add_option("--ticket", options->ticket, "Change ticket recorded in the journal (default: the manifest's)")->option_text("ID");
  command->add_option("--plan", options->plan_file, "Apply exactly this saved plan (daybook plan --save); hosts changed since are refused")
      ->option_text("FILE");
  command->add_flag("--override-window", options->override_window,
                    "Also touch hosts outside their maintenance window (needs --ticket; journaled)");
  command->add_flag("--yes,-y", options->yes, "Do not ask for confirmation (required when not on a terminal)");
  AddOutputOption(*command, options->format);
  command->footer("The intervention.begin record (signed with your operator key) is written before any host is\n"
                  "contacted; if the journal cannot be written, nothing is done. Canary hosts go first, alone,\n"
                  "then batches ([rollout] batch); hosts of a batch run in parallel (--parallel), and a host that\n"
                  "needs a reboot is waited for before the next batch. The rollout halts once more hosts fail than\n"
                  "max_failures allows, or when a canary fails; hosts never started are journaled as skipped.\n"
                  "Hosts outside their maintenance window are left untouched unless --override-window --ticket ID.\n"
                  "Ctrl-C starts no new host, lets hosts in flight finish, and journals `interrupted`; a second\n"
                  "Ctrl-C quits at once. See docs/rollout.md.\n"
                  "Exit codes: 0 all hosts ok, 1 any host failed, skipped or not started (halt, interrupt),\n"
                  "2 bad input or not confirmed.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunPush(env, global, *options); });
}

}  // namespace daybook::controller
