// daybook plan MANIFEST [--rev REV] [--target EXPR] [--save FILE]: what a
// push of the committed manifest would change on each targeted host
// (packages, code: from → to commit and files added/changed/removed, drift
// to repair, reboot), the batch each host falls in and its window check,
// without changing anything anywhere. --save writes the plan with a digest
// of each host's state, for `push --plan`. Exit 0 when every host can be
// pushed to, 1 when a host is unreachable or would refuse, 2 on bad input.
#include <ostream>

#include "controller/commands.h"
#include "controller/deploy_host.h"
#include "controller/fanout.h"
#include "controller/fanout_progress.h"
#include "controller/output.h"
#include "controller/patch_client.h"
#include "controller/prepared_manifest.h"
#include "controller/rollout_view.h"
#include "controller/saved_plan.h"
#include "core/base/text.h"
#include "core/journal/record.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

using protocol::Json;
using schema::MemberOr;
using schema::StringOr;

struct PlanOptions {
  ManifestFlags manifest;
  std::string save;
  OutputFormat format = OutputFormat::kText;
};

std::string Changes(const DeployPlan& p) {
  if (!p.changes) return p.action == "unchanged" ? "-" : "?";
  return ChangeCounts(p.changes->added, p.changes->changed, p.changes->removed);
}

Json ToJson(const DeployPlan& p) {
  Json changes = nullptr;
  if (p.changes) changes = {{"added", p.changes->added}, {"changed", p.changes->changed}, {"removed", p.changes->removed}};
  return {{"name", p.name}, {"from", p.from.empty() ? Json(nullptr) : Json(p.from)}, {"to", p.to}, {"action", p.action},
          {"changes", changes}, {"note", p.note.empty() ? Json(nullptr) : Json(p.note)}};
}

// The package rows of one host: each change (reason, origin), each removal
// and each package left out (why).
void AddPackageRows(Table& table, const std::string& host, const Json& patch) {
  if (patch.is_null()) return;
  if (MemberOr(patch, "error").is_string()) {
    table.AddRow({host, "-", "-", "-", "-", "ERROR: " + StringOr(patch, "error")});
    return;
  }
  const Json& changes = MemberOr(MemberOr(patch, "plan"), "changes");
  const Json& skipped = MemberOr(MemberOr(patch, "plan"), "skipped");
  if (changes.empty() && skipped.empty()) table.AddRow({host, "-", "-", "-", "-", "nothing to do"});
  for (size_t i = 0; changes.is_array() && i < changes.size(); ++i) {
    const Json& c = changes[i];
    table.AddRow({host, StringOr(c, "name"), StringOr(c, "from", "(new)"), StringOr(c, "to"), StringOr(c, "origin"),
                  StringOr(c, "reason")});
  }
  // dnf removes what an upgrade obsoletes and kernels past installonly_limit.
  const Json& removals = MemberOr(MemberOr(patch, "plan"), "removals");
  for (size_t i = 0; removals.is_array() && i < removals.size(); ++i) {
    if (removals[i].is_string()) table.AddRow({host, removals[i].get<std::string>(), "-", "(removed)", "-", "removal"});
  }
  for (size_t i = 0; skipped.is_array() && i < skipped.size(); ++i) {
    table.AddRow({host, StringOr(skipped[i], "name"), "-", "-", "-", "skipped: " + StringOr(skipped[i], "why")});
  }
}

// "3 to upgrade", "nothing", "error", "-" (no [patch]).
std::string PackagesCell(const Json& patch) {
  if (patch.is_null()) return "-";
  if (MemberOr(patch, "error").is_string()) return "error";
  const Json& changes = MemberOr(MemberOr(patch, "plan"), "changes");
  size_t n = changes.is_array() ? changes.size() : 0;
  return n == 0 ? "nothing" : std::to_string(n) + " to upgrade";
}

std::string CodeCell(const HostPlan& plan) {
  if (!plan.reachable) return "unreachable";
  std::string cell;
  for (const DeployPlan& d : plan.deploys) cell += (cell.empty() ? "" : ", ") + d.name + " " + d.action;
  return cell.empty() ? "-" : cell;
}

std::string RebootCell(const Json& patch) {
  if (patch.is_null()) return "no";
  std::string policy = StringOr(patch, "reboot");
  return policy == "always" ? "yes" : policy == "if-required" ? "if required" : "no";
}

int RunPlan(Env& env, const GlobalOptions& global, const PlanOptions& options) {
  Result<PreparedManifest> prepared = PrepareManifest(env, global, options.manifest);
  if (!prepared) return ReportError(env.err, prepared.error());
  FleetSession& session = *prepared->session;
  const CommittedManifest& committed = prepared->manifest;
  Json patch = PatchRequestJson(committed.resolved.manifest);
  std::vector<HostPlan> plans(session.hosts.size());
  FanOutProgress progress(env, "plan", session.hosts.size(), "unreachable");
  ObservationLog observations("plan", FleetJournalOrigin(env, global), session.hosts.size());
  FanOut(
      session.hosts.size(), session.parallel,
      [&](size_t i) {
        plans[i] = PlanHost(*session.client, env.git, session.Host(i), patch, prepared->deploys, &observations, i);
      },
      [&](size_t i) {
        progress.HostDone(session.hosts[i], !plans[i].error.empty(), plans[i].error.empty() ? "planned" : "error: " + plans[i].error);
      },
      [&](size_t i, const std::string& crash) {
        plans[i] = HostPlan{};
        plans[i].error = crash;
      });
  progress.Finish();
  // What each agent said is journaled as it signed it (pending updates
  // first seen, for the report's patch latency).
  WarnUnjournaled(env, observations.Journal(env, global, session));

  size_t blocked = 0, changing = 0;
  for (const HostPlan& plan : plans) {
    // A reboot the agent says it would refuse fails the push there: blocked.
    bool host_blocked = !plan.reachable || MemberOr(plan.patch, "error").is_string() ||
                        MemberOr(plan.patch, "reboot_error").is_string();
    const Json& changes = MemberOr(MemberOr(plan.patch, "plan"), "changes");
    bool host_changing = changes.is_array() && !changes.empty();
    for (const DeployPlan& d : plan.deploys) {
      host_blocked = host_blocked || d.action == "refused";
      host_changing = host_changing || (d.action != "unchanged" && d.action != "refused");
    }
    blocked += host_blocked ? 1 : 0;
    changing += host_changing && !host_blocked ? 1 : 0;
  }
  RolloutView view = ViewRollout(session, committed.resolved.manifest.rollout, env.clock.Now(), false);
  auto document = [&]() -> Json {
    Json deploys = Json::array(), hosts = Json::array();
    for (const ResolvedDeploy& d : prepared->deploys) {
      deploys.push_back({{"name", d.spec.name}, {"repo", d.spec.repo}, {"ref", d.spec.ref}, {"commit", d.target.commit},
                         {"tree", d.target.tree}, {"path", d.spec.path}});
    }
    for (size_t i = 0; i < plans.size(); ++i) {
      Json list = Json::array();
      for (const DeployPlan& d : plans[i].deploys) list.push_back(ToJson(d));
      hosts.push_back({{"host", session.hosts[i]}, {"reachable", plans[i].reachable},
                       {"error", plans[i].error.empty() ? Json(nullptr) : Json(plans[i].error)}, {"deploys", list},
                       {"patch", plans[i].patch}, {"batch", view.batch_label[i]},
                       {"window", view.windows[i].text.empty() ? Json(nullptr)
                                                               : Json{{"window", view.windows[i].text}, {"open", view.windows[i].open}}},
                       {"state", plans[i].state}, {"digest", plans[i].reachable ? Json(Digest(plans[i].state)) : Json(nullptr)}});
    }
    return {{"manifest", {{"path", committed.path}, {"commit", committed.commit}, {"name", committed.resolved.manifest.name}}},
            {"deploys", deploys}, {"patch", patch}, {"rollout", RolloutJson(view, session.hosts)},
            {"hosts", hosts}, {"changing", changing}, {"blocked", blocked}, {"total", plans.size()}};
  };
  if (!options.save.empty()) {
    Json saved = document();
    saved["format"] = kPlanFormat;
    saved["created"] = journal::FormatTimestamp(env.clock.Now());
    if (Status s = WriteSavedPlan(env.fs, env.cwd / options.save, saved); !s) return ReportError(env.err, s.error());
  }
  if (options.format == OutputFormat::kJson) {
    PrintJson(env.out, document());
  } else {
    PrintManifestSummary(env.out, *prepared);
    if (!patch.is_null()) {
      Table packages({"HOST", "PACKAGE", "FROM", "TO", "ORIGIN", "WHY"});
      for (size_t i = 0; i < plans.size(); ++i) AddPackageRows(packages, session.hosts[i], plans[i].patch);
      packages.Print(env.out);
    }
    Table table({"HOST", "DEPLOY", "FROM", "TO", "ACTION", "FILES", "NOTE"});
    bool rows = false;
    for (size_t i = 0; i < plans.size(); ++i) {
      if (!plans[i].reachable) table.AddRow({session.hosts[i], "-", "-", "-", "unreachable", "-", plans[i].error});
      for (const DeployPlan& d : plans[i].deploys) {
        table.AddRow({session.hosts[i], d.name, Short(d.from), Short(d.to), d.action, Changes(d), d.note.empty() ? "-" : d.note});
      }
      rows = rows || !plans[i].reachable || !plans[i].deploys.empty();
    }
    if (rows) table.Print(env.out);
    PrintRollout(env.out, view, session.hosts);
    Table hosts({"HOST", "BATCH", "WINDOW", "PACKAGES", "CODE", "REBOOT"});
    for (size_t i = 0; i < plans.size(); ++i) {
      const WindowCheck& w = view.windows[i];
      hosts.AddRow({session.hosts[i], view.batch_label[i], w.text.empty() ? "none" : WindowState(w) + ": " + w.text,
                    PackagesCell(plans[i].patch), CodeCell(plans[i]),
                    MemberOr(plans[i].patch, "reboot_error").is_string() ? "REFUSED" : RebootCell(patch)});
    }
    hosts.Print(env.out);
    for (size_t i = 0; i < plans.size(); ++i) {
      if (const Json& refusal = MemberOr(plans[i].patch, "reboot_error"); refusal.is_string()) {
        env.out << TerminalSafe("note: " + session.hosts[i] + ": the push would fail here: " + refusal.get<std::string>()) << "\n";
      }
    }
    if (size_t closed = ClosedWindows(view); closed > 0) {
      env.out << closed << " host(s) outside their maintenance window now: push leaves them untouched unless --override-window --ticket ID\n";
    }
    if (!options.save.empty()) env.out << "plan saved to " << options.save << " (apply it with: daybook push " << committed.path << " --plan " << options.save << ")\n";
    env.out << plans.size() << " host(s): " << changing << " would change, " << plans.size() - changing - blocked
            << " unchanged, " << blocked << " unreachable or refusing\n";
  }
  return blocked == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddPlanCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("plan", "Show what a push of a committed manifest would change, host by host");
  auto options = std::make_shared<PlanOptions>();
  AddManifestFlags(*command, options->manifest);
  command->add_option("--save", options->save, "Also write the plan, with a digest of each host's state, for push --plan")
      ->option_text("FILE");
  AddOutputOption(*command, options->format);
  command->footer("Reads MANIFEST from a commit (default HEAD; uncommitted changes are refused), resolves each\n"
                  "[[deploy]] ref to one commit, and asks each targeted agent what it runs and what its package\n"
                  "transaction would be (each package, why, and what is left out and why). Nothing is changed on\n"
                  "the hosts; what each agent answered is journaled as it signed it (host.observed).\n"
                  "--target narrows the manifest's own targets. Shows the rollout: the batch of each host\n"
                  "(canary first) and whether its maintenance window is open now.\n"
                  "--save FILE: `daybook push MANIFEST --plan FILE` then applies exactly this plan and refuses\n"
                  "a host whose state (live commits, drift, package transaction) changed since.\n"
                  "Exit codes: 0 every host can be pushed to, 1 a host is unreachable or would refuse, 2 bad input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunPlan(env, global, *options); });
}

}  // namespace daybook::controller
