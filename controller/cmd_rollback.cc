// daybook rollback DEPLOY --target EXPR [--to COMMIT] [--ticket ID] [--yes]:
// puts each targeted host's `current` back on its last-known-good release
// (or the named one, which the host must still keep), runs the deploy's
// `after` hook, and switches forward again if the hook fails. Journaled
// like a push. Exit 0 all hosts ok, 1 any failure, 2 bad input.
#include <istream>
#include <ostream>

#include "controller/commands.h"
#include "controller/deploy_host.h"
#include "controller/fanout.h"
#include "controller/intervention.h"
#include "controller/output.h"
#include "controller/reconcile.h"
#include "core/schema/json_reader.h"
#include "controller/prepared_manifest.h"
#include "core/base/strings.h"

namespace daybook::controller {
namespace {

using protocol::Json;

struct RollbackOptions {
  std::string deploy;
  std::string to;
  std::string ticket;
  bool yes = false;
  ConnectFlags connect;
  OutputFormat format = OutputFormat::kText;
};

struct HostRollback {
  HostOutcome outcome;
  std::optional<crypto::Ed25519Public> agent_key;
  Json result = nullptr;
};

HostRollback RollbackHost(AgentClient& client, const inventory::Host& host, const AnswerBinding& binding,
                          const RollbackOptions& options) {
  HostRollback run;
  Result<std::unique_ptr<transport::Connection>> connection = ConnectAgent(client, host);
  if (!connection) {
    run.outcome = {"unreachable", connection.error().message, Json::object(), std::nullopt};
    return run;
  }
  run.agent_key = (*connection)->host_key();
  Json request = BindRequest({{"type", "deploy.rollback"}, {"name", options.deploy}, {"to", options.to}}, binding, host.name);
  Result<SignedAnswer> answer = AgentClient::CallSigned(**connection, request, std::chrono::minutes(15));
  Status bound = answer ? CheckAnswerBinding(answer->body, binding, host.name) : Status(answer.error());
  if (!bound) {
    run.outcome = {"failed", bound.error().message, Json::object(), std::nullopt};
    return run;
  }
  run.result = answer->body;
  ReadRollbackResult(run.result, run.outcome);
  run.outcome.answer = std::move(*answer);
  return run;
}

int RunRollback(Env& env, const GlobalOptions& global, RollbackOptions& options) {
  if (!IsValidDeployName(options.deploy)) return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "bad deploy name " + Quoted(options.deploy)));
  Result<std::unique_ptr<FleetSession>> opened = OpenFleetSession(env, global, options.connect, options.connect.target, std::string("HEAD"));
  if (!opened) return ReportError(env.err, opened.error());
  FleetSession& session = **opened;
  std::string what = "roll back " + options.deploy + " on " + std::to_string(session.hosts.size()) + " host(s) to " +
                     (options.to.empty() ? "the last-known-good release" : options.to);
  // Who acts is known before the operator is asked, and before any host is
  // contacted: an operator key allowed_signers lacks is said now.
  if (Result<journal::OperatorSigner*> op = SessionOperatorSigner(env, global, session); !op) {
    return ReportError(env.err, std::move(op).error().WithContext("nothing was done"));
  }
  if (!options.yes) {
    if (Status s = Confirm(env, what); !s) return ReportError(env.err, s.error());
  }
  // What a stopped controller left on these hosts is journaled first (reconcile.h).
  Result<ReconcileReport> reconciled = Reconcile(env, global, session, session.hosts);
  if (!reconciled) return ReportError(env.err, std::move(reconciled).error().WithContext("journal (nothing was done)"));
  PrintReconcileReport(env.err, *reconciled);

  Json fields = {{"rollback", {{"deploy", options.deploy}, {"to", options.to.empty() ? Json(nullptr) : Json(options.to)}}},
                 {"targets", session.hosts}};
  if (!options.ticket.empty()) fields["ticket"] = options.ticket;
  Result<std::unique_ptr<Intervention>> intervention = Intervention::Begin(env, global, session, std::move(fields));
  if (!intervention) return ReportError(env.err, intervention.error());

  std::vector<HostRollback> runs(session.hosts.size());
  size_t failed = 0;
  Status journal = OkStatus();
  FanOut(
      session.hosts.size(), session.parallel,
      [&](size_t i) { runs[i] = RollbackHost(*session.client, session.Host(i), (*intervention)->binding(), options); },
      [&](size_t i) {
        if (runs[i].outcome.status != "ok") ++failed;
        if (Status s = (*intervention)->RecordHost(session.Host(i), runs[i].outcome, runs[i].agent_key); !s && journal) journal = s;
      },
      [&](size_t i, const std::string& crash) {
        runs[i] = HostRollback{};
        runs[i].outcome = {"failed", crash, Json::object(), std::nullopt};
      });
  Json summary = {{"hosts", session.hosts.size()}, {"ok", session.hosts.size() - failed}, {"failed", failed}};
  if (Status s = (*intervention)->End(failed == 0 ? "completed" : "failed", summary); !s && journal) journal = s;

  if (options.format == OutputFormat::kJson) {
    Json hosts = Json::array();
    for (size_t i = 0; i < runs.size(); ++i) {
      hosts.push_back({{"host", session.hosts[i]}, {"status", runs[i].outcome.status}, {"result", runs[i].result},
                       {"error", runs[i].outcome.error.empty() ? Json(nullptr) : Json(runs[i].outcome.error)}});
    }
    PrintJson(env.out, {{"intervention", (*intervention)->id()}, {"hosts", hosts}, {"summary", summary}});
  } else {
    Table table({"HOST", "STATUS", "FROM", "TO", "RESULT", "ERROR"});
    for (size_t i = 0; i < runs.size(); ++i) {
      const Json& r = runs[i].result;
      auto commit = [&](const char* key) {
        return schema::MemberOr(r, key).is_string() ? Short(schema::StringOr(r, key)) : std::string("-");
      };
      table.AddRow({session.hosts[i], runs[i].outcome.status, commit("from"), commit("to"), schema::StringOr(r, "status", "-"),
                    runs[i].outcome.error.empty() ? "-" : runs[i].outcome.error});
    }
    table.Print(env.out);
    env.out << "intervention " << (*intervention)->id() << ": " << session.hosts.size() - failed << " of "
            << session.hosts.size() << " host(s) ok\n";
  }
  AdviseCommitPins(env, session);
  if (!journal) env.err << "daybook: error: journal: " << journal.error().message << "\n";
  return failed == 0 && journal ? kExitOk : kExitFailed;
}

}  // namespace

void AddRollbackCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand("rollback", "Put a deploy back on its last-known-good (or a named) release");
  auto options = std::make_shared<RollbackOptions>();
  command->add_option("DEPLOY", options->deploy, "Deploy name, as in the manifest's [[deploy]] name")->required();
  command->add_option("--target,-t", options->connect.target, "Target expression (required)")->option_text("EXPR")->required();
  command->add_option("--to", options->to, "Release to go back to: a commit id or unique prefix the hosts still keep")
      ->option_text("COMMIT");
  command->add_option("--ticket", options->ticket, "Change ticket recorded in the journal")->option_text("ID");
  command->add_flag("--yes,-y", options->yes, "Do not ask for confirmation (required when not on a terminal)");
  AddConnectFlags(*command, options->connect, false);
  AddOutputOption(*command, options->format);
  command->footer("Each host switches `current` to a release it still keeps (after checking its tree id) and runs\n"
                  "the deploy's `after` hook; a failing hook switches it forward again. Journaled like a push.\n"
                  "Exit codes: 0 all hosts ok, 1 any host failed or unreachable, 2 bad input or not confirmed.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunRollback(env, global, *options); });
}

}  // namespace daybook::controller
