#include "controller/reconcile.h"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include "controller/deploy_host.h"
#include "controller/fanout.h"
#include "controller/intervention.h"
#include "controller/journal_context.h"
#include "core/base/text.h"
#include "core/journal/query.h"
#include "core/journal/store.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

// Acknowledging a kept result makes the agent forget it: it asks with the
// intervention's signed begin record, as every change does (docs/agent.md).
protocol::Json AckRequest(const std::string& id, const inventory::Host& host, const journal::InterventionState& state) {
  return {{"type", "results.ack"}, {"intervention", id}, {"host", host.name}, {"begin", state.begin_line}};
}

using protocol::Json;

using States = std::map<std::string, journal::InterventionState>;

// The journal as it is now (the session's writer holds the lock).
Result<States> ReadStates(Env& env, const GlobalOptions& global) {
  Result<std::vector<journal::JournalEntry>> entries = ReadFleetJournal(env, global);
  if (!entries) return std::move(entries).error();
  return journal::InterventionStates(*entries);
}

// What one host said.
struct HostReconcile {
  bool asked = false;                 // results.list answered
  std::set<std::string> kept;         // ids it keeps
  std::set<std::string> running;      // ids it is still carrying out
  std::set<std::string> cut;          // ids a restart of the agent cut short
  std::vector<std::string> recovered; // ids journaled from its kept answers
  std::vector<std::string> unjournaled;  // ids whose kept answer the journal has only the controller's word for
  size_t acknowledged = 0;
  std::string error;
};

// The host's result for an open intervention, from its kept answer,
// journaled like a push's (Intervention::RecordHost pins and binds it).
Status Recover(Env& env, const GlobalOptions& global, FleetSession& session, transport::Connection& connection,
               const inventory::Host& host, const journal::InterventionState& state) {
  Result<SignedAnswer> answer = AgentClient::CallSigned(connection, {{"type", "results.fetch"}, {"intervention", state.id}});
  if (!answer) return std::move(answer).error();
  std::unique_ptr<Intervention> resumed = Intervention::Resume(env, global, session, state.id, state.begin_line, state.begin_seq);
  if (Status bound = CheckAnswerBinding(answer->body, resumed->binding(), host.name); !bound) return bound;
  HostOutcome outcome;
  const std::string type = schema::StringOr(answer->body, "type");
  if (type == "apply.result") {
    ReadApplyResult(answer->body, outcome);
  } else if (type == "deploy.result") {
    ReadRollbackResult(answer->body, outcome);
  } else {
    return MakeError(ErrorCode::kFailed, "kept answer of type " + Json(type).dump() + " is not a result");
  }
  outcome.details["recovered"] = true;  // journaled by reconcile, not by the command that asked
  outcome.answer = std::move(*answer);
  return resumed->RecordHost(host, outcome, connection.host_key());
}

HostReconcile ReconcileHost(Env& env, const GlobalOptions& global, FleetSession& session, const inventory::Host& host,
                            const States& states) {
  HostReconcile r;
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(*session.client, host);
  if (!connection) {
    r.error = connection.error().message;
    return r;
  }
  Result<Json> listed = AgentClient::Call(**connection, {{"type", "results.list"}});
  if (!listed) {
    r.error = "results.list: " + listed.error().message;
    return r;
  }
  r.asked = true;
  for (const Json& id : (*listed)["running"]) r.running.insert(id.get<std::string>());
  for (const Json& id_json : (*listed)["cut"]) {
    const std::string id = id_json.get<std::string>();
    r.cut.insert(id);
    // Journaled since (as unknown): the agent may forget the mark.
    auto state = states.find(id);
    if (state != states.end() && state->second.reported.count(host.name) > 0 && (*listed)["interventions"].is_array()) {
      bool kept = std::find((*listed)["interventions"].begin(), (*listed)["interventions"].end(), id_json) !=
                  (*listed)["interventions"].end();
      if (!kept) (void)AgentClient::Call(**connection, AckRequest(id, host, state->second));
    }
  }
  for (const Json& id_json : (*listed)["interventions"]) {
    const std::string id = id_json.get<std::string>();
    r.kept.insert(id);
    auto state = states.find(id);
    if (state == states.end()) continue;  // not this journal's
    bool journaled = state->second.reported.count(host.name) > 0;
    if (!journaled && state->second.ended) continue;  // closed without it: nothing can take it now
    // The journal says what the controller saw (unreachable, skipped,
    // abandoned as unknown), but the agent signed what it did: never
    // acknowledged, so never lost; said, for the operator to look at.
    if (state->second.unanswered.count(host.name) > 0) {
      r.unjournaled.push_back(id);
      continue;
    }
    if (!journaled) {
      const std::vector<std::string>& targets = state->second.targets;
      if (std::find(targets.begin(), targets.end(), host.name) == targets.end()) {
        r.error = "intervention " + id + ": " + host.name + " keeps a result for it but is not one of its targets: not journaled";
        continue;
      }
      if (Status s = Recover(env, global, session, **connection, host, state->second); !s) {
        r.error = "intervention " + id + ": " + s.error().message;
        continue;
      }
      r.recovered.push_back(id);
    }
    // Durable in the journal now: the agent may forget it.
    if (Result<Json> acked = AgentClient::Call(**connection, AckRequest(id, host, state->second)); acked) {
      ++r.acknowledged;
    }
  }
  return r;
}

// What keeps one target of an open intervention from being closed.
enum class Pending { kSkipped, kCut, kAbandoned, kOpen };
struct PendingTarget {
  Pending what = Pending::kSkipped;
  std::string why;  // kAbandoned: why it could not be asked; kOpen: the report line
};

PendingTarget Classify(const std::string& id, const std::string& target, const std::map<std::string, HostReconcile>& asked,
                       const inventory::Inventory& inventory, const ReconcileOptions& options) {
  auto it = asked.find(target);
  if (it != asked.end() && it->second.asked) {
    if (it->second.running.count(id) > 0) return {Pending::kOpen, target + " is still carrying it out; reconcile again later"};
    if (it->second.kept.count(id) > 0) return {Pending::kOpen, target + " keeps a result that could not be journaled"};
    if (it->second.cut.count(id) > 0) return {Pending::kCut, ""};  // it started, then the agent restarted
    return {Pending::kSkipped, ""};  // answered, and keeps nothing for it
  }
  const bool departed = inventory.FindHost(target) == nullptr;
  std::string why = departed ? "is no longer in the inventory"
                    : it == asked.end() ? "was not asked"
                                        : "could not be asked: " + it->second.error;
  if (options.abandon.count(target) > 0) return {Pending::kAbandoned, why};
  if (!departed && it == asked.end()) return {Pending::kOpen, target + " " + why};
  const std::string give_up = "`daybook journal reconcile --abandon-host " + target + "` gives up on its result";
  return {Pending::kOpen, target + " " + why + (departed ? " (" : " (reconcile again once it answers, or ") + give_up + ")"};
}

// Closes `state` if every target was asked or abandoned: the ones asked
// with no result are journaled as skipped, the abandoned ones as unknown,
// then intervention.end `interrupted`, signed by the operator.
Status CloseIfAsked(Env& env, const GlobalOptions& global, FleetSession& session, const journal::InterventionState& state,
                    const std::map<std::string, HostReconcile>& asked, const std::set<std::string>& recovered_hosts,
                    const ReconcileOptions& options, ReconcileReport& report) {
  std::vector<std::string> missing;
  std::vector<std::string> cut;  // started, then cut short by a restart of the agent
  std::vector<std::pair<std::string, std::string>> abandoned;  // host, why it could not be asked
  for (const std::string& target : state.targets) {
    if (state.reported.count(target) > 0 || recovered_hosts.count(target) > 0) continue;
    PendingTarget pending = Classify(state.id, target, asked, session.fleet.inventory, options);
    if (pending.what == Pending::kOpen) {
      report.still_open.push_back(state.id + ": " + pending.why);
      return OkStatus();
    }
    if (pending.what == Pending::kAbandoned) {
      abandoned.emplace_back(target, pending.why);
    } else if (pending.what == Pending::kCut) {
      cut.push_back(target);
    } else {
      missing.push_back(target);
    }
  }
  std::unique_ptr<Intervention> resumed = Intervention::Resume(env, global, session, state.id, state.begin_line, state.begin_seq);
  auto record = [&](const std::string& target, const HostOutcome& outcome) {
    const inventory::Host* host = session.fleet.inventory.FindHost(target);
    inventory::Host gone{};
    gone.name = target;
    return resumed->RecordHost(host != nullptr ? *host : gone, outcome, std::nullopt);
  };
  for (const std::string& target : missing) {
    HostOutcome outcome{"skipped",
                        "no result: the controller stopped before this host reported, and its agent keeps none "
                        "(never started, or stopped before it saved one)",
                        {{"recovered", true}}, std::nullopt};
    if (Status s = record(target, outcome); !s) return s;
  }
  for (const std::string& target : cut) {
    HostOutcome outcome{"unknown",
                        "cut short: the agent restarted while it carried this out, and saved no result, so the host "
                        "may be partly changed (`daybook status` shows what it runs now)",
                        {{"recovered", true}, {"cut_short", true}}, std::nullopt};
    if (Status s = record(target, outcome); !s) return s;
  }
  Json given_up = Json::array();
  for (const auto& [target, why] : abandoned) {
    HostOutcome outcome{"unknown",
                        "abandoned by the operator (journal reconcile --abandon-host): the host " + why +
                            ", so what it did is unknown",
                        {{"abandoned", true}}, std::nullopt};
    if (Status s = record(target, outcome); !s) return s;
    given_up.push_back(target);
  }
  std::string reason = "the controller stopped before it closed the intervention; reconciled";
  if (!abandoned.empty()) {
    reason += ", giving up on the result of " + std::to_string(abandoned.size()) + " host(s) that could not be asked";
  }
  Json summary = {{"reason", reason}, {"recovered", recovered_hosts.size()}, {"without_result", missing}};
  if (!cut.empty()) summary["cut_short"] = cut;
  if (!abandoned.empty()) summary["abandoned"] = given_up;
  if (Status s = resumed->End("interrupted", summary); !s) return s;
  report.closed.push_back(state.id);
  for (const auto& given : abandoned) report.abandoned.push_back(state.id + " " + given.first);
  return OkStatus();
}

}  // namespace

Result<ReconcileReport> Reconcile(Env& env, const GlobalOptions& global, FleetSession& session,
                                  const std::vector<std::string>& hosts, const ReconcileOptions& options) {
  {
    std::lock_guard lock(session.journal_mu);
    Result<journal::JournalWriter*> writer = SessionJournal(env, global, session);  // holds the journal lock from here
    if (!writer) return std::move(writer).error();
  }
  Result<States> states = ReadStates(env, global);
  if (!states) return std::move(states).error();

  std::vector<const inventory::Host*> targets;
  for (const std::string& name : hosts) {
    if (const inventory::Host* host = session.fleet.inventory.FindHost(name)) targets.push_back(host);
  }
  std::vector<HostReconcile> results(targets.size());
  FanOut(
      targets.size(), session.parallel, [&](size_t i) { results[i] = ReconcileHost(env, global, session, *targets[i], *states); },
      [](size_t) {}, [&](size_t i, const std::string& crash) { results[i].error = crash; });

  ReconcileReport report;
  std::map<std::string, HostReconcile> asked;
  std::map<std::string, std::set<std::string>> recovered;  // intervention -> hosts
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string& name = targets[i]->name;
    report.acknowledged += results[i].acknowledged;
    for (const std::string& id : results[i].recovered) {
      report.recovered.push_back(id + " " + name);
      recovered[id].insert(name);
    }
    if (!results[i].error.empty()) report.host_errors.push_back(name + ": " + results[i].error);
    for (const std::string& id : results[i].unjournaled) {
      report.host_errors.push_back(name + " keeps its signed result of " + id +
                                   ", which the journal records without the agent's answer (unreachable, skipped or "
                                   "abandoned): left on the host, never acknowledged; `daybook journal show "
                                   "--intervention " + id + "` says what was recorded");
    }
    asked[name] = std::move(results[i]);
  }
  for (const auto& [id, state] : *states) {
    if (state.ended) continue;
    bool involved = false;
    for (const std::string& target : state.targets) {
      involved = involved || asked.count(target) > 0 || options.abandon.count(target) > 0 ||
                 (options.include_departed && session.fleet.inventory.FindHost(target) == nullptr);
    }
    if (!involved) continue;  // none of its hosts were in reach of this command
    if (Status s = CloseIfAsked(env, global, session, state, asked, recovered[id], options, report); !s) return s.error();
  }
  return report;
}

void PrintReconcileReport(std::ostream& out, const ReconcileReport& report) {
  for (const std::string& r : report.recovered) out << "reconcile: journaled the kept result of " << r << "\n";
  for (const std::string& r : report.abandoned) out << "reconcile: gave up on the result of " << r << " (journaled unknown)\n";
  for (const std::string& id : report.closed) out << "reconcile: intervention " << id << " closed as interrupted\n";
  for (const std::string& why : report.still_open) out << "reconcile: still unfinished: " << TerminalSafe(why) << "\n";
  for (const std::string& why : report.host_errors) out << "reconcile: " << TerminalSafe(why) << "\n";
}

}  // namespace daybook::controller
