// daybook report [--html FILE] [--since T] [--until T] [--output json]:
// for auditors and the customers they answer to, the journal verified and
// read (report_model.h): interventions with operators and tickets, each
// host's live release, security patch latency, reboots owed. `--html`
// writes one self-contained page (report_html.h); without it, a summary.
// Works from the fleet repository or, for an auditor with only the journal,
// with --journal, --vkey and --allowed-signers. Exit 0 when the journal
// verifies, 1 when it does not (the report still says so, and says why),
// 2 on bad input.
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "controller/commands.h"
#include "controller/journal_commands.h"
#include "controller/output.h"
#include "controller/report_html.h"
#include "controller/report_model.h"
#include "core/base/text.h"
#include "core/journal/verify.h"

namespace daybook::controller {
namespace {

namespace fs = std::filesystem;
using journal::Json;

struct ReportOptions {
  JournalLocation where;
  std::string html, since, until;
  OutputFormat format = OutputFormat::kText;
};

Result<std::optional<TimePoint>> TimeFlag(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::optional<TimePoint>();
  std::optional<TimePoint> t = ParseTimeArg(text);
  if (!t) return MakeError(ErrorCode::kInvalidInput, flag + " " + text + ": expected 2026-11-01 or 2026-11-01T08:00:00Z (UTC)");
  return t;
}

// Every string from the journal is escaped: a deploy or host name an agent
// chose, or a verify message quoting a record, cannot move the cursor or
// clear the screen to print a verdict of its own.
void PrintSummary(std::ostream& out, const Json& r) {
  const Json& v = r["verification"];
  const Json& lat = r["patch_latency"];
  auto days = [](const Json& d) {
    if (!d.is_number()) return std::string("-");
    char text[32];
    std::snprintf(text, sizeof text, "%.2f days", d.get<double>());
    return std::string(text);
  };
  out << (v["ok"] == true ? "journal verified: " : "journal verification FAILED: ") << v["records"].get<int64_t>() << " records";
  if (v["ok"] != true) out << ": " << TerminalSafe(v["code"].get<std::string>() + ": " + v["message"].get<std::string>());
  out << "\n";
  if (v["operators_checked"] != true) {
    out << "note: operator identities were NOT checked: no allowed_signers (pass --allowed-signers FILE)\n";
  }
  if (r["report"]["counted_records"] != v["records"]) {
    out << "note: the figures below are read from the first " << r["report"]["counted_records"].get<size_t>()
        << " records only: those sealed by the checkpoint, before anything that failed\n";
  }
  out << "interventions: " << r["interventions"].size() << "\nhosts on record: " << r["hosts"].size() << "\n";
  for (const Json& d : r["deploys"]) {
    out << "deploy " << TerminalSafe(d["name"].get<std::string>()) << ": "
        << (d["identical"] == true ? "the same tree on every host" : "hosts run different trees") << "\n";
  }
  out << "security patch latency: median " << days(lat["median_days"]) << ", worst " << days(lat["worst_days"]) << " over "
      << lat["applied"].get<size_t>() << " applied; " << lat["open"].get<size_t>() << " still pending";
  if (lat["open_worst_days"].is_number()) out << " (longest " << days(lat["open_worst_days"]) << ")";
  out << "\nreboots owed: " << r["reboots_owed"].size();
  for (const Json& h : r["reboots_owed"]) {
    out << (&h == &r["reboots_owed"][0] ? " (" : ", ") << TerminalSafe(h["host"].get<std::string>()) << " since "
        << (h["since"].is_string() ? h["since"].get<std::string>().substr(0, 10) : std::string("?"));
  }
  out << (r["reboots_owed"].empty() ? "" : ")") << "\n";
  const Json& access = r["access"];
  out << "access: " << access["logins"].get<int64_t>() << " host logins on " << access["hosts_collected"].get<int64_t>()
      << " host(s) collected, " << access["unexplained"].get<int64_t>() << " unexplained, " << access["gaps"].get<int64_t>()
      << " gap(s) in the agents' logs";
  if (access["unread"].get<int64_t>() > 0) out << "; logins NOT read on " << access["unread"].get<int64_t>() << " host(s)";
  out << "\n";
}

int RunReport(Env& env, const GlobalOptions& global, const ReportOptions& options) {
  Result<std::optional<TimePoint>> since = TimeFlag("--since", options.since);
  Result<std::optional<TimePoint>> until = TimeFlag("--until", options.until);
  if (!since) return ReportError(env.err, since.error());
  if (!until) return ReportError(env.err, until.error());
  fs::path html = options.html.empty() ? fs::path()
                  : fs::path(options.html).is_absolute() ? fs::path(options.html) : env.cwd / options.html;
  if (!html.empty() && !env.fs.Exists(html.parent_path())) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "--html " + options.html + ": the folder " +
                                                                         html.parent_path().string() + " does not exist"));
  }
  Result<JournalContext> context = ResolveJournal(env, global, options.where, {true, true});
  if (!context) return ReportError(env.err, context.error());
  Result<journal::JournalFiles> files = journal::ReadJournalFiles(env.fs, context->dir);
  if (!files) return ReportError(env.err, files.error());
  journal::VerifyOptions verify;
  verify.vkeys = context->vkeys;
  verify.allowed_signers = context->allowed_signers;
  verify.now = env.clock.Now();
  journal::VerifyReport verified = journal::VerifyJournal(*files, verify);
  // A journal that does not verify is reported as such, from what can be
  // read; one that cannot be read at all has nothing to report.
  Result<std::vector<journal::JournalEntry>> entries = journal::ReadEntries(*files);
  if (!entries) return ReportError(env.err, std::move(entries).error().WithContext("journal"));
  // Figures come only from what verified: records under the signed
  // checkpoint, before the first bad one. A tail nobody sealed, or records
  // past a failure, are not read as facts.
  size_t counted = std::min<size_t>(entries->size(), static_cast<size_t>(std::max<int64_t>(0, verified.sealed)));
  if (!verified.ok() && verified.seq >= 0) counted = std::min<size_t>(counted, static_cast<size_t>(verified.seq));
  entries->resize(counted);
  Json report = BuildReport({&*entries, &verified, *since, *until, env.clock.Now()});
  report["report"]["counted_records"] = counted;
  int code = verified.ok() ? kExitOk : kExitFailed;
  if (!html.empty()) {
    std::string page = RenderReportHtml(report);
    if (Status written = env.fs.WriteFileAtomic(html, page, 0644); !written) return ReportError(env.err, written.error());
    if (options.format == OutputFormat::kText) env.err << "wrote " << options.html << " (" << page.size() << " bytes)\n";
  }
  if (options.format == OutputFormat::kJson) {
    PrintJson(env.out, report);
  } else {
    PrintSummary(env.out, report);
  }
  return code;
}

}  // namespace

void AddReportCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* command = app.add_subcommand(
      "report",
      "For auditors: the journal verified, interventions, releases, security patch latency, reboots owed, host access");
  auto options = std::make_shared<ReportOptions>();
  command->add_option("--html", options->html, "Write one self-contained HTML page (no network, printable) to FILE")
      ->option_text("FILE");
  command->add_option("--since", options->since, "Interventions and logins from this UTC time (2026-11-01 or 2026-11-01T08:00:00Z)")
      ->option_text("TIME");
  command->add_option("--until", options->until, "The state as of this UTC time (default: now)")->option_text("TIME");
  AddLocationFlags(*command, options->where, true);
  AddOutputOption(*command, options->format);
  command->footer(
      "Security patch latency runs from when an agent first reported an update pending (status, plan, or\n"
      "the push's own plan) to the result that installed it, or the first report without it.\n"
      "Host access comes from `daybook access collect`: each login a host logged, and whether an intervention\n"
      "on that host (or a change its agent was carrying out) covered it; the others are unexplained.\n"
      "Exit codes: 0 the journal verifies, 1 it does not (the report says why), 2 bad input.");
  command->callback([&env, &global, &exit_code, options] { exit_code = RunReport(env, global, *options); });
}

}  // namespace daybook::controller
