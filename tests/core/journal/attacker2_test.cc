// The second intrusion round on the journal (issue 14): attacks on what an
// export, a proof or a prune lets through, and on signatures that could be
// replayed or made without the operator. Each once passed; each must fail.
#include <doctest/doctest.h>

#include "core/journal/export.h"
#include "core/journal/key_signer.h"
#include "core/journal/proof.h"
#include "tests/core/journal/attack_fleet.h"
#include "tests/core/journal/fixture.h"
#include "tests/core/journal/tamper.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

namespace {


std::string Tombstone(const std::string& line, const std::string& ts, const std::string& type) {
  Json record = *ParseCanonical(line);
  record["ts"] = ts;
  record["type"] = type;
  Hash leaf = LeafHash(line);
  return Canonical(MakeTombstone(record, crypto::HexEncode(leaf.data(), 32)));
}

// Replaces the first line of `text` that holds `needle` by `replacement`.
std::string ReplaceLine(const std::string& text, const std::string& needle, const std::string& replacement) {
  size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  size_t start = text.rfind('\n', at) + 1, end = text.find('\n', at);
  return text.substr(0, start) + replacement + text.substr(end);
}

std::string Signed(Json record, const crypto::Ed25519Key& key) {
  record.erase("op_sig");
  record["op_sig"] = *KeyOperatorSigner(key).Sign(Canonical(record));
  return Canonical(record);
}

}  // namespace

TEST_CASE("attack 2: an exported record swapped for a tombstone the exporter did not write") {
  Fleet fleet;
  std::vector<std::string> lines = fleet.Lines();
  Result<std::string> jsonl = ExportJsonl(fleet.Files(), ExportOptions{}, fleet.f.journal_key);
  REQUIRE(jsonl.ok());
  REQUIRE(CheckExport(*jsonl, fleet.Vkeys()).ok());
  // The failed result hidden: its line replaced by "a pruned record from 2020".
  std::string hidden = ReplaceLine(*jsonl, lines[2], Tombstone(lines[2], "2020-01-01T00:00:00.000Z", "host.result"));
  Result<ExportCheck> check = CheckExport(hidden, fleet.Vkeys());
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("replaced by a tombstone") != std::string::npos);

  // The same in a CSV: the failed result's row made to read as pruned.
  Result<CsvExport> csv = ExportCsv(fleet.Files(), ExportOptions{}, fleet.f.journal_key);
  REQUIRE(csv.ok());
  std::string leaf = crypto::HexEncode(LeafHash(lines[2]).data(), 32);
  size_t row = csv->csv.find("," + leaf);
  REQUIRE(row != std::string::npos);
  size_t start = csv->csv.rfind('\n', row) + 1, end = csv->csv.find('\n', row) + 1;
  // seq, time, intervention ... status empty, summary, error empty, leaf_hash
  std::string emptied = csv->csv.substr(0, start) + "2,2020-01-01T00:00:00.000Z,,,,,,,(payload pruned, leaf hash kept),," + leaf +
                        "\r\n" + csv->csv.substr(end);
  check = CheckCsvExport(emptied, csv->proof, fleet.Vkeys());
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("differs from the record") != std::string::npos);

  // Proofs: a tombstone proves no content, and none is made for one.
  Result<std::string> proof = MakeProof(fleet.Files(), 2);
  REQUIRE(proof.ok());
  std::string forged = ReplaceLine(*proof, "record ", "record " + Tombstone(lines[2], "2019-01-01T00:00:00.000Z", "intervention.end"));
  Result<ProvenRecord> proven = CheckProof(forged, fleet.Vkeys());
  REQUIRE_FALSE(proven.ok());
  CHECK(proven.error().message.find("tombstone proves no content") != std::string::npos);
}

TEST_CASE("attack 2: a carried begin that is another record of the intervention") {
  Fleet fleet;
  std::vector<std::string> lines = fleet.Lines();
  ExportOptions only_web02;
  only_web02.filter.host = "web-02";
  only_web02.filter.type = "host.result";
  Result<std::string> jsonl = ExportJsonl(fleet.Files(), only_web02, fleet.f.journal_key);
  REQUIRE(jsonl.ok());
  REQUIRE(CheckExport(*jsonl, fleet.Vkeys()).ok());
  // i-1's begin, carried in the header, swapped for i-1's web-01 result (same
  // intervention id, earlier seq): operator, ticket, manifest vanish.
  size_t begin_seq = 0;
  while (lines[begin_seq].find("\"intervention\":\"i-1\"") == std::string::npos) ++begin_seq;
  size_t other = begin_seq + 1;
  while (lines[other].find("\"host.result\"") == std::string::npos) ++other;
  Json doc = *ParseCanonical(jsonl->substr(0, jsonl->find('\n')));
  doc["daybook_export"]["begins"] = Json::array({lines[other]});
  std::string swapped = Canonical(doc) + jsonl->substr(jsonl->find('\n'));
  Result<ExportCheck> check = CheckExport(swapped, fleet.Vkeys());
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("not an intervention.begin") != std::string::npos);
}

TEST_CASE("attack 2: a deeply nested export header, and a title line with more in it") {
  Fleet fleet;
  Result<std::string> jsonl = ExportJsonl(fleet.Files(), ExportOptions{}, fleet.f.journal_key);
  REQUIRE(jsonl.ok());
  std::string deep = "{\"daybook_export\":{\"x\":" + std::string(200000, '[') + std::string(200000, ']') + "}}";
  Result<ExportCheck> check = CheckExport(deep + jsonl->substr(jsonl->find('\n')), fleet.Vkeys());
  REQUIRE_FALSE(check.ok());  // and no crash
  Result<CsvExport> csv = ExportCsv(fleet.Files(), ExportOptions{}, fleet.f.journal_key);
  REQUIRE(csv.ok());
  std::string titled = "reviewed and approved by the auditor\r\n" + csv->csv;
  check = CheckCsvExport(titled, csv->proof, fleet.Vkeys());
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().message.find("the first line is not the header row") != std::string::npos);
}

TEST_CASE("attack 2: an operator with the journal key prunes their own young intervention") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  {
    auto w = f.Open(*fs);
    f.Intervention(*w, "old", {"web-01"});   // 2026-11-01
    f.clock.now += std::chrono::days(400);   // 2027-12-06
    f.Intervention(*w, "evil", {"web-01"});  // web-01 already pinned: nothing kept in between
  }
  JournalFiles files = *ReadJournalFiles(*fs, f.dir);
  VerifyReport seen = VerifyJournal(files, f.VerifyWith());
  REQUIRE(seen.ok());
  VerifierState state{seen.origin, seen.sealed, seen.root, seen.checkpoint, seen.vkey, 365, seen.pruned, seen.day_starts};
  CHECK(state.day_starts.size() == 2);
  Result<VerifierState> round = ParseState(FormatState(state));
  REQUIRE(round.ok());
  CHECK(round->day_starts == state.day_starts);

  // The cover-up: "evil" tombstoned, back-dated to just after "old" (time
  // order holds), under a signed prune with a cutoff between the two.
  std::vector<std::string> lines = testing::Lines(files.records);
  std::vector<std::string> edited = lines;
  std::vector<int64_t> cut;
  std::string back = *StringField(*ParseCanonical(lines[lines.size() - 1 - 3]), "ts");  // old's end
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("\"intervention\":\"evil\"") == std::string::npos) continue;
    edited[i] = Tombstone(lines[i], back, *StringField(*ParseCanonical(lines[i]), "type"));
    cut.push_back(static_cast<int64_t>(i));
  }
  REQUIRE(cut.size() == 3);
  Json prune = {{"v", 2}, {"seq", static_cast<int64_t>(lines.size())}, {"type", "journal.retention_prune"},
                {"ts", "2028-07-01T00:00:00.000Z"}, {"nonce", std::string(32, '0')},
                {"cutoff", "2027-06-01T00:00:00.000Z"}, {"upto_seq", cut.back()},
                {"pruned_seqs", FormatSeqRanges(cut)}, {"window_days", 365}, {"origin", "example.org/daybook/test"},
                {"operator", crypto::SshFingerprint(f.operator_key.public_key())}};
  edited.push_back(Signed(prune, f.operator_key));
  Rewrite(files, edited, &f.journal_key);
  // Without a state file nothing tells the tombstones' dates are false:
  // the documented limit of a first audit.
  CHECK(VerifyJournal(files, f.VerifyWith()).ok());
  // The auditor who saw "evil" on 2027-12-06 knows it was younger than the cutoff.
  VerifyOptions audit = f.VerifyWith();
  audit.state = state;
  VerifyReport report = VerifyJournal(files, audit);
  CHECK(report.code == VerifyCode::kPrunedOutsidePolicy);
  CHECK(report.message.find("whose cutoff is after the day it was seen in") != std::string::npos);
}

TEST_CASE("attack 2: a record dated in the future is refused") {
  Fleet fleet;
  VerifyOptions audit = fleet.f.VerifyWith();
  audit.now = fleet.f.clock.now;
  CHECK(VerifyJournal(fleet.Files(), audit).ok());
  audit.now = fleet.f.clock.now - std::chrono::hours(48);
  VerifyReport report = VerifyJournal(fleet.Files(), audit);
  CHECK(report.code == VerifyCode::kTimeOrder);
  CHECK(report.message.find("more than a day after this verification") != std::string::npos);
}

TEST_CASE("attack 2: an operator signature replayed from another fleet's journal") {
  Fleet fleet;
  std::vector<std::string> lines = fleet.Lines();
  // The same begin as another fleet would hold it: same operator, signed for
  // that fleet's origin. Re-sealed by this journal's key holder.
  Json begin = *ParseCanonical(lines[0]);
  REQUIRE(StringField(begin, "origin") == std::string("example.org/daybook/test"));
  begin["origin"] = "example.org/daybook/staging";
  std::vector<std::string> edited = lines;
  edited[0] = Signed(begin, fleet.f.operator_key);
  JournalFiles files = fleet.Files();
  Rewrite(files, edited, &fleet.f.journal_key);
  VerifyReport report = VerifyJournal(files, fleet.f.VerifyWith());
  CHECK(report.code == VerifyCode::kBadOperatorSig);
  CHECK(report.message.find("replayed from another fleet") != std::string::npos);
}

TEST_CASE("attack 2: a version 1 pin (no operator signature) does not vouch for a version 2 result") {
  Fleet fleet;
  std::vector<std::string> lines = fleet.Lines();
  crypto::Ed25519Key mine = *crypto::Ed25519Key::Generate();
  // The journal key holder's own journal: an unsigned v1 pin of their key
  // for web-01, then a real-looking signed begin and an "ok" signed by them.
  Json pin = {{"v", 1}, {"seq", 0}, {"type", "host.key_pinned"}, {"ts", "2026-11-01T00:00:00.000Z"},
              {"nonce", std::string(32, '1')}, {"host", "web-01"}, {"key", crypto::FormatSshPublicKey(mine.public_key())},
              {"fingerprint", crypto::SshFingerprint(mine.public_key())}};
  Json begin = *ParseCanonical(lines[0]);
  begin["seq"] = 1;
  std::string begin_line = Signed(begin, fleet.f.operator_key);
  Json result = {{"v", 2}, {"seq", 2}, {"type", "host.result"}, {"ts", "2026-11-01T00:00:05.000Z"},
                 {"nonce", std::string(32, '2')}, {"intervention", "i-0"}, {"host", "web-01"}, {"status", "ok"},
                 {"begin_seq", 1}, {"deploys", {{{"name", "app"}, {"status", "ok"}, {"to", std::string(40, 'b')}}}},
                 {"agent", JournalFixture::SignedAgent(mine, "i-0", "web-01", begin_line)}};
  JournalFiles files = fleet.Files();
  Rewrite(files, {Canonical(pin), begin_line, Canonical(result)}, &fleet.f.journal_key);
  VerifyReport report = VerifyJournal(files, fleet.f.VerifyWith());
  CHECK(report.code == VerifyCode::kBadAgentSig);
  CHECK(report.message.find("no operator-signed host.key_pinned record for host web-01") != std::string::npos);
}

TEST_CASE("journal writer: a clock stepped back never breaks time order") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto w = f.Open(*fs);
  f.Intervention(*w, "i-0", {"web-01"});
  f.clock.now -= std::chrono::hours(5);
  f.Intervention(*w, "i-1", {"web-01"});
  w.reset();
  VerifyReport report = VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith());
  CHECK_MESSAGE(report.ok(), report.message);
}
