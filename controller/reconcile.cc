#include "controller/reconcile.h"

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
  std::vector<std::string> recovered; // ids journaled from its kept answers
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
  for (const Json& id_json : (*listed)["interventions"]) {
    const std::string id = id_json.get<std::string>();
    r.kept.insert(id);
    auto state = states.find(id);
    if (state == states.end()) continue;  // not this journal's
    bool journaled = state->second.reported.count(host.name) > 0;
    if (!journaled && state->second.ended) continue;  // closed without it: nothing can take it now
    if (!journaled) {
      if (Status s = Recover(env, global, session, **connection, host, state->second); !s) {
        r.error = "intervention " + id + ": " + s.error().message;
        continue;
      }
      r.recovered.push_back(id);
    }
    // Durable in the journal now: the agent may forget it.
    if (Result<Json> acked = AgentClient::Call(**connection, {{"type", "results.ack"}, {"intervention", id}}); acked) {
      ++r.acknowledged;
    }
  }
  return r;
}

// Closes `state` if every target was asked: the ones with no result are
// journaled as skipped, then intervention.end `interrupted`.
Status CloseIfAsked(Env& env, const GlobalOptions& global, FleetSession& session, const journal::InterventionState& state,
                    const std::map<std::string, HostReconcile>& asked, const std::set<std::string>& recovered_hosts,
                    ReconcileReport& report) {
  std::vector<std::string> missing;
  for (const std::string& target : state.targets) {
    if (state.reported.count(target) > 0 || recovered_hosts.count(target) > 0) continue;
    auto it = asked.find(target);
    if (it == asked.end() || !it->second.asked) {
      report.still_open.push_back(state.id + ": " + target + " " +
                                  (it == asked.end() ? "was not asked" : "could not be asked: " + it->second.error));
      return OkStatus();
    }
    if (it->second.running.count(state.id) > 0) {
      report.still_open.push_back(state.id + ": " + target + " is still carrying it out; reconcile again later");
      return OkStatus();
    }
    if (it->second.kept.count(state.id) > 0) {
      report.still_open.push_back(state.id + ": " + target + " keeps a result that could not be journaled");
      return OkStatus();
    }
    missing.push_back(target);
  }
  std::unique_ptr<Intervention> resumed = Intervention::Resume(env, global, session, state.id, state.begin_line, state.begin_seq);
  for (const std::string& target : missing) {
    const inventory::Host* host = session.fleet.inventory.FindHost(target);
    inventory::Host gone{};
    gone.name = target;
    HostOutcome outcome{"skipped",
                        "no result: the controller stopped before this host reported, and its agent keeps none "
                        "(never started, or stopped before it saved one)",
                        {{"recovered", true}}, std::nullopt};
    if (Status s = resumed->RecordHost(host != nullptr ? *host : gone, outcome, std::nullopt); !s) return s;
  }
  Json summary = {{"reason", "the controller stopped before it closed the intervention; reconciled"},
                  {"recovered", recovered_hosts.size()}, {"without_result", missing}};
  if (Status s = resumed->End("interrupted", summary); !s) return s;
  report.closed.push_back(state.id);
  return OkStatus();
}

}  // namespace

Result<ReconcileReport> Reconcile(Env& env, const GlobalOptions& global, FleetSession& session,
                                  const std::vector<std::string>& hosts) {
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
    asked[name] = std::move(results[i]);
  }
  for (const auto& [id, state] : *states) {
    if (state.ended) continue;
    bool involved = false;
    for (const std::string& target : state.targets) involved = involved || asked.count(target) > 0;
    if (!involved) continue;  // none of its hosts were in reach of this command
    if (Status s = CloseIfAsked(env, global, session, state, asked, recovered[id], report); !s) return s.error();
  }
  return report;
}

void PrintReconcileReport(std::ostream& out, const ReconcileReport& report) {
  for (const std::string& r : report.recovered) out << "reconcile: journaled the kept result of " << r << "\n";
  for (const std::string& id : report.closed) out << "reconcile: intervention " << id << " closed as interrupted\n";
  for (const std::string& why : report.still_open) out << "reconcile: still unfinished: " << TerminalSafe(why) << "\n";
  for (const std::string& why : report.host_errors) out << "reconcile: " << TerminalSafe(why) << "\n";
}

}  // namespace daybook::controller
