// daybook journal show | export: the journal as a table, JSON, JSONL or CSV,
// filtered by host, operator, ticket, intervention, time range and record
// type (journal_filter.cc).
#include <ostream>
#include <set>

#include "controller/commands.h"
#include "controller/journal_commands.h"
#include "controller/output.h"
#include "controller/patch_client.h"
#include "core/base/strings.h"
#include "core/journal/export.h"
#include "core/journal/note.h"
#include "core/journal/observation.h"
#include "core/journal/record.h"
#include "core/journal/summary.h"
#include "core/journal/verify.h"
#include "core/schema/json_reader.h"

namespace daybook::controller {
namespace {

std::string Str(const journal::Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// "alice@devteam (SHA256:...)": the person allowed_signers named when the
// record was signed, and the key; the key alone for older records.
std::string Operator(const journal::Json& r) {
  return Str(r, "principal").empty() ? Str(r, "operator") : Str(r, "principal") + " (" + Str(r, "operator") + ")";
}

// One line of detail per record type, for the table.
std::string Detail(const journal::JournalEntry& e) {
  const journal::Json& r = e.record;
  std::string type = Str(r, "type");
  if (journal::IsTombstone(r)) return "(payload pruned, leaf hash kept)";
  if (type == journal::kInterventionBegin) {
    std::string what;
    if (r.contains("manifest") && r["manifest"].is_object()) {
      what = " manifest=" + Str(r["manifest"], "path") + "@" + Str(r["manifest"], "commit").substr(0, 12);
    } else if (r.contains("rollback") && r["rollback"].is_object()) {
      std::string to = Str(r["rollback"], "to");
      what = " rollback=" + Str(r["rollback"], "deploy") + " to=" + (to.empty() ? "last-good" : to);
    } else if (r.contains("bootstrap") && r["bootstrap"].is_object()) {
      what = " bootstrap=" + Str(r["bootstrap"], "package") + "_" + Str(r["bootstrap"], "version");
    }
    std::string out = "operator=" + Operator(r) + what +
                      " targets=" + std::to_string(r.value("targets", journal::Json::array()).size());
    if (!Str(r, "ticket").empty()) out += " ticket=" + Str(r, "ticket");
    if (schema::BoolOr(r, "override_window")) out += " override_window";
    return out;
  }
  if (type == journal::kHostResult) {
    // The summary, then the error, joined by "; ".
    std::vector<std::string> parts;
    if (std::string summary = journal::HostResultSummary(r); !summary.empty()) parts.push_back(summary);
    if (std::string error = Str(r, "error"); !error.empty()) parts.push_back(error);
    return Join(parts, "; ");
  }
  if (type == journal::kInterventionEnd) return "outcome=" + Str(r, "outcome") + (Str(r, "reason").empty() ? "" : " reason=" + Str(r, "reason"));
  if (type == journal::kHostKeyPinned) {
    std::string by = Str(r, "operator").empty() ? "" : " by " + Operator(r);
    return "pinned " + Str(r, "fingerprint") + " for " + Str(r, "address") + ":" + r.value("port", journal::Json(0)).dump() + by;
  }
  if (type == journal::kHostObserved) {
    Result<journal::Observed> observed = journal::ReadObservation(r);
    return observed ? journal::ObservationSummary(*observed) : "unreadable observation";
  }
  if (type == journal::kHostAccess) return journal::AccessSummary(r);
  if (type == journal::kRetentionPrune) {
    return "cutoff=" + Str(r, "cutoff") + " upto_seq=" + r.value("upto_seq", journal::Json(nullptr)).dump();
  }
  return "";
}

struct ShowOptions {
  FilterFlags filter;
  JournalLocation where;
  OutputFormat format = OutputFormat::kText;
};

struct ExportFlags {
  FilterFlags filter;
  JournalLocation where;
  std::string format = "jsonl";
  std::string delimiter = ",";
  std::string proof;  // csv: where its JSONL proof goes
};

Result<std::vector<journal::JournalEntry>> Load(Env& env, const GlobalOptions& global, const JournalLocation& where,
                                                journal::JournalFiles& files, JournalContext* resolved = nullptr) {
  Result<JournalContext> context = ResolveJournal(env, global, where, {true, false});
  if (!context) return std::move(context).error();
  if (resolved != nullptr) *resolved = *context;
  Result<journal::JournalFiles> read = journal::ReadJournalFiles(env.fs, context->dir);
  if (!read) return std::move(read).error();
  files = std::move(*read);
  return journal::ReadEntries(files);
}

int RunShow(Env& env, const GlobalOptions& global, const ShowOptions& options) {
  Result<journal::JournalFilter> filter = MakeFilter(options.filter);
  if (!filter) return ReportError(env.err, filter.error());
  journal::JournalFiles files;
  JournalContext context;
  Result<std::vector<journal::JournalEntry>> entries = Load(env, global, options.where, files, &context);
  if (!entries) return ReportError(env.err, entries.error());
  if (Status known = CheckFilterValues(*filter, *entries); !known) return ReportError(env.err, known.error());
  // Interventions with no end record: their begin rows say so (issue 15).
  const std::vector<std::string> unfinished = journal::UnfinishedInterventions(*entries);
  const std::set<std::string> open_ids(unfinished.begin(), unfinished.end());
  // The size a checkpoint claims counts only under its signature: unsigned,
  // anyone could raise it over records they added.
  // Without a verifier key the checkpoint's claim is shown as claimed, and
  // a note says it was not checked; with a key that does not verify it,
  // nothing is sealed.
  const bool have_vkey = !context.vkeys.empty();
  const bool checkpoint_verified = have_vkey && journal::OpenNote(files.checkpoint, context.vkeys).ok();
  if (have_vkey && !checkpoint_verified) {
    for (journal::JournalEntry& e : *entries) e.sealed = false;
  }
  // Records past the checkpoint are not sealed: a crash between write and
  // seal, or lines added by someone without the journal key. Shown, marked.
  std::vector<int64_t> unsealed;
  for (const journal::JournalEntry& e : *entries) {
    if (!e.sealed && journal::Matches(*filter, e)) unsealed.push_back(e.seq);
  }
  if (options.format == OutputFormat::kJson) {
    nlohmann::json records = nlohmann::json::array();
    for (const journal::JournalEntry& e : *entries) {
      if (journal::Matches(*filter, e)) records.push_back(e.record);
    }
    PrintJson(env.out, {{"filters", filter->ToJson()}, {"records", records}, {"unsealed_seqs", unsealed},
                        {"checkpoint_verified", checkpoint_verified}, {"unfinished", unfinished}});
    return kExitOk;
  }
  Table table({"SEQ", "TIME (UTC)", "TYPE", "INTERVENTION", "HOST", "STATUS", "DETAIL"});
  size_t shown = 0;
  for (const journal::JournalEntry& e : *entries) {
    if (!journal::Matches(*filter, e)) continue;
    std::string status = Str(e.record, "status").empty() ? "-" : Str(e.record, "status");
    if (Str(e.record, "type") == journal::kInterventionBegin && open_ids.count(Str(e.record, "intervention")) > 0) status = "unfinished";
    std::string host = Str(e.record, "host").empty() ? "-" : Str(e.record, "host");
    std::string detail = (e.sealed ? "" : "UNSEALED ") + Detail(e);
    table.AddRow({std::to_string(e.seq) + (e.sealed ? "" : "*"), Str(e.record, "ts"), Str(e.record, "type"), Str(e.record, "intervention"),
                  host, status, detail.empty() ? "-" : detail});
    ++shown;
  }
  table.Print(env.out);
  env.out << shown << " of " << entries->size() << " records (filters: " << filter->Describe() << ")\n";
  PrintUnfinished(env.out, unfinished);
  if (!have_vkey && !entries->empty()) {
    env.out << "note: no verifier key (pass --vkey journal.vkey): the checkpoint's claim of which records are "
               "sealed was not checked; run `daybook journal verify` before trusting them\n";
  }
  if (have_vkey && !checkpoint_verified && !entries->empty()) {
    env.out << "warning: the checkpoint's signature does not verify with the given key, so no record shown is known "
               "to be sealed; run `daybook journal verify`\n";
  } else if (!unsealed.empty()) {
    env.out << "* " << unsealed.size() << " record(s) shown are not sealed by the journal key (seq "
            << journal::FormatSeqRanges(unsealed)
            << "): written by a command that did not finish, or by someone without the key; "
               "run `daybook journal verify`\n";
  }
  return kExitOk;
}

int RunExport(Env& env, const GlobalOptions& global, const ExportFlags& flags) {
  Result<journal::JournalFilter> filter = MakeFilter(flags.filter);
  if (!filter) return ReportError(env.err, filter.error());
  if (flags.format == "csv" && flags.proof.empty()) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput,
                                          "--format csv needs --proof FILE: the JSONL proof written beside the CSV, which "
                                          "`daybook journal verify-export FILE.csv --proof FILE` checks it against"));
  }
  if (flags.format != "csv" && !flags.proof.empty()) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "--proof is for --format csv: a JSONL export is its own proof"));
  }
  if (flags.delimiter.size() != 1 || !journal::IsCsvDelimiter(flags.delimiter[0])) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "--delimiter must be one of , ; | or a tab"));
  }
  journal::JournalFiles files;
  JournalContext context;
  Result<std::vector<journal::JournalEntry>> entries = Load(env, global, flags.where, files, &context);
  if (!entries) return ReportError(env.err, entries.error());
  if (Status known = CheckFilterValues(*filter, *entries); !known) return ReportError(env.err, known.error());
  // The export commits to its selection with the journal key (export.h).
  Result<journal::NoteSigner> signer = LoadSigningKey(env, context);
  if (!signer) return ReportError(env.err, std::move(signer).error().WithContext("an export is signed with the journal key"));
  journal::ExportOptions options{*filter, flags.delimiter[0]};
  if (flags.format != "csv") {
    Result<std::string> out = journal::ExportJsonl(files, options, *signer);
    if (!out) return ReportError(env.err, out.error());
    env.out << *out;
    return kExitOk;
  }
  Result<journal::CsvExport> out = journal::ExportCsv(files, options, *signer);
  if (!out) return ReportError(env.err, out.error());
  std::filesystem::path proof = std::filesystem::path(flags.proof).is_absolute() ? std::filesystem::path(flags.proof) : env.cwd / flags.proof;
  if (Status written = env.fs.WriteFileAtomic(proof, out->proof, 0644); !written) return ReportError(env.err, written.error());
  env.out << out->csv;
  return kExitOk;
}

}  // namespace

void AddLocationFlags(CLI::App& command, JournalLocation& where, bool with_signers) {
  command.add_option("--journal", where.journal_dir, "Journal directory (default: the fleet's, from daybook.toml)")
      ->option_text("DIR");
  command.add_option("--vkey", where.vkeys, "Checkpoint verifier key, or a file holding one (default: journal.vkey)")
      ->option_text("KEY");
  if (with_signers) {
    command.add_option("--allowed-signers", where.allowed_signers, "Operators allowed to act (default: the fleet's)")
        ->option_text("FILE");
  }
}

void AddJournalReadCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* show = journal.add_subcommand("show", "Show journal records as a table or JSON");
  auto show_options = std::make_shared<ShowOptions>();
  AddFilterFlags(*show, show_options->filter);
  AddLocationFlags(*show, show_options->where, false);
  AddOutputOption(*show, show_options->format);
  show->callback([&env, &global, &exit_code, show_options] { exit_code = RunShow(env, global, *show_options); });

  CLI::App* exp = journal.add_subcommand("export", "Export records for auditors (JSONL or CSV), checkable offline");
  auto flags = std::make_shared<ExportFlags>();
  exp->add_option("--format", flags->format, "jsonl (the leaf lines) or csv (one row per host result)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  exp->add_option("--delimiter", flags->delimiter, "CSV delimiter: , (default) ; | or a tab (';' where the comma is the decimal separator)");
  exp->add_option("--proof", flags->proof, "csv: write the JSONL proof of its rows to FILE (required with csv)")
      ->option_text("FILE");
  AddFilterFlags(*exp, flags->filter);
  AddLocationFlags(*exp, flags->where, false);
  exp->footer("A JSONL export states its filters, carries the signed checkpoint and lists every leaf hash,\n"
              "so `daybook journal verify-export FILE` catches a removed or altered line. A CSV export is plain\n"
              "rows for a spreadsheet (header first, no record JSON); its proof is the JSONL export of the same\n"
              "records, and `daybook journal verify-export FILE.csv --proof PROOF` checks every cell against it.");
  exp->callback([&env, &global, &exit_code, flags] { exit_code = RunExport(env, global, *flags); });
}

}  // namespace daybook::controller
