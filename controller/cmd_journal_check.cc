// daybook journal verify | prove | verify-proof | verify-export | prune:
// what auditors run, offline, and the retention prune.
#include <ostream>

#include "controller/commands.h"
#include "controller/fleet.h"
#include "controller/journal_commands.h"
#include "controller/operator_signer.h"
#include "controller/output.h"
#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/journal/export.h"
#include "core/journal/proof.h"
#include "core/journal/record.h"
#include "core/journal/verify.h"

namespace daybook::controller {
namespace {

namespace fs = std::filesystem;

constexpr int kExitFork = 3;

struct VerifyFlags {
  JournalLocation where;
  std::string state;
  bool require_sealed = false;  // the default now; kept so old scripts still run
  bool crashed = false;
  int min_retention_days = 0;   // 0: the state file's, else 365
  OutputFormat format = OutputFormat::kText;
};

std::string B64(const journal::Hash& h) { return crypto::Base64Encode(h.data(), h.size()); }

nlohmann::json ReportJson(const journal::VerifyReport& r) {
  nlohmann::json doc = {{"ok", r.ok()}, {"code", std::string(journal::CodeName(r.code))}, {"message", r.message},
                        {"records", r.records}, {"sealed", r.sealed}, {"root", B64(r.root)},
                        {"operator_signatures", r.operator_signatures}, {"agent_signatures", r.agent_signatures},
                        {"pruned", r.tombstones}, {"access_gaps", r.access_gaps}, {"seq", nullptr}, {"offset", nullptr},
                        {"operators_checked", r.operators_checked}, {"legacy_records", r.legacy_records},
                        {"crash_tail", r.crash_tail}, {"pruned_since_state", r.newly_pruned}, {"vkey", r.vkey},
                        {"warnings", r.warnings}};
  if (r.seq >= 0) doc["seq"] = r.seq;
  if (r.offset >= 0) doc["offset"] = r.offset;
  if (!r.previous_checkpoint.empty() && !r.ok()) {
    nlohmann::json proof = nlohmann::json::array();
    for (const journal::Hash& h : r.consistency) proof.push_back(B64(h));
    doc["evidence"] = {{"previous_checkpoint", r.previous_checkpoint}, {"checkpoint", r.checkpoint},
                       {"consistency_proof", proof}};
  }
  return doc;
}

// What was not checked, said plainly: an auditor reads a pass as "all of it".
void PrintLimits(std::ostream& out, const journal::VerifyReport& r) {
  if (!r.operators_checked) {
    out << "note: operator identities were NOT checked: no allowed_signers (pass --allowed-signers FILE); "
           "operator signatures were only checked to be sound\n";
  }
  if (r.legacy_records > 0) {
    out << "note: " << r.legacy_records << " record(s) were written before journal format 2 and have the older "
           "guarantees: their agent signatures are checked against the key they carry, not a pinned one, and do "
           "not bind host, intervention or outcome; their host pins and prunes are not operator-signed\n";
  }
  for (const std::string& w : r.warnings) out << "warning: " << w << "\n";
}

void PrintReport(std::ostream& out, const journal::VerifyReport& r) {
  if (r.ok()) {
    out << "journal verified: " << r.records << " records, " << r.sealed << " sealed by the checkpoint (root "
        << B64(r.root) << ", key " << r.vkey << "), " << r.operator_signatures << " operator signatures, "
        << r.agent_signatures << " agent signatures, " << r.tombstones << " pruned payloads\n";
    if (r.newly_pruned > 0) out << r.newly_pruned << " payload(s) pruned since the state file's checkpoint, under sealed prune records\n";
    if (r.access_gaps > 0) {
      out << "note: " << r.access_gaps << " access gap(s): host.access records where an agent's access log was edited, "
             "cut or replaced before it was collected (`daybook journal show --type host.access` says where)\n";
    }
    PrintLimits(out, r);
    return;
  }
  bool fork = r.ExitCode() == kExitFork;
  const char* verdict = fork ? "HISTORY CHANGED"
                        : r.code == journal::VerifyCode::kSignerNotAllowed ? "SIGNER NOT ALLOWED"
                        : r.code == journal::VerifyCode::kUnsealedTail     ? "NOT SEALED"
                                                                            : "TAMPERED";
  out << "journal " << verdict << ": " << journal::CodeName(r.code);
  if (r.seq >= 0) out << " at seq " << r.seq;
  if (r.offset >= 0) out << " (byte offset " << r.offset << " of records.jsonl)";
  out << ": " << r.message << "\n";
  if (fork || (!r.previous_checkpoint.empty() && r.code == journal::VerifyCode::kPrunedOutsidePolicy)) {
    out << "\nEvidence. Checkpoint verified before (from the state file):\n" << r.previous_checkpoint
        << "\nCheckpoint now:\n" << r.checkpoint;
    if (!r.consistency.empty()) {
      out << "\nConsistency proof from the old size to the new one (it does not verify):\n";
      for (const journal::Hash& h : r.consistency) out << "  " << B64(h) << "\n";
    }
  }
}

int RunVerify(Env& env, const GlobalOptions& global, const VerifyFlags& flags) {
  Result<JournalContext> context = ResolveJournal(env, global, flags.where, {true, true});
  if (!context) return ReportError(env.err, context.error());
  Result<journal::JournalFiles> files = journal::ReadJournalFiles(env.fs, context->dir);
  if (!files) return ReportError(env.err, files.error());
  journal::VerifyOptions options;
  options.vkeys = context->vkeys;
  options.allowed_signers = context->allowed_signers;
  options.crashed = flags.crashed;
  options.now = env.clock.Now();
  fs::path state_path = flags.state.empty() ? fs::path() : (fs::path(flags.state).is_absolute() ? fs::path(flags.state) : env.cwd / flags.state);
  // The state file is written after a successful verification: a folder
  // that is not there would turn a verified journal into a failed command.
  if (!state_path.empty() && !env.fs.Exists(state_path.parent_path())) {
    return ReportError(env.err, MakeError(ErrorCode::kInvalidInput,
                                          "--state " + state_path.string() + ": the folder " +
                                              state_path.parent_path().string() + " does not exist; create it first"));
  }
  if (!state_path.empty() && env.fs.Exists(state_path)) {
    Result<std::string> text = env.fs.ReadFile(state_path);
    if (!text) return ReportError(env.err, text.error());
    Result<journal::VerifierState> state = journal::ParseState(*text);
    if (!state) return ReportError(env.err, std::move(state).error().WithContext(state_path.string()));
    options.state = *state;
  }
  // The minimum retention is the auditor's: the flag, else what the state
  // file recorded, else a year. Never what the journal's records say.
  options.min_retention_days = flags.min_retention_days > 0 ? flags.min_retention_days
                               : options.state && options.state->min_retention_days > 0 ? options.state->min_retention_days
                                                                                         : journal::kDefaultMinRetentionDays;
  journal::VerifyReport report = journal::VerifyJournal(*files, options);
  // A sound journal can still say less than what happened: interventions
  // with no end record are listed, a warning (exit 0: the journal is
  // intact, and a push running now has no end yet either).
  std::vector<std::string> unfinished;
  if (report.ok()) {
    if (Result<std::vector<journal::JournalEntry>> entries = journal::ReadEntries(*files); entries) {
      unfinished = journal::UnfinishedInterventions(*entries);
    }
  }
  if (flags.format == OutputFormat::kJson) {
    nlohmann::json json = ReportJson(report);
    json["unfinished"] = unfinished;
    PrintJson(env.out, json);
  } else {
    PrintReport(report.ok() ? env.out : env.err, report);
    PrintUnfinished(env.out, unfinished);
  }
  // The state moves forward only after a successful verification.
  if (report.ok() && !state_path.empty() && report.sealed > 0) {
    journal::VerifierState next{report.origin, report.sealed, report.root, report.checkpoint, report.vkey,
                                options.min_retention_days, report.pruned, report.day_starts};
    Status saved = env.fs.WriteFileAtomic(state_path, journal::FormatState(next), 0644);
    if (!saved) return ReportError(env.err, saved.error());
    if (options.state && options.state->vkey.empty() && flags.format != OutputFormat::kJson) {
      env.out << "note: the state file pinned no checkpoint key before; it pins " << report.vkey << " from now on\n";
    }
  }
  return report.ExitCode();
}

struct ProveFlags {
  JournalLocation where;
  int64_t seq = -1;
  std::string out;
};

int RunProve(Env& env, const GlobalOptions& global, const ProveFlags& flags) {
  Result<JournalContext> context = ResolveJournal(env, global, flags.where, {true, false});
  if (!context) return ReportError(env.err, context.error());
  Result<journal::JournalFiles> files = journal::ReadJournalFiles(env.fs, context->dir);
  if (!files) return ReportError(env.err, files.error());
  Result<std::string> proof = journal::MakeProof(*files, flags.seq);
  if (!proof) return ReportError(env.err, proof.error());
  if (flags.out.empty()) {
    env.out << *proof;
    return kExitOk;
  }
  fs::path out = fs::path(flags.out).is_absolute() ? fs::path(flags.out) : env.cwd / flags.out;
  if (Status s = env.fs.WriteFileAtomic(out, *proof, 0644); !s) return ReportError(env.err, s.error());
  env.out << "wrote an inclusion proof of record " << flags.seq << " to " << flags.out << "\n";
  return kExitOk;
}

struct CheckFileFlags {
  JournalLocation where;
  std::string file;
  std::string proof;  // verify-export of a CSV: its JSONL proof
};

int RunVerifyProof(Env& env, const GlobalOptions& global, const CheckFileFlags& flags, bool is_export) {
  Result<JournalContext> context = ResolveJournal(env, global, flags.where, {false, true});
  if (!context) return ReportError(env.err, context.error());
  fs::path path = fs::path(flags.file).is_absolute() ? fs::path(flags.file) : env.cwd / flags.file;
  Result<std::string> text = env.fs.ReadFile(path);
  if (!text) return ReportError(env.err, text.error());
  if (is_export) {
    std::optional<std::string> proof;
    if (!flags.proof.empty()) {
      Result<std::string> read = env.fs.ReadFile(fs::path(flags.proof).is_absolute() ? fs::path(flags.proof) : env.cwd / flags.proof);
      if (!read) return ReportError(env.err, read.error());
      proof = *read;
    } else if (!StartsWith(*text, "{")) {
      return ReportError(env.err, MakeError(ErrorCode::kInvalidInput,
                                            flags.file + " is not a JSONL export; a CSV export is checked against the proof "
                                            "written with it: --proof FILE"));
    }
    Result<journal::ExportCheck> check =
        proof ? journal::CheckCsvExport(*text, *proof, context->vkeys) : journal::CheckExport(*text, context->vkeys);
    if (!check) return ReportError(env.err, check.error());
    env.out << "export verified: " << check->exported << " record(s) exported, none removed or altered; "
            << check->not_exported << " record(s) not exported, out of " << check->size
            << " sealed; the selection (filters: " << check->filters << ") is signed by the journal key\n";
    if (check->pruned > 0) {
      env.out << check->pruned << " of the exported record(s) were already pruned when exported: only their leaf hash "
              << "is left (their time and type are not covered)\n";
    }
    return kExitOk;
  }
  Result<journal::ProvenRecord> proven = journal::CheckProof(*text, context->vkeys);
  if (!proven) return ReportError(env.err, proven.error());
  env.out << "proof verified: record " << proven->seq << " is in the journal sealed at " << proven->size
          << " records\n" << proven->record << "\n";
  return kExitOk;
}

struct PruneFlags {
  std::string before;
  int window_days = 365;
};

// A prune is the operator's act: signed like an intervention.
Result<std::unique_ptr<journal::OperatorSigner>> PruneSigner(Env& env, const JournalContext& context) {
  if (!context.fleet_root || !context.allowed_signers) {
    return MakeError(ErrorCode::kInvalidInput, "no allowed_signers in the fleet: nobody may prune its journal");
  }
  if (env.runner == nullptr) return MakeError(ErrorCode::kInternal, "no process runner for the operator signer");
  Result<FleetConfig> config = LoadFleetConfig(env.fs, *context.fleet_root);
  if (!config) return std::move(config).error();
  return MakeOperatorSigner(*env.runner, env.fs, *config, *context.allowed_signers,
                            {env.ssh_auth_sock, env.home, *context.fleet_root / ".daybook"}, env.clock.Now());
}

int RunPrune(Env& env, const GlobalOptions& global, const PruneFlags& flags) {
  Result<JournalContext> context = ResolveJournal(env, global, {}, {true, false});
  if (!context) return ReportError(env.err, context.error());
  Result<journal::NoteSigner> signer = LoadSigningKey(env, *context);
  if (!signer) return ReportError(env.err, signer.error());
  TimePoint cutoff = env.clock.Now() - std::chrono::days(flags.window_days);
  if (!flags.before.empty()) {
    std::optional<TimePoint> before = ParseTimeArg(flags.before);
    if (!before) {
      return ReportError(env.err, MakeError(ErrorCode::kInvalidInput, "--before " + Quoted(flags.before) +
                                                                          ": expected 2026-01-31 or 2026-01-31T08:00:00Z (UTC)"));
    }
    cutoff = *before;
  }
  journal::WriterOptions options{context->dir, *signer, context->origin,
                                 context->allowed_signers.value_or(crypto::AllowedSigners{})};
  Result<std::unique_ptr<journal::OperatorSigner>> op = PruneSigner(env, *context);
  if (!op) return ReportError(env.err, op.error());
  Result<std::unique_ptr<journal::JournalWriter>> writer = journal::JournalWriter::Open(env.fs, env.clock, options);
  if (!writer) return ReportError(env.err, writer.error());
  Result<journal::Appended> pruned = (*writer)->Prune(cutoff, flags.window_days, op->get());
  if (!pruned) return ReportError(env.err, pruned.error());
  journal::Json record = *journal::ParseCanonical(pruned->line);
  env.out << "pruned payloads of records up to seq " << journal::IntField(record, "upto_seq").value_or(-1) << " (older than "
          << journal::FormatTimestamp(cutoff) << "); recorded as seq " << pruned->seq << "\n";
  return kExitOk;
}

}  // namespace

void AddJournalCheckCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* verify = journal.add_subcommand("verify", "Recompute and check everything; detect tampering and rewrites");
  auto vflags = std::make_shared<VerifyFlags>();
  AddLocationFlags(*verify, vflags->where, true);
  verify->add_option("--state", vflags->state, "Auditor state file: read, and updated after success")->option_text("FILE");
  verify->add_flag("--require-sealed", vflags->require_sealed, "Fail when records follow the last checkpoint (the default)");
  verify->add_flag("--crashed", vflags->crashed,
                   "Inspect a crashed journal: records after the checkpoint that the writer's signed intent names "
                   "are reported, not failed (foreign ones still fail)");
  verify->add_option("--min-retention-days", vflags->min_retention_days,
                     "Minimum retention this audit requires (default: the state file's, else 365)")
      ->check(CLI::Range(1, 36500));
  AddOutputOption(*verify, vflags->format);
  verify->footer(
      "Checks canonical records, seq and time order, stored hashes, the checkpoint's root and signature,\n"
      "operator SSHSIG signatures against allowed_signers (--allowed-signers outside a fleet), agent\n"
      "signatures against the key the journal pins for the host and every field they bind, retention\n"
      "tombstones against sealed, signed prunes and the auditor's minimum retention, and that nothing\n"
      "follows the last checkpoint. --state pins the checkpoint, its key and origin, and the payloads seen.\n"
      "Exit codes: 0 verified, 1 tampered, not sealed or signer not allowed (code, first bad seq, byte\n"
      "offset), 2 usage or I/O error, 3 history rewritten or rolled back, or key or origin changed, since\n"
      "the checkpoint in --state (both checkpoints printed).\n"
      "Codes: BAD_CANONICAL BAD_RECORD SEQ_GAP TIME_ORDER LEAF_MISMATCH ROOT_MISMATCH BAD_CHECKPOINT_SIG\n"
      "BAD_CHECKPOINT UNSEALED_TAIL FOREIGN_RECORDS BAD_OPERATOR_SIG SIGNER_NOT_ALLOWED BAD_AGENT_SIG\n"
      "PRUNED_OUTSIDE_POLICY ROLLBACK FORK KEY_CHANGED.");
  verify->callback([&env, &global, &exit_code, vflags] { exit_code = RunVerify(env, global, *vflags); });

  CLI::App* prove = journal.add_subcommand("prove", "Write an inclusion proof of one record");
  auto pflags = std::make_shared<ProveFlags>();
  prove->add_option("--seq", pflags->seq, "The record's seq")->required()->check(CLI::NonNegativeNumber);
  prove->add_option("--out", pflags->out, "Output file (default: stdout)")->option_text("FILE");
  AddLocationFlags(*prove, pflags->where, false);
  prove->callback([&env, &global, &exit_code, pflags] { exit_code = RunProve(env, global, *pflags); });

  for (bool is_export : {false, true}) {
    CLI::App* check = journal.add_subcommand(is_export ? "verify-export" : "verify-proof",
                                             is_export ? "Check an export offline: nothing removed or altered"
                                                       : "Check an inclusion proof offline");
    auto cflags = std::make_shared<CheckFileFlags>();
    check->add_option("FILE", cflags->file, is_export ? "An export" : "A proof file")->required();
    if (is_export) {
      check->add_option("--proof", cflags->proof, "A CSV export's proof (written by export --proof)")->option_text("FILE");
    }
    AddLocationFlags(*check, cflags->where, false);
    check->footer("Exit codes: 0 verified, 1 rejected, 2 usage or I/O error.");
    check->callback([&env, &global, &exit_code, cflags, is_export] {
      exit_code = RunVerifyProof(env, global, *cflags, is_export);
    });
  }

  CLI::App* prune = journal.add_subcommand("prune", "Replace expired payloads by their hashes (retention)");
  auto rflags = std::make_shared<PruneFlags>();
  prune->add_option("--before", rflags->before, "Prune records older than this (default: now - window)")->option_text("DATE");
  prune->add_option("--window-days", rflags->window_days, "Retention window in days (default 365)")->check(CLI::Range(1, 36500));
  prune->footer("Records inside the window are never pruned. The prune is itself a journal record, and\n"
                "`journal verify` still passes after it: the leaf hashes stay.");
  prune->callback([&env, &global, &exit_code, rflags] { exit_code = RunPrune(env, global, *rflags); });
}

void AddJournalCommand(CLI::App& app, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* journal = app.add_subcommand("journal", "The intervention journal: show, export, verify, prove, prune, reconcile");
  journal->require_subcommand(1);
  AddJournalReadCommands(*journal, env, global, exit_code);
  AddJournalCheckCommands(*journal, env, global, exit_code);
  AddJournalReconcileCommand(*journal, env, global, exit_code);
}

}  // namespace daybook::controller
