// daybook journal verify | prove | verify-proof | verify-export | prune:
// what auditors run, offline, and the retention prune.
#include <ostream>

#include "controller/commands.h"
#include "controller/journal_commands.h"
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
  bool require_sealed = false;
  OutputFormat format = OutputFormat::kText;
};

std::string B64(const journal::Hash& h) { return crypto::Base64Encode(h.data(), h.size()); }

nlohmann::json ReportJson(const journal::VerifyReport& r) {
  nlohmann::json doc = {{"ok", r.ok()}, {"code", std::string(journal::CodeName(r.code))}, {"message", r.message},
                        {"records", r.records}, {"sealed", r.sealed}, {"root", B64(r.root)},
                        {"operator_signatures", r.operator_signatures}, {"agent_signatures", r.agent_signatures},
                        {"pruned", r.tombstones}, {"seq", nullptr}, {"offset", nullptr}};
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

void PrintReport(std::ostream& out, const journal::VerifyReport& r) {
  if (r.ok()) {
    out << "journal verified: " << r.records << " records, " << r.sealed << " sealed by the checkpoint (root "
        << B64(r.root) << "), " << r.operator_signatures << " operator signatures, " << r.agent_signatures
        << " agent signatures, " << r.tombstones << " pruned payloads\n";
    if (r.records > r.sealed) out << "warning: " << r.records - r.sealed << " record(s) after the last checkpoint\n";
    return;
  }
  bool fork = r.ExitCode() == kExitFork;
  out << "journal " << (fork ? "HISTORY CHANGED" : "TAMPERED") << ": " << journal::CodeName(r.code);
  if (r.seq >= 0) out << " at seq " << r.seq;
  if (r.offset >= 0) out << " (byte offset " << r.offset << " of records.jsonl)";
  out << ": " << r.message << "\n";
  if (fork) {
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
  journal::VerifyOptions options{context->vkeys, context->allowed_signers, flags.require_sealed, std::nullopt};
  fs::path state_path = flags.state.empty() ? fs::path() : (fs::path(flags.state).is_absolute() ? fs::path(flags.state) : env.cwd / flags.state);
  if (!state_path.empty() && env.fs.Exists(state_path)) {
    Result<std::string> text = env.fs.ReadFile(state_path);
    if (!text) return ReportError(env.err, text.error());
    Result<journal::VerifierState> state = journal::ParseState(*text);
    if (!state) return ReportError(env.err, std::move(state).error().WithContext(state_path.string()));
    options.state = *state;
  }
  journal::VerifyReport report = journal::VerifyJournal(*files, options);
  if (flags.format == OutputFormat::kJson) {
    PrintJson(env.out, ReportJson(report));
  } else {
    PrintReport(report.ok() ? env.out : env.err, report);
  }
  // The state moves forward only after a successful verification.
  if (report.ok() && !state_path.empty() && report.sealed > 0) {
    std::string origin = Split(report.checkpoint, '\n')[0];
    Status saved = env.fs.WriteFileAtomic(state_path, journal::FormatState({origin, report.sealed, report.root, report.checkpoint}), 0644);
    if (!saved) return ReportError(env.err, saved.error());
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
};

int RunVerifyProof(Env& env, const GlobalOptions& global, const CheckFileFlags& flags, bool is_export) {
  Result<JournalContext> context = ResolveJournal(env, global, flags.where, {false, true});
  if (!context) return ReportError(env.err, context.error());
  fs::path path = fs::path(flags.file).is_absolute() ? fs::path(flags.file) : env.cwd / flags.file;
  Result<std::string> text = env.fs.ReadFile(path);
  if (!text) return ReportError(env.err, text.error());
  if (is_export) {
    Result<journal::ExportCheck> check = journal::CheckExport(*text, context->vkeys);
    if (!check) return ReportError(env.err, check.error());
    env.out << "export verified: " << check->exported << " record(s) exported, none removed or altered, out of "
            << check->size << " sealed (filters: " << check->filters << ")\n";
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
  Result<std::unique_ptr<journal::JournalWriter>> writer = journal::JournalWriter::Open(env.fs, env.clock, options);
  if (!writer) return ReportError(env.err, writer.error());
  Result<journal::Appended> pruned = (*writer)->Prune(cutoff, flags.window_days);
  if (!pruned) return ReportError(env.err, pruned.error());
  journal::Json record = *journal::ParseCanonical(pruned->line);
  env.out << "pruned payloads of records up to seq " << record["upto_seq"] << " (older than "
          << journal::FormatTimestamp(cutoff) << "); recorded as seq " << pruned->seq << "\n";
  return kExitOk;
}

}  // namespace

void AddJournalCheckCommands(CLI::App& journal, Env& env, const GlobalOptions& global, int& exit_code) {
  CLI::App* verify = journal.add_subcommand("verify", "Recompute and check everything; detect tampering and rewrites");
  auto vflags = std::make_shared<VerifyFlags>();
  AddLocationFlags(*verify, vflags->where, true);
  verify->add_option("--state", vflags->state, "Auditor state file: read, and updated after success")->option_text("FILE");
  verify->add_flag("--require-sealed", vflags->require_sealed, "Fail when records follow the last checkpoint");
  AddOutputOption(*verify, vflags->format);
  verify->footer(
      "Checks canonical records, seq and time order, stored hashes, the checkpoint's root and signature,\n"
      "operator SSHSIG signatures against allowed_signers, agent signatures and retention tombstones.\n"
      "Exit codes: 0 verified, 1 tampered (code, first bad seq, byte offset), 2 usage or I/O error,\n"
      "3 history rewritten or rolled back since the checkpoint in --state (both checkpoints printed).\n"
      "Codes: BAD_CANONICAL BAD_RECORD SEQ_GAP TIME_ORDER LEAF_MISMATCH ROOT_MISMATCH BAD_CHECKPOINT_SIG\n"
      "BAD_CHECKPOINT UNSEALED_TAIL BAD_OPERATOR_SIG BAD_AGENT_SIG PRUNED_OUTSIDE_POLICY ROLLBACK FORK.");
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
  CLI::App* journal = app.add_subcommand("journal", "The intervention journal: show, export, verify, prove, prune");
  journal->require_subcommand(1);
  AddJournalReadCommands(*journal, env, global, exit_code);
  AddJournalCheckCommands(*journal, env, global, exit_code);
}

}  // namespace daybook::controller
