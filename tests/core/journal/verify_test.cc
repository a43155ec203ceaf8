// Every tamper class of the journal design (notes/journal.md §4), against a
// real 20-record journal: each must be caught, with its stable code and the
// first bad record where it can be known.
#include "core/journal/verify.h"

#include <doctest/doctest.h>

#include "core/crypto/sshsig.h"
#include "tests/core/journal/fixture.h"
#include "tests/core/journal/tamper.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

namespace {

// 5 interventions x (begin, 2 results, end) + 2 host pins = 22 records:
// 0 begin i-0, 1 pin web-01, 2 result, 3 pin web-02, 4 result, 5 end,
// then i-1 at 6..9 (6 begin, 7 and 8 results, 9 end), i-2 at 10..13 ...
struct Journal20 {
  TempDir tmp;
  JournalFixture f{tmp.path / "journal"};
  JournalFiles files;

  Journal20() {
    auto fs = MakePosixFilesystem();
    {
      auto w = f.Open(*fs);
      for (int i = 0; i < 5; ++i) f.Intervention(*w, "i-" + std::to_string(i), {"web-01", "web-02"});
    }
    files = *ReadJournalFiles(*fs, f.dir);
  }

  VerifyReport Verify(const JournalFiles& candidate, VerifyOptions options) const { return VerifyJournal(candidate, options); }
  VerifyReport Verify(const JournalFiles& candidate) const { return VerifyJournal(candidate, f.VerifyWith()); }

  VerifierState State() const {
    VerifyReport report = Verify(files);
    REQUIRE(report.ok());
    return {"example.org/daybook/test", report.sealed, report.root, report.checkpoint, report.vkey, 365, report.pruned, report.day_starts};
  }
};

}  // namespace

TEST_CASE("verify: the untouched journal verifies") {
  Journal20 j;
  VerifyReport report = j.Verify(j.files);
  CHECK_MESSAGE(report.ok(), report.message);
  CHECK(report.records == 22);
  CHECK(report.sealed == 22);
  CHECK(report.ExitCode() == 0);
  VerifyOptions with_state = j.f.VerifyWith();
  with_state.state = j.State();
  CHECK(j.Verify(j.files, with_state).ok());
}

TEST_CASE("verify: an edited record is found at its seq") {
  Journal20 j;
  JournalFiles bad = j.files;
  std::vector<std::string> lines = Lines(j.files.records);
  size_t host = lines[8].find("\"host\":\"web-02\"");
  REQUIRE(host != std::string::npos);
  lines[8].replace(host, 15, "\"host\":\"web-03\"");
  bad.records = JoinLines(lines);
  VerifyReport report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kLeafMismatch);  // the stored hashes disagree first
  CHECK(report.seq == 8);
  bad.hashes = Rehash(bad.records).Bytes(0);
  CHECK(j.Verify(bad).code == VerifyCode::kRootMismatch);  // then the checkpoint
  // Edit a field no signature covers: only the hashes can tell.
  bad = j.files;
  size_t at = bad.records.find("\"outcome\":\"completed\"");
  bad.records.replace(at, 21, "\"outcome\":\"interrupt\"");
  report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kBadRecord);  // not an outcome
  bad = j.files;
  at = bad.records.find("\"ticket\":\"INC-1\"");
  bad.records.replace(at, 16, "\"ticket\":\"INC-2\"");
  report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kLeafMismatch);
  CHECK(report.seq == 0);
  CHECK(report.ExitCode() == 1);
  // Even with hashes and checkpoint rebuilt by the journal key holder, the
  // operator's signature does not cover the new ticket.
  Rewrite(bad, Lines(bad.records), &j.f.journal_key);
  report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kBadOperatorSig);
  CHECK(report.seq == 0);
  CHECK(report.offset == 0);
}

TEST_CASE("verify: truncation at every record boundary and mid-record") {
  Journal20 j;
  std::vector<std::string> lines = Lines(j.files.records);
  size_t offset = 0;
  for (size_t keep = 0; keep < lines.size(); ++keep) {
    CAPTURE(keep);
    JournalFiles bad = j.files;
    bad.records = j.files.records.substr(0, offset);
    CHECK(j.Verify(bad).code == VerifyCode::kLeafMismatch);  // more hashes than records
    bad.hashes = Rehash(bad.records).Bytes(0);                // hashes cut to match
    CHECK(j.Verify(bad).code == VerifyCode::kRootMismatch);   // the checkpoint covers 20
    JournalFiles torn = j.files;
    torn.records = j.files.records.substr(0, offset + lines[keep].size() / 2);
    torn.hashes = Rehash(torn.records).Bytes(0);
    CHECK(j.Verify(torn).code == VerifyCode::kRootMismatch);
    offset += lines[keep].size() + 1;
  }
}

TEST_CASE("verify: dropped, swapped and replayed records") {
  Journal20 j;
  std::vector<std::string> lines = Lines(j.files.records);
  for (size_t drop : {0u, 7u, 21u}) {
    CAPTURE(drop);
    std::vector<std::string> dropped = lines;
    dropped.erase(dropped.begin() + static_cast<long>(drop));
    JournalFiles bad = j.files;
    bad.records = JoinLines(dropped);
    VerifyReport report = j.Verify(bad);
    CHECK_FALSE(report.ok());
    if (drop < 21) {
      CHECK(report.code == VerifyCode::kSeqGap);
      CHECK(report.seq == static_cast<int64_t>(drop));
    }
  }
  std::vector<std::string> swapped = lines;
  std::swap(swapped[4], swapped[5]);
  JournalFiles bad = j.files;
  bad.records = JoinLines(swapped);
  CHECK(j.Verify(bad).code == VerifyCode::kSeqGap);
  CHECK(j.Verify(bad).seq == 4);

  std::vector<std::string> replayed = lines;
  replayed.push_back(lines[1]);
  bad = j.files;
  bad.records = JoinLines(replayed);
  CHECK(j.Verify(bad).code == VerifyCode::kSeqGap);
  CHECK(j.Verify(bad).seq == 22);
}

TEST_CASE("verify: a forged record inserted with recomputed hashes but no journal key") {
  Journal20 j;
  std::vector<std::string> lines = Lines(j.files.records);
  // Appended at the end with the right seq, hashes rebuilt, checkpoint left
  // alone: records the writer's signed intent does not name. Once this
  // passed as "unsealed" (issue 14); now it is a failure that names them.
  Json forged = *ParseCanonical(lines[21]);
  forged["seq"] = 22;
  lines.push_back(Canonical(forged));
  JournalFiles bad = j.files;
  Rewrite(bad, lines, nullptr);
  VerifyReport report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kForeignRecords);
  CHECK(report.seq == 22);
  CHECK(report.ExitCode() == 1);
  // Re-signing with another key does not help.
  NoteSigner impostor = *GenerateNoteSigner("example.org/daybook/test");
  Rewrite(bad, lines, &impostor);
  CHECK(j.Verify(bad).code == VerifyCode::kBadCheckpointSig);
}

TEST_CASE("verify: history rewritten and re-signed by the journal key holder is a fork for an auditor with state") {
  Journal20 j;
  VerifyOptions audit = j.f.VerifyWith();
  audit.state = j.State();
  std::vector<std::string> lines = Lines(j.files.records);
  Json end = *ParseCanonical(lines[5]);
  end["outcome"] = "failed";  // rewrite how intervention i-0 ended
  lines[5] = Canonical(end);
  JournalFiles bad = j.files;
  Rewrite(bad, lines, &j.f.journal_key);
  CHECK(j.Verify(bad).ok());  // self-consistent: only history can tell
  VerifyReport report = j.Verify(bad, audit);
  CHECK(report.code == VerifyCode::kFork);
  CHECK(report.ExitCode() == 3);
  CHECK(report.previous_checkpoint == j.files.checkpoint);
  CHECK(report.checkpoint == bad.checkpoint);
}

TEST_CASE("verify: rollback to an older, validly signed checkpoint") {
  Journal20 j;
  std::vector<std::string> lines = Lines(j.files.records);
  JournalFiles old = j.files;
  lines.resize(12);
  Rewrite(old, lines, &j.f.journal_key);
  CHECK(j.Verify(old).ok());
  VerifyOptions audit = j.f.VerifyWith();
  audit.state = j.State();
  VerifyReport report = j.Verify(old, audit);
  CHECK(report.code == VerifyCode::kRollback);
  CHECK(report.ExitCode() == 3);
}

TEST_CASE("verify: non-canonical line, bad operator signatures, bad agent signature") {
  Journal20 j;
  std::vector<std::string> lines = Lines(j.files.records);
  std::vector<std::string> spaced = lines;
  spaced[8].insert(1, " ");
  JournalFiles bad = j.files;
  Rewrite(bad, spaced, &j.f.journal_key);
  CHECK(j.Verify(bad).code == VerifyCode::kBadCanonical);
  CHECK(j.Verify(bad).seq == 8);

  // Re-signed by a key that is not in allowed_signers.
  crypto::Ed25519Key stranger = *crypto::Ed25519Key::Generate();
  // (A new intervention at the end: re-signing an earlier begin would also
  // break the agent answers bound to it, which is tampering, BAD_AGENT_SIG.)
  Json begin = *ParseCanonical(lines[6]);
  begin["seq"] = 22;
  begin["ts"] = ParseCanonical(lines[21])->at("ts");
  begin.erase("op_sig");
  begin["operator"] = crypto::SshFingerprint(stranger.public_key());
  begin["op_sig"] = crypto::SshsigSign(stranger, kOperatorNamespace, Canonical(begin));
  std::vector<std::string> forged = lines;
  forged.push_back(Canonical(begin));
  Rewrite(bad, forged, &j.f.journal_key);
  VerifyReport report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kSignerNotAllowed);  // not tampering: its own verdict
  CHECK(report.message.find("not in allowed_signers") != std::string::npos);
  VerifyOptions no_list = j.f.VerifyWith();
  no_list.allowed_signers.reset();
  CHECK(j.Verify(bad, no_list).ok());  // cryptographically sound, just not allowed

  // Signed for another namespace by the real operator.
  begin.erase("op_sig");
  begin["operator"] = crypto::SshFingerprint(j.f.operator_key.public_key());
  begin["op_sig"] = crypto::SshsigSign(j.f.operator_key, "file", Canonical(begin));
  forged[22] = Canonical(begin);
  Rewrite(bad, forged, &j.f.journal_key);
  CHECK(j.Verify(bad).code == VerifyCode::kBadOperatorSig);

  Json result = *ParseCanonical(lines[7]);
  result["agent"]["response"]["status"] = "failed";
  forged = lines;
  forged[7] = Canonical(result);
  Rewrite(bad, forged, &j.f.journal_key);
  CHECK(j.Verify(bad).code == VerifyCode::kBadAgentSig);
  CHECK(j.Verify(bad).seq == 7);
}

TEST_CASE("verify: records without any checkpoint never pass") {
  Journal20 j;
  JournalFiles bad = j.files;
  bad.checkpoint.clear();
  VerifyReport report = j.Verify(bad);
  CHECK(report.code == VerifyCode::kUnsealedTail);
  JournalFiles empty;
  CHECK(j.Verify(empty).ok());
}

TEST_CASE("verify: pruning outside the policy") {
  Journal20 j;
  std::vector<std::string> lines = Lines(j.files.records);
  // A tombstone that no prune record covers.
  Json first = *ParseCanonical(lines[2]);
  Hash leaf = LeafHash(lines[2]);
  std::vector<std::string> pruned = lines;
  pruned[2] = Canonical(MakeTombstone(first, crypto::HexEncode(leaf.data(), 32)));
  JournalFiles bad = j.files;
  Rewrite(bad, pruned, &j.f.journal_key);
  CHECK(j.Verify(bad).code == VerifyCode::kPrunedOutsidePolicy);
  CHECK(j.Verify(bad).seq == 2);
  // A prune record (signed by the operator) whose cutoff is inside its own window.
  Json prune = {{"v", 2}, {"seq", 22}, {"type", "journal.retention_prune"}, {"ts", "2026-11-01T00:10:00.000Z"},
                {"nonce", std::string(32, '0')}, {"cutoff", "2026-11-01T00:01:00.000Z"}, {"upto_seq", 2},
                {"pruned_seqs", "2"}, {"window_days", 365}, {"origin", "example.org/daybook/test"}, {"operator", crypto::SshFingerprint(j.f.operator_key.public_key())}};
  prune["op_sig"] = *KeyOperatorSigner(j.f.operator_key).Sign(Canonical(prune));
  pruned.push_back(Canonical(prune));
  Rewrite(bad, pruned, &j.f.journal_key);
  CHECK(j.Verify(bad).code == VerifyCode::kPrunedOutsidePolicy);
  CHECK(j.Verify(bad).seq == 22);
  // An edited tombstone hash.
  std::vector<std::string> edited = lines;
  edited[2] = Canonical(MakeTombstone(first, std::string(64, '0')));
  JournalFiles hashes_kept = j.files;
  hashes_kept.records = JoinLines(edited);
  CHECK_FALSE(j.Verify(hashes_kept).ok());
}

TEST_CASE("verify: seq ranges are sorted and bounded by what they can name") {
  CHECK(ParseSeqRanges("", 0) == std::vector<int64_t>{});
  CHECK(ParseSeqRanges("0-2,5", 6) == std::vector<int64_t>{0, 1, 2, 5});
  CHECK_FALSE(ParseSeqRanges("0-2,5", 5));
  CHECK_FALSE(ParseSeqRanges("0-999999999999999", 100));  // would be a memory bomb expanded
  CHECK_FALSE(ParseSeqRanges("5,2", 9));
  CHECK_FALSE(ParseSeqRanges("3-1", 9));
  CHECK_FALSE(ParseSeqRanges("-1", 9));
  CHECK(FormatSeqRanges({0, 1, 2, 5}) == "0-2,5");
}

TEST_CASE("verify: the state file round-trips") {
  Journal20 j;
  VerifierState state = j.State();
  Result<VerifierState> back = ParseState(FormatState(state));
  REQUIRE(back.ok());
  CHECK(back->size == 22);
  CHECK(back->root == state.root);
  CHECK(back->checkpoint == state.checkpoint);
  CHECK_FALSE(ParseState("{").ok());
  CHECK_FALSE(ParseState("{\"origin\":\"o\",\"size\":1,\"root\":\"AA==\",\"checkpoint\":\"\"}").ok());
}
