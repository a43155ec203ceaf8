// daybook push MANIFEST [--rev REV] [--target EXPR] [--ticket ID] [--yes]:
// applies a committed manifest's deploys to its targets, hosts in parallel
// (the canary/batch rollout engine builds on this). Journal first: the
// operator-signed intervention.begin is durable before any host is
// touched; each host's signed result follows; intervention.end closes it.
// Exit 0 all hosts ok, 1 any failure, 2 bad input or refused.
#include <atomic>
#include <istream>
#include <ostream>

#include "controller/commands.h"
#include "controller/deploy_host.h"
#include "controller/fanout.h"
#include "controller/output.h"
#include "controller/patch_client.h"
#include "controller/prepared_manifest.h"

namespace daybook::controller {
namespace {

using protocol::Json;
using Steady = std::chrono::steady_clock;

struct PushOptions {
  ManifestFlags manifest;
  std::string ticket;
  bool yes = false;
  OutputFormat format = OutputFormat::kText;
};

// "ok: 3 upgraded, rebooted" from a host result's patch details.
std::string PatchSummary(const Json& details) {
  if (!details.contains("patch")) return "-";
  int upgraded = 0;
  for (const Json& p : details.value("packages", Json::array())) upgraded += p["before"] != p["after"] ? 1 : 0;
  return details["patch"]["status"].get<std::string>() + ": " + std::to_string(upgraded) + " upgraded" +
         (details.contains("reboot") ? ", rebooted" : "");
}

int RunPush(Env& env, const GlobalOptions& global, const PushOptions& options) {
  Result<PreparedManifest> prepared = PrepareManifest(env, global, options.manifest);
  if (!prepared) return ReportError(env.err, prepared.error());
  FleetSession& session = *prepared->session;
  const CommittedManifest& committed = prepared->manifest;
  const manifest::Manifest& m = committed.resolved.manifest;
  std::string question = "push " + committed.path + " at " + Short(committed.commit) + " to " +
                         std::to_string(session.hosts.size()) + " host(s)";
  if (!options.yes) {
    if (Status s = Confirm(env, question); !s) return ReportError(env.err, s.error());
  }

  Json deploys = Json::array();
  for (const ResolvedDeploy& d : prepared->deploys) {
    deploys.push_back({{"name", d.spec.name}, {"ref", d.spec.ref}, {"commit", d.target.commit}, {"tree", d.target.tree},
                       {"path", d.spec.path}});
  }
  std::string ticket = options.ticket.empty() ? m.ticket : options.ticket;
  Json patch = PatchRequestJson(m);
  Json fields = {{"manifest", {{"commit", committed.commit}, {"path", committed.path}, {"name", m.name}}},
                 {"targets", session.hosts}, {"deploys", deploys}, {"patch", patch}};
  if (!ticket.empty()) fields["ticket"] = ticket;
  Result<std::unique_ptr<Intervention>> intervention = Intervention::Begin(env, global, session, std::move(fields));
  if (!intervention) return ReportError(env.err, intervention.error());

  auto start = Steady::now();
  PackCache packs(env.git);
  std::vector<HostDeploy> runs(session.hosts.size());
  std::atomic<bool> journal_broken{false};
  std::string journal_error;
  size_t finished = 0, failed = 0, bytes = 0;
  FanOut(
      session.hosts.size(), session.parallel,
      [&](size_t i) {
        if (journal_broken) {  // fail closed: no new host once results cannot be recorded
          runs[i].outcome = {"skipped", "not started: the journal cannot be written", Json::object(), std::nullopt};
          return;
        }
        runs[i] = DeployToHost(*session.client, packs, session.Host(i), (*intervention)->id(), patch, prepared->deploys,
                               m.rollout.timeout);
      },
      [&](size_t i) {
        ++finished;
        bytes += runs[i].bytes_sent;
        if (runs[i].outcome.status != "ok") ++failed;
        if (Status s = (*intervention)->RecordHost(session.Host(i), runs[i].outcome, runs[i].agent_key); !s && !journal_broken) {
          journal_broken = true;
          journal_error = s.error().message;
        }
        if (env.err_is_terminal) {
          auto secs = std::chrono::duration_cast<std::chrono::seconds>(Steady::now() - start).count();
          env.err << "\rpush: " << finished << "/" << session.hosts.size() << " done, " << failed << " failed, " << secs << "s" << std::flush;
        }
      });
  if (env.err_is_terminal) env.err << "\n";
  Json summary = {{"hosts", session.hosts.size()}, {"ok", session.hosts.size() - failed}, {"failed", failed}, {"bytes_sent", bytes}};
  Status ended = (*intervention)->End(failed == 0 && !journal_broken ? "completed" : "failed", summary);

  if (options.format == OutputFormat::kJson) {
    Json hosts = Json::array();
    for (size_t i = 0; i < runs.size(); ++i) {
      const HostOutcome& o = runs[i].outcome;
      hosts.push_back({{"host", session.hosts[i]}, {"status", o.status}, {"error", o.error.empty() ? Json(nullptr) : Json(o.error)},
                       {"deploys", o.details.value("deploys", Json::array())}, {"shipped", o.details.value("shipped", Json::array())}});
    }
    PrintJson(env.out, {{"intervention", (*intervention)->id()}, {"manifest", {{"path", committed.path}, {"commit", committed.commit}}},
                        {"hosts", hosts}, {"summary", summary}});
  } else {
    Table table({"HOST", "STATUS", "PATCH", "DEPLOY", "FROM", "TO", "RESULT", "FILES", "SENT", "ERROR"});
    for (size_t i = 0; i < runs.size(); ++i) {
      const HostOutcome& o = runs[i].outcome;
      std::string sent = std::to_string(runs[i].bytes_sent) + "B";
      std::string patched = PatchSummary(o.details);
      Json list = o.details.value("deploys", Json::array());
      if (list.empty()) table.AddRow({session.hosts[i], o.status, patched, "-", "-", "-", "-", "-", sent, o.error.empty() ? "-" : o.error});
      for (const Json& d : list) {
        const Json& c = d["changes"];
        std::string files = c.is_object() ? "+" + std::to_string(c["added"].get<int>()) + " ~" + std::to_string(c["changed"].get<int>()) +
                                                " -" + std::to_string(c["removed"].get<int>())
                                          : "-";
        table.AddRow({session.hosts[i], o.status, patched, d["name"], Short(d["from"].is_string() ? d["from"].get<std::string>() : ""),
                      Short(d["to"]), d["status"], files, sent, o.error.empty() ? "-" : o.error});
      }
    }
    table.Print(env.out);
    env.out << "intervention " << (*intervention)->id() << ": " << session.hosts.size() - failed << " of "
            << session.hosts.size() << " host(s) ok\n";
  }
  if (journal_broken) env.err << "daybook: error: journal: " << journal_error << "; later hosts were not started\n";
  if (!ended) env.err << "daybook: error: journal: " << ended.error().message << "\n";
  return failed == 0 && !journal_broken && ended ? kExitOk : kExitFailed;
}

}  // namespace

void AddPushCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("push", "Apply a committed manifest to its targets, journaled");
  auto options = std::make_shared<PushOptions>();
  AddManifestFlags(*command, options->manifest);
  command->add_option("--ticket", options->ticket, "Change ticket recorded in the journal (default: the manifest's)")->option_text("ID");
  command->add_flag("--yes,-y", options->yes, "Do not ask for confirmation (required when not on a terminal)");
  AddOutputOption(*command, options->format);
  command->footer("The intervention.begin record (signed with your operator key) is written before any host is\n"
                  "contacted; if the journal cannot be written, nothing is done. Each host receives only the git\n"
                  "objects it lacks, checks out a new release, proves its tree id, and switches `current`.\n"
                  "Exit codes: 0 all hosts ok, 1 any host failed or unreachable, 2 bad input or not confirmed.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunPush(env, global, *options); });
}

}  // namespace daybook::controller
