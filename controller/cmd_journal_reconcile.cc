// daybook journal reconcile [--target EXPR] [--abandon-host HOST]...:
// collects the signed results that agents kept for interventions the
// journal left open (a controller killed, a machine dead mid-push),
// journals them with the agents' signatures, and closes those
// interventions as `interrupted` (reconcile.h). A target that cannot be
// asked (unreachable, or gone from the inventory) keeps its intervention
// open unless the operator gives up on its result with --abandon-host:
// journaled `unknown`, and the operator-signed end record names it. push
// and rollback do the same for their own hosts first, never abandoning.
// Exit 0 nothing left open, 1 an intervention stays open (a host could not
// be asked, or is still carrying it out), 2 bad input or journal error.
#include <ostream>
#include <set>

#include "controller/commands.h"
#include "controller/journal_commands.h"
#include "controller/output.h"
#include "controller/reconcile.h"
#include "core/journal/query.h"
#include "core/journal/store.h"

namespace daybook::controller {
namespace {

struct ReconcileFlags {
  ConnectFlags connect;
  std::vector<std::string> abandon;
};

// The hosts to ask: every target of every open intervention (as its begin
// record names them) that the inventory has, narrowed by --target, and
// those --abandon-host names (each asked first: one that answers is
// reconciled as usual). kInvalidInput for an --abandon-host no open
// intervention waits for: a typo must not pass for "nothing to give up".
Result<std::vector<std::string>> OpenTargets(Env& env, const GlobalOptions& global, const FleetSession& session,
                                             const std::set<std::string>& abandon) {
  Result<std::vector<journal::JournalEntry>> entries = ReadFleetJournal(env, global);
  if (!entries) return std::move(entries).error();
  std::set<std::string> wanted(session.hosts.begin(), session.hosts.end()), targets, waited_for;
  for (const auto& [id, state] : journal::InterventionStates(*entries)) {
    if (state.ended) continue;
    for (const std::string& host : state.targets) {
      if (state.reported.count(host) == 0) waited_for.insert(host);
      bool known = session.fleet.inventory.FindHost(host) != nullptr;
      if (known && (wanted.count(host) > 0 || abandon.count(host) > 0)) targets.insert(host);
    }
  }
  for (const std::string& host : abandon) {
    if (waited_for.count(host) == 0) {
      return MakeError(ErrorCode::kInvalidInput, "--abandon-host " + host + ": no unfinished intervention waits for a result from " + host);
    }
  }
  return std::vector<std::string>(targets.begin(), targets.end());
}

int RunReconcile(Env& env, const GlobalOptions& global, const ReconcileFlags& flags) {
  // The fleet as committed, like push: these are operator-signed records.
  Result<std::unique_ptr<FleetSession>> opened = OpenFleetSession(
      env, global, flags.connect, flags.connect.target.empty() ? "all" : flags.connect.target, std::string("HEAD"));
  if (!opened) return ReportError(env.err, opened.error());
  FleetSession& session = **opened;
  ReconcileOptions options;
  options.include_departed = flags.connect.target.empty();  // --target selects inventory hosts only
  options.abandon = std::set<std::string>(flags.abandon.begin(), flags.abandon.end());
  Result<std::vector<std::string>> hosts = OpenTargets(env, global, session, options.abandon);
  if (!hosts) return ReportError(env.err, hosts.error());
  // Giving up on a result is the operator's word, in the end record they
  // sign: who that is, is known before any host is contacted.
  if (!options.abandon.empty()) {
    if (Result<journal::OperatorSigner*> op = SessionOperatorSigner(env, global, session); !op) {
      return ReportError(env.err, std::move(op).error().WithContext("nothing was done"));
    }
  }
  Result<ReconcileReport> report = Reconcile(env, global, session, *hosts, options);
  if (!report) return ReportError(env.err, report.error());
  PrintReconcileReport(env.out, *report);
  env.out << report->recovered.size() << " result(s) recovered, " << report->closed.size()
          << " intervention(s) closed as interrupted, " << report->still_open.size() << " still unfinished, "
          << report->acknowledged << " kept result(s) acknowledged";
  if (!report->abandoned.empty()) env.out << ", " << report->abandoned.size() << " host result(s) given up as unknown";
  env.out << "\n";
  AdviseCommitPins(env, session);
  return report->still_open.empty() ? kExitOk : kExitFailed;
}

}  // namespace

void PrintUnfinished(std::ostream& out, const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  out << "warning: " << ids.size() << " unfinished intervention(s), with no intervention.end:";
  for (const std::string& id : ids) out << " " << id;
  out << "\n  a controller stopped before it closed them (or one is running now): `daybook journal reconcile`"
         " journals what their hosts kept and closes them\n";
}

void AddJournalReconcileCommand(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = journal.add_subcommand(
      "reconcile", "Journal the results agents kept for unfinished interventions, and close them as interrupted");
  auto flags = std::make_shared<ReconcileFlags>();
  AddConnectFlags(*command, flags->connect);
  command->add_option("--abandon-host", flags->abandon,
                      "Give up on this target's result when it cannot be asked (unreachable, or gone from the "
                      "inventory): journaled unknown, so its interventions can close (repeatable)")
      ->option_text("HOST");
  command->footer("Asks every target of every intervention with no end record (narrowed by --target) for the\n"
                  "signed results it kept, journals them with the agent's signature, acknowledges them, and\n"
                  "closes each intervention whose targets all answered as `interrupted` (targets with no result\n"
                  "are journaled as skipped). push and rollback do this for their own hosts first.\n"
                  "A target that cannot be asked (unreachable, or no longer in the inventory: the targets are\n"
                  "the begin record's) keeps its intervention open until --abandon-host HOST gives up on its\n"
                  "result: journaled as `unknown` (it may have done anything), named in the end record you sign.\n"
                  "Exit codes: 0 nothing left unfinished, 1 an intervention stays unfinished (a host could not\n"
                  "be asked, or is still carrying it out), 2 bad input or the journal cannot be written.");
  command->callback([&env, &global, &exit_code, flags] { exit_code = RunReconcile(env, global, *flags); });
}

}  // namespace daybook::controller
