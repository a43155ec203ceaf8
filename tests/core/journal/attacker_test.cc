// The cases of issue 14 ("What was seen"), written as the intrusion tester
// wrote them: someone with write access to the fleet repository (the journal
// directory) and no key. Each attack once fooled `journal verify` or
// `verify-export`; each must now be caught. Where the attack needs a seal,
// the stronger variant (the journal key holder re-sealing it) is tried too,
// to show the check does not rest on the seal alone.
#include <doctest/doctest.h>

#include "core/journal/export.h"
#include "core/journal/intent.h"
#include "tests/core/journal/attack_fleet.h"
#include "tests/core/journal/fixture.h"
#include "tests/core/journal/tamper.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

namespace {


// A canonical host.result for the next seq, copied from seq `from`.
std::string ForgedResult(const std::vector<std::string>& lines, size_t from) {
  Json record = *ParseCanonical(lines[from]);
  record["seq"] = static_cast<int64_t>(lines.size());
  record["ts"] = "2026-11-01T01:00:00.000Z";
  return Canonical(record);
}

}  // namespace

TEST_CASE("attack: a host.result appended by hand is never sealed, and verify names it") {
  Fleet fleet;
  VerifierState state = fleet.State();
  std::vector<std::string> lines = fleet.Lines();
  fleet.AppendByHand(ForgedResult(lines, 2));

  // Once, verify passed this as "unsealed" (exit 0).
  VerifyReport report = fleet.Verify();
  CHECK(report.code == VerifyCode::kForeignRecords);
  CHECK(report.seq == static_cast<int64_t>(lines.size()));
  CHECK(report.ExitCode() == 1);
  VerifyOptions crashed = fleet.f.VerifyWith();
  crashed.crashed = true;  // not a crash either: foreign is foreign
  CHECK(fleet.Verify(fleet.Files(), crashed).code == VerifyCode::kForeignRecords);

  // Once, the next ordinary write sealed it. Now the writer refuses to write.
  Result<std::unique_ptr<JournalWriter>> writer = JournalWriter::Open(*fleet.fs, fleet.f.clock, fleet.f.Options());
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.error().message.find("did not write") != std::string::npos);
  CHECK(writer.error().message.find("verify --crashed") != std::string::npos);

  // Hashes recomputed by the attacker, or the writer's last intent replayed: still foreign.
  JournalFiles files = fleet.Files();
  files.hashes = Rehash(files.records).Bytes(0);
  CHECK(fleet.Verify(files).code == VerifyCode::kForeignRecords);
  VerifyOptions audit = fleet.f.VerifyWith();
  audit.state = state;
  CHECK(fleet.Verify(files, audit).code == VerifyCode::kForeignRecords);
  Result<Intent> last = OpenIntent(files.intent, fleet.f.VerifyWith().vkeys);
  REQUIRE(last.ok());  // the writer's own, for the record it appended last
  CHECK(IntendedPrefix(*last, "example.org/daybook/test", static_cast<int64_t>(lines.size()),
                       {LeafHash(ForgedResult(lines, 2))}) == 0);
  // An intent the attacker writes without the key is not one.
  Intent own{"example.org/daybook/test", static_cast<int64_t>(lines.size()), {LeafHash(ForgedResult(lines, 2))}};
  NoteSigner impostor = *GenerateNoteSigner("example.org/daybook/test");
  files.intent = SignIntent(own, impostor);
  CHECK(fleet.Verify(files).code == VerifyCode::kForeignRecords);
  WriteAll(fleet.f.dir / "intent", files.intent);
  CHECK_FALSE(JournalWriter::Open(*fleet.fs, fleet.f.clock, fleet.f.Options()).ok());

  // Once removed, the journal writes again.
  WriteAll(fleet.f.dir / "records.jsonl", JoinLines(lines));
  CHECK(JournalWriter::Open(*fleet.fs, fleet.f.clock, fleet.f.Options()).ok());
  CHECK(fleet.Verify().ok());
}

TEST_CASE("attack: a push's ok backed by the agent's bound facts (a bootstrap's proof), even re-sealed") {
  Fleet fleet;
  std::vector<std::string> lines = fleet.Lines();
  REQUIRE(lines.size() == 10);  // 6 begins i-1 (a manifest), 8 is web-02's result
  Json response = {{"type", "facts"}, {"facts", {{"agent_version", "0.1.0"}}}, {"status", "ok"}, {"intervention", "i-1"},
                   {"host", "web-02"}, {"begin", BeginHash(lines[6])}};
  crypto::Ed25519Signature sig = fleet.f.agent_key.Sign(Canonical(response));
  Json facts_ok = *ParseCanonical(lines[8]);
  facts_ok.erase("deploys");
  facts_ok["agent"] = {{"key", crypto::FormatSshPublicKey(fleet.f.agent_key.public_key())},
                       {"sig", crypto::Base64Encode(sig.data(), sig.size())}, {"response", response}};
  std::vector<std::string> forged = lines;
  forged[8] = Canonical(facts_ok);
  JournalFiles files = fleet.Files();
  Rewrite(files, forged, &fleet.f.journal_key);
  VerifyReport report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.seq == 8);
  CHECK(report.message.find("not the apply.result") != std::string::npos);
}

TEST_CASE("attack: a result copied from another host and intervention, or signed by a fresh key") {
  Fleet fleet;
  std::vector<std::string> lines = fleet.Lines();
  // lines: 0 begin i-0, 1 pin web-01, 2 result web-01, 3 pin web-02, 4 result web-02, 5 end,
  //        6 begin i-1, 7 result web-01, 8 result web-02, 9 end
  REQUIRE(lines.size() == 10);

  // web-01's signed answer from i-0, passed off as web-02's in i-1.
  Json copied = *ParseCanonical(lines[8]);
  copied["agent"] = ParseCanonical(lines[2])->at("agent");
  std::vector<std::string> forged = lines;
  forged[8] = Canonical(copied);
  JournalFiles files = fleet.Files();
  Rewrite(files, forged, &fleet.f.journal_key);  // even re-sealed by the key holder
  VerifyReport report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.seq == 8);
  CHECK(report.message.find("names host \"web-01\"") != std::string::npos);

  // The same answer re-signed for web-02 / i-1 by a freshly made key.
  crypto::Ed25519Key fresh = *crypto::Ed25519Key::Generate();
  Json fresh_record = *ParseCanonical(lines[8]);
  fresh_record["agent"] = JournalFixture::SignedAgent(fresh, "i-1", "web-02", lines[6]);
  forged = lines;
  forged[8] = Canonical(fresh_record);
  Rewrite(files, forged, &fleet.f.journal_key);
  report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.message.find("the journal pins") != std::string::npos);

  // Bound to the other intervention's begin record.
  Json other_begin = *ParseCanonical(lines[8]);
  other_begin["agent"] = JournalFixture::SignedAgent(fleet.f.agent_key, "i-1", "web-02", lines[0]);
  forged[8] = Canonical(other_begin);
  Rewrite(files, forged, &fleet.f.journal_key);
  CHECK(fleet.Verify(files).code == VerifyCode::kBadAgentSig);

  // The record says ok, the agent said failed.
  Json failed = *ParseCanonical(lines[8]);
  failed["agent"] = JournalFixture::SignedAgent(fleet.f.agent_key, "i-1", "web-02", lines[6], "failed");
  forged[8] = Canonical(failed);
  Rewrite(files, forged, &fleet.f.journal_key);
  report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.message.find("the record says ok") != std::string::npos);

  // A change the agent did not report.
  Json changed = *ParseCanonical(lines[8]);
  changed["deploys"][0]["to"] = std::string(40, 'e');
  forged[8] = Canonical(changed);
  Rewrite(files, forged, &fleet.f.journal_key);
  CHECK(fleet.Verify(files).code == VerifyCode::kBadAgentSig);

  // A result for a host whose key the journal never pinned.
  Json unpinned = *ParseCanonical(lines[8]);
  unpinned["host"] = "db-01";
  unpinned["agent"] = JournalFixture::SignedAgent(fleet.f.agent_key, "i-1", "db-01", lines[6]);
  forged[8] = Canonical(unpinned);
  Rewrite(files, forged, &fleet.f.journal_key);
  report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.message.find("host.key_pinned record for host db-01") != std::string::npos);

  // As the attacker without the key would try it: appended by hand. Foreign.
  fleet.AppendByHand(ForgedResult(forged, 8));
  CHECK(fleet.Verify().code == VerifyCode::kForeignRecords);
}

TEST_CASE("attack: a sealed begin replaced by its tombstone, plus a 0-day prune record") {
  Fleet fleet;
  VerifierState state = fleet.State();
  std::vector<std::string> lines = fleet.Lines();
  Hash leaf = LeafHash(lines[6]);
  std::vector<std::string> pruned = lines;
  pruned[6] = Canonical(MakeTombstone(*ParseCanonical(lines[6]), crypto::HexEncode(leaf.data(), 32)));
  Json prune = {{"v", 2}, {"seq", static_cast<int64_t>(lines.size())}, {"type", "journal.retention_prune"},
                {"ts", "2026-11-01T01:00:00.000Z"}, {"nonce", std::string(32, '0')},
                {"cutoff", "2026-11-01T01:00:00.000Z"}, {"upto_seq", 9}, {"pruned_seqs", "6"}, {"window_days", 0},
                {"origin", "example.org/daybook/test"}};
  pruned.push_back(Canonical(prune));

  // The attacker: records and hashes rewritten, no key. The prune record
  // cannot be made (a v2 prune needs an operator's signature, a v1 one may
  // not follow v2 records), and would not be sealed.
  JournalFiles files = fleet.Files();
  Rewrite(files, pruned, nullptr);
  VerifyOptions audit = fleet.f.VerifyWith();
  audit.state = state;
  CHECK(fleet.Verify(files, audit).code == VerifyCode::kBadRecord);
  // Without it, the tombstone alone: the auditor's state shows the payload was there.
  std::vector<std::string> tombstone_only(pruned.begin(), pruned.end() - 1);
  Rewrite(files, tombstone_only, nullptr);
  VerifyReport report = fleet.Verify(files, audit);
  CHECK(report.code == VerifyCode::kPrunedOutsidePolicy);
  CHECK(report.seq == 6);
  CHECK(report.previous_checkpoint == state.checkpoint);  // evidence: what the auditor saw
  CHECK(report.message.find("was present when this journal was last verified") != std::string::npos);
  CHECK(fleet.Verify(files).code == VerifyCode::kPrunedOutsidePolicy);  // no state: still no sealed prune

  // Re-sealed by the key holder: the prune is unsigned, and inside the auditor's year.
  Rewrite(files, pruned, &fleet.f.journal_key);
  report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kBadRecord);  // a v2 prune needs operator + op_sig
  KeyOperatorSigner op(fleet.f.operator_key);
  prune["operator"] = crypto::SshFingerprint(fleet.f.operator_key.public_key());
  prune["op_sig"] = *op.Sign(Canonical(prune));
  pruned.back() = Canonical(prune);
  Rewrite(files, pruned, &fleet.f.journal_key);
  report = fleet.Verify(files);
  CHECK(report.code == VerifyCode::kPrunedOutsidePolicy);
  CHECK(report.message.find("minimum retention of 365 days") != std::string::npos);
  VerifyOptions lax = fleet.f.VerifyWith();
  lax.min_retention_days = 1;  // the record's own 0-day window never decides
  CHECK(fleet.Verify(files, lax).code == VerifyCode::kPrunedOutsidePolicy);
}

TEST_CASE("attack: export rows deleted with their marks flipped, or filters rewritten") {
  Fleet fleet;
  JournalFiles files = fleet.Files();
  std::vector<NoteVerifier> vkeys = fleet.f.VerifyWith().vkeys;
  ExportOptions options;
  options.filter.host = "web-02";
  std::string out = *ExportJsonl(files, options, fleet.f.journal_key);
  Result<ExportCheck> good = CheckExport(out, vkeys);
  REQUIRE_MESSAGE(good.ok(), good.error().message);
  CHECK(good->not_exported == good->size - good->exported);

  // Delete the line of seq 8 and flip its mark from exported to not exported.
  std::string cut = out;
  size_t row = cut.find("\"seq\":8,");
  REQUIRE(row != std::string::npos);
  size_t start = cut.rfind('\n', row) + 1;
  cut.erase(start, cut.find('\n', start) + 1 - start);
  std::string hex = crypto::HexEncode(LeafHash(testing::Lines(files.records)[8]).data(), 32);
  size_t mark = cut.find(hex + "+");
  REQUIRE(mark != std::string::npos);
  cut[mark + 64] = '-';
  Result<ExportCheck> check = CheckExport(cut, vkeys);
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("differ from the signed selection") != std::string::npos);

  // Rewrite the filters to claim another selection.
  std::string refiltered = out;
  refiltered.replace(refiltered.find("\"describe\":\"host=web-02\""), 24, "\"describe\":\"host=web-01\"");
  check = CheckExport(refiltered, vkeys);
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("filters differ") != std::string::npos);

  // A CSV whose proof lost the begin records its rows refer to.
  Result<CsvExport> csv = ExportCsv(files, ExportOptions{}, fleet.f.journal_key);
  REQUIRE(csv.ok());
  REQUIRE(CheckCsvExport(csv->csv, csv->proof, vkeys).ok());
  Json header = *ParseCanonical(csv->proof.substr(0, csv->proof.find('\n')));
  header["daybook_export"]["begins"] = Json::array();
  check = CheckCsvExport(csv->csv, Canonical(header) + csv->proof.substr(csv->proof.find('\n')), vkeys);
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("needs the intervention.begin") != std::string::npos);
  // The proof of another selection (web-01's results) for web-02's rows.
  ExportOptions web01;
  web01.filter.host = "web-01";
  ExportOptions web02;
  web02.filter.host = "web-02";
  Result<CsvExport> one = ExportCsv(files, web01, fleet.f.journal_key), two = ExportCsv(files, web02, fleet.f.journal_key);
  check = CheckCsvExport(two->csv, one->proof, vkeys);
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("in the proof") != std::string::npos);
}

TEST_CASE("attack: an agent's signed result journaled twice, or after its intervention's end") {
  Fleet fleet;
  JournalFiles files = fleet.Files();
  std::vector<std::string> lines = testing::Lines(files.records);
  size_t result = 0;
  while (lines[result].find("\"host.result\"") == std::string::npos || lines[result].find("\"agent\"") == std::string::npos) ++result;
  size_t end = result;
  std::string id = *StringField(*ParseCanonical(lines[result]), "intervention");
  while (lines[end].find("\"intervention.end\"") == std::string::npos || lines[end].find("\"" + id + "\"") == std::string::npos) ++end;
  // The key holder appends a copy (new seq, ts, nonce) and re-seals: the
  // result counts twice and the host seems to run the tree again later.
  Json copy = *ParseCanonical(lines[result]);
  copy["seq"] = static_cast<int64_t>(lines.size());
  copy["ts"] = "2027-01-01T00:00:00.000Z";
  copy["nonce"] = std::string(32, 'e');
  JournalFiles replayed = files;
  std::vector<std::string> more = lines;
  more.push_back(Canonical(copy));
  Rewrite(replayed, more, &fleet.f.journal_key);
  VerifyReport report = fleet.Verify(replayed);
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.seq == static_cast<int64_t>(lines.size()));
  CHECK((report.message.find("journaled twice") != std::string::npos || report.message.find("after its intervention's end") != std::string::npos));
}

TEST_CASE("attack: a signer allowed_signers does not list is its own verdict, unchecked operators are said") {
  Fleet fleet;
  crypto::AllowedSigners nobody = *crypto::ParseAllowedSigners({"nobody", ""});
  VerifyOptions options = fleet.f.VerifyWith();
  options.allowed_signers = nobody;
  VerifyReport report = fleet.Verify(fleet.Files(), options);
  CHECK(report.code == VerifyCode::kSignerNotAllowed);
  CHECK(CodeName(report.code) == "SIGNER_NOT_ALLOWED");
  CHECK(report.seq == 0);
  options.allowed_signers.reset();
  report = fleet.Verify(fleet.Files(), options);
  CHECK(report.ok());
  CHECK_FALSE(report.operators_checked);
  CHECK(fleet.Verify().operators_checked);
}

TEST_CASE("attack: the journal re-signed under a new key and origin, against an old state") {
  Fleet fleet;
  VerifierState state = fleet.State();
  JournalFiles files = fleet.Files();
  NoteSigner new_key = *GenerateNoteSigner("example.org/daybook/test");
  Rewrite(files, testing::Lines(files.records), &new_key);
  VerifyOptions options = fleet.f.VerifyWith();
  options.vkeys = {*ParseVerifierKey(FormatVerifierKey(new_key))};  // the new vkey, handed to the auditor
  CHECK(fleet.Verify(files, options).ok());                         // self-consistent
  options.state = state;
  VerifyReport report = fleet.Verify(files, options);
  CHECK(report.code == VerifyCode::kKeyChanged);
  CHECK(report.ExitCode() == 3);
  CHECK(report.previous_checkpoint == state.checkpoint);
  CHECK(report.checkpoint == files.checkpoint);
  // Another origin, same key.
  options = fleet.f.VerifyWith();
  options.state = state;
  options.state->origin = "example.org/daybook/other";
  CHECK(fleet.Verify(fleet.Files(), options).code == VerifyCode::kKeyChanged);
}

TEST_CASE("journals written before format 2 still verify, and say they have the older guarantees") {
  Fleet fleet;
  // An old journal: v1 records, results signed with the key they carry, no pins signed.
  std::vector<std::string> old;
  crypto::Ed25519Key agent = *crypto::Ed25519Key::Generate();
  for (const std::string& line : fleet.Lines()) {
    Json r = *ParseCanonical(line);
    if (StringField(r, "type") == kHostKeyPinned) continue;
    r["seq"] = static_cast<int64_t>(old.size());
    r["v"] = 1;
    r.erase("begin_seq");
    if (StringField(r, "type") == kHostResult) {
      Json response = {{"host", r["host"]}, {"status", "ok"}};
      crypto::Ed25519Signature sig = agent.Sign(Canonical(response));
      r["agent"] = {{"key", crypto::FormatSshPublicKey(agent.public_key())},
                    {"sig", crypto::Base64Encode(sig.data(), sig.size())}, {"response", response}};
    }
    if (StringField(r, "type") == kInterventionBegin) {
      r.erase("op_sig");
      r["op_sig"] = *KeyOperatorSigner(fleet.f.operator_key).Sign(Canonical(r));
    }
    old.push_back(Canonical(r));
  }
  JournalFiles files = fleet.Files();
  Rewrite(files, old, &fleet.f.journal_key);
  VerifyReport report = fleet.Verify(files);
  REQUIRE_MESSAGE(report.ok(), report.message);
  CHECK(report.legacy_records == 8);
  CHECK(report.agent_signatures == 4);

  // New records follow old ones; an old record after a new one is refused.
  std::vector<std::string> mixed = old;
  Json v2 = *ParseCanonical(old.back());
  v2["seq"] = static_cast<int64_t>(mixed.size());
  v2["v"] = 2;
  mixed.push_back(Canonical(v2));
  Rewrite(files, mixed, &fleet.f.journal_key);
  CHECK(fleet.Verify(files).ok());
  Json v1 = v2;
  v1["seq"] = static_cast<int64_t>(mixed.size());
  v1["v"] = 1;
  mixed.push_back(Canonical(v1));
  Rewrite(files, mixed, &fleet.f.journal_key);
  CHECK(fleet.Verify(files).code == VerifyCode::kBadRecord);
}
