// daybook status [--target EXPR] [--verbose]: per host and deploy, the live
// commit and its tree id, whether that tree is the one most of the fleet
// runs, and drift (files changed in `current` since the deploy; listed with
// --verbose); plus pending security updates and reboot-required per host.
// What each agent answered is journaled as a host.observed record (signed by
// the agent; controller/observations.h). Exit 0 when every host answered
// with no drift and the majority tree, 1 otherwise, 2 on bad input.
#include <map>
#include <set>
#include <ostream>

#include "controller/commands.h"
#include "controller/deploy_client.h"
#include "controller/fanout.h"
#include "controller/journal_context.h"
#include "controller/observations.h"
#include "controller/output.h"
#include "controller/prepared_manifest.h"
#include "core/journal/query.h"
#include "core/protocol/messages.h"
#include "core/base/text.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

using protocol::Json;

struct StatusOptions {
  ConnectFlags connect;
  bool verbose = false;
  OutputFormat format = OutputFormat::kText;
};

struct HostStatus {
  bool reachable = false;
  std::string error;
  Json deploys = Json::array();
  Json facts = Json::object();
  Json pending = nullptr;  // patch.plan answer for policy security (null: no package backend)
};

bool HasFindings(const Json& pending) {
  const Json& findings = schema::MemberOr(pending, "findings");
  return findings.is_array() && !findings.empty();
}

// "3" pending security updates, "-" without a backend, "BROKEN" when the
// agent found broken package state, "?" when unknown.
std::string PendingText(const Json& pending) {
  if (pending.is_null()) return "-";
  if (HasFindings(pending)) return "BROKEN";
  const Json& plan = schema::MemberOr(pending, "plan");
  if (!plan.is_object()) return "?";
  int count = 0;
  const Json& changes = schema::MemberOr(plan, "changes");
  for (size_t i = 0; changes.is_array() && i < changes.size(); ++i) count += schema::BoolOr(changes[i], "security") ? 1 : 0;
  return std::to_string(count);
}

// Asks host `i` what it runs, as observations (journaled afterwards).
HostStatus QueryHost(AgentClient& client, const inventory::Host& host, ObservationLog& observations, size_t i) {
  HostStatus status;
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
  auto call = [&](const Json& request) { return observations.Call(i, **connection, request); };
  Result<Json> facts = connection ? call(protocol::FactsRequest()) : connection.error();
  Result<Json> deploys = facts ? call(DeployStatusRequest(Json::array(), true)) : facts;
  if (!deploys) {
    status.error = deploys.error().message;
    return status;
  }
  status.reachable = true;
  status.deploys = (*deploys)["deploys"];
  status.facts = (*facts)["facts"];
  // Pending security updates, from the same plan a push would make.
  if (schema::StringOr(status.facts, "package_backend", "none") != "none") {
    Json request = {{"type", "patch.plan"}, {"patch", {{"policy", "security"}, {"exclude", Json::array()}, {"reboot", "never"}}}};
    Result<Json> pending = call(request);
    status.pending = pending ? *pending : Json{{"error", pending.error().message}};
  }
  return status;
}

// Per deploy name, the tree most hosts run; none on a tie.
std::map<std::string, std::string> MajorityTrees(const std::vector<HostStatus>& hosts) {
  std::map<std::string, std::map<std::string, int>> counts;
  for (const HostStatus& h : hosts) {
    for (const Json& d : h.deploys) {
      if (d["tree"].is_string()) ++counts[d["name"]][d["tree"]];
    }
  }
  std::map<std::string, std::string> majority;
  for (const auto& [name, trees] : counts) {
    int best = 0;
    bool tie = false;
    for (const auto& [tree, n] : trees) {
      if (n > best) {
        best = n;
        tie = false;
        majority[name] = tree;
      } else if (n == best) {
        tie = true;
      }
    }
    if (tie) majority.erase(name);
  }
  return majority;
}

// What a drift check could not see: a walk that stopped (the listing is
// partial), and parts of the release another user may change (what the
// walk saw is a snapshot their owner chose; a push of the same commit
// replaces the release). One line each, for `where` ("host deploy").
std::string DriftNotes(const std::string& where, const Json& drift) {
  if (!drift.is_object()) return "";
  std::string notes;
  if (const Json& why = schema::MemberOr(drift, "incomplete"); why.is_string()) {
    notes += TerminalSafe("note: " + where + ": " + why.get<std::string>()) + "\n";
  }
  const Json& writable = schema::MemberOr(drift, "writable");
  if (writable.is_array() && !writable.empty() && writable[0].is_string()) {
    std::string first = writable[0].get<std::string>();
    std::string more = writable.size() > 1 ? " and " + std::to_string(writable.size() - 1) + " more" : "";
    notes += TerminalSafe("note: " + where + ": " + first + more +
                          " can be changed by a user other than root: drift there is a snapshot; a push of the "
                          "same commit replaces the release (docs/deploy.md, \"Who may own what\")") +
             "\n";
  }
  return notes;
}

std::string DriftText(const Json& drift) {
  if (!drift.is_object()) return "-";
  if (schema::BoolOr(drift, "identical", true)) return "none";
  const Json& c = schema::MemberOr(drift, "counts");
  return ChangeCounts(schema::IntOr(c, "added"), schema::IntOr(c, "modified"), schema::IntOr(c, "removed"));
}

// The journal's unfinished interventions that targeted one of `hosts`, by
// id: what was done to them may not be on record yet (reconcile.h). A
// fleet whose journal cannot be read has none to show here.
std::map<std::string, std::vector<std::string>> UnfinishedOn(Env& env, const GlobalOptions& global,
                                                             const std::vector<std::string>& hosts) {
  std::map<std::string, std::vector<std::string>> on;
  Result<std::vector<journal::JournalEntry>> entries = ReadFleetJournal(env, global);
  if (!entries) return on;
  std::set<std::string> wanted(hosts.begin(), hosts.end());
  for (const auto& [id, state] : journal::InterventionStates(*entries)) {
    if (state.ended) continue;
    for (const std::string& host : state.targets) {
      if (wanted.count(host) > 0) on[id].push_back(host);
    }
  }
  return on;
}

int RunStatus(Env& env, const GlobalOptions& global, const StatusOptions& options) {
  Result<std::unique_ptr<FleetSession>> opened =
      OpenFleetSession(env, global, options.connect, options.connect.target.empty() ? "all" : options.connect.target);
  if (!opened) return ReportError(env.err, opened.error());
  FleetSession& session = **opened;
  std::vector<HostStatus> hosts(session.hosts.size());
  ObservationLog observations("status", FleetJournalOrigin(env, global), session.hosts.size());
  FanOut(
      session.hosts.size(), session.parallel,
      [&](size_t i) { hosts[i] = QueryHost(*session.client, session.Host(i), observations, i); },
      [](size_t) {},
      [&](size_t i, const std::string& crash) {
        hosts[i] = HostStatus{};
        hosts[i].error = crash;
      });
  // Journaled as the agents signed it: when each update was seen pending.
  WarnUnjournaled(env, observations.Journal(env, global, session));
  std::map<std::string, std::string> majority = MajorityTrees(hosts);
  std::map<std::string, std::vector<std::string>> unfinished = UnfinishedOn(env, global, session.hosts);

  // What keeps the fleet from being clean, counted by kind, for the footer.
  std::map<std::string, size_t> problems;
  if (!unfinished.empty()) problems["unfinished_interventions"] = unfinished.size();
  Json open_json = Json::array();
  for (const auto& [id, targets] : unfinished) open_json.push_back({{"intervention", id}, {"hosts", targets}});
  Json report = Json::array();
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (!hosts[i].reachable) ++problems["unreachable"];
    if (HasFindings(hosts[i].pending)) ++problems["broken_package_state"];
    const Json& reboot_failure = schema::MemberOr(hosts[i].facts, "reboot_failure");
    if (reboot_failure.is_object()) ++problems["failed_reboots"];
    for (Json& d : hosts[i].deploys) {
      auto it = majority.find(d["name"]);
      bool drifted = d["drift"].is_object() && !schema::BoolOr(d["drift"], "identical", true);
      // Identical means running the majority's tree, as it is: a release
      // whose files were changed does not hold its tree any more.
      bool identical = d["tree"].is_string() && it != majority.end() && it->second == d["tree"] && !drifted;
      d["majority_tree"] = it == majority.end() ? Json(nullptr) : Json(it->second);
      d["identical"] = identical;
      const Json& failed = schema::MemberOr(d, "failed");
      if (drifted) ++problems["drift"];
      if (!drifted && !identical && d["live"].is_string()) ++problems["other_tree"];
      if (!d["live"].is_string()) ++problems["no_live_release"];
      if (failed.is_array() && !failed.empty()) ++problems["failed_releases"];
      if (!d["error"].is_null()) ++problems["deploy_errors"];
    }
    report.push_back({{"host", session.hosts[i]}, {"reachable", hosts[i].reachable},
                      {"error", hosts[i].error.empty() ? Json(nullptr) : Json(hosts[i].error)}, {"deploys", hosts[i].deploys},
                      {"reboot_required", hosts[i].facts.value("reboot_required", Json(nullptr))},
                      {"reboot_failure", reboot_failure.is_object() ? reboot_failure : Json(nullptr)},
                      {"pending_security", hosts[i].pending}});
  }
  bool clean = problems.empty();
  Json problems_json = Json::object();
  for (const auto& [what, count] : problems) problems_json[what] = count;
  if (options.format == OutputFormat::kJson) {
    PrintJson(env.out, {{"hosts", report}, {"clean", clean}, {"problems", problems_json}, {"unfinished", open_json}});
    return clean ? kExitOk : kExitFailed;
  }
  Table table({"HOST", "DEPLOY", "LIVE", "TREE", "IDENTICAL", "DRIFT", "SECURITY UPDATES", "REBOOT", "ERROR"});
  std::string details;
  std::string notes;
  for (size_t i = 0; i < hosts.size(); ++i) {
    const Json& facts = hosts[i].facts;
    std::string reboot = FactsRebootCell(facts);
    if (const Json& failure = schema::MemberOr(facts, "reboot_failure"); failure.is_object()) {
      notes += TerminalSafe("note: " + session.hosts[i] + ": the reboot that intervention " + schema::StringOr(failure, "intervention") +
                            " asked for did not happen: " + schema::StringOr(failure, "error")) + "\n";
    }
    std::string pending = PendingText(hosts[i].pending);
    if (!hosts[i].reachable) table.AddRow({session.hosts[i], "-", "-", "-", "-", "-", "-", "-", hosts[i].error});
    if (hosts[i].reachable && hosts[i].deploys.empty()) table.AddRow({session.hosts[i], "-", "-", "-", "-", "-", pending, reboot, "-"});
    for (const Json& d : hosts[i].deploys) {
      bool drifted = d["drift"].is_object() && !schema::BoolOr(d["drift"], "identical", true);
      std::string identical = d["identical"] == true           ? "yes"
                              : drifted                        ? "NO (drift)"
                              : d["majority_tree"].is_null()   ? "no majority"
                                                               : "NO";
      const Json& failed = schema::MemberOr(d, "failed");
      if (failed.is_array() && !failed.empty() && failed[0].is_string()) {
        notes += TerminalSafe("note: " + session.hosts[i] + " " + schema::StringOr(d, "name") + ": the release " +
                              Short(failed[0].get<std::string>()) + " failed its hook and is kept in failed/ (the previous one is live); " +
                              "the next successful push removes it") + "\n";
      }
      table.AddRow({session.hosts[i], d["name"], d["live"].is_string() ? Short(d["live"]) : "-",
                    d["tree"].is_string() ? Short(d["tree"]) : "-", d["live"].is_string() ? identical : "-",
                    DriftText(d["drift"]), pending, reboot, d["error"].is_string() ? d["error"].get<std::string>() : "-"});
      notes += DriftNotes(session.hosts[i] + " " + schema::StringOr(d, "name"), d["drift"]);
      if ((options.verbose || env.verbosity > 0) && d["drift"].is_object() && !schema::BoolOr(d["drift"], "identical", true)) {
        for (auto [key, mark] : {std::pair{"added", "+"}, std::pair{"modified", "~"}, std::pair{"removed", "-"}}) {
          const Json& paths = schema::MemberOr(d["drift"], key);
          for (size_t p = 0; paths.is_array() && p < paths.size(); ++p) {
            details += "  " + TerminalSafe(session.hosts[i] + " " + schema::StringOr(d, "name") + ": " + mark + " " +
                                           (paths[p].is_string() ? paths[p].get<std::string>() : "?")) +
                       "\n";
          }
        }
      }
    }
  }
  table.Print(env.out);
  // What is wrong with a host's packages, and what to do (the agent's words).
  for (size_t i = 0; i < hosts.size(); ++i) {
    const Json& findings = schema::MemberOr(hosts[i].pending, "findings");
    for (size_t f = 0; findings.is_array() && f < findings.size(); ++f) {
      env.out << TerminalSafe(session.hosts[i] + ": " + schema::StringOr(findings[f], "message") + ": " +
                              schema::StringOr(findings[f], "fix"))
              << "\n";
    }
  }
  if (!details.empty()) env.out << "drift (+ added, ~ changed, - removed):\n" << details;
  env.out << notes;
  for (const auto& [id, targets] : unfinished) {
    env.out << "unfinished intervention " << id << " on";
    for (const std::string& host : targets) env.out << " " << host;
    env.out << ": no end record, what it did may not be journaled (daybook journal reconcile)\n";
  }
  // Owed, not wrong: said on its own line, not counted as a problem.
  std::string owed;
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (schema::MemberOr(hosts[i].facts, "reboot_required") == true) owed += (owed.empty() ? "" : ", ") + session.hosts[i];
  }
  if (!owed.empty()) {
    env.out << TerminalSafe("reboot required: " + owed + " (a push with reboot = \"if-required\" reboots them, in its batches)") << "\n";
  }
  if (clean) {
    env.out << "all hosts identical, no drift\n";
  } else {
    std::string said;
    // JSON keys are identifiers; the line says them in words.
    static const std::map<std::string, std::string> words = {
        {"unfinished_interventions", "unfinished interventions"}, {"broken_package_state", "broken package state"},
        {"other_tree", "a tree other than the majority's"},       {"no_live_release", "deploys with no live release"},
        {"failed_releases", "failed releases set aside"},           {"deploy_errors", "deploy errors"},
        {"failed_reboots", "failed reboots"}};
    for (const auto& [what, count] : problems) {
      auto word = words.find(what);
      said += (said.empty() ? "" : ", ") + (word == words.end() ? what : word->second) + " (" + std::to_string(count) + ")";
    }
    env.out << "attention: " << said << "\n";
  }
  return clean ? kExitOk : kExitFailed;
}

}  // namespace

void AddStatusCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("status", "Deployed commits, tree identity across the fleet, drift, reboot");
  auto options = std::make_shared<StatusOptions>();
  AddConnectFlags(*command, options->connect);
  command->add_flag("--verbose,-v", options->verbose, "List the drifted files");
  AddOutputOption(*command, options->format);
  command->footer("IDENTICAL compares each host's tree id with the one most targeted hosts run for that deploy.\n"
                  "DRIFT counts files of `current` changed (~), added (+) or removed (-) since the deploy.\n"
                  "What each agent answered is journaled as it signed it (host.observed; docs/journal.md).\n"
                  "Exit codes: 0 all reachable, identical and without drift, 1 otherwise, 2 bad input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunStatus(env, global, *options); });
}

}  // namespace daybook::controller
