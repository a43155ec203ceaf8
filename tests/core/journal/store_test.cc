// The journal writer against the real filesystem adapter in a temp dir, and
// through a fault-injecting one (a full disk at every write of an append).
#include "core/journal/store.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "core/journal/lines.h"
#include "core/crypto/encoding.h"
#include "core/journal/verify.h"
#include "tests/core/journal/fixture.h"
#include "tests/core/journal/tamper.h"
#include "tests/fakes/faulty_filesystem.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using daybook::testing::JournalFixture;
using daybook::testing::ReadAll;
using daybook::testing::TempDir;
using daybook::testing::WriteAll;

namespace {

VerifyReport Verify(Filesystem& fs, const JournalFixture& f) {
  return VerifyJournal(*ReadJournalFiles(fs, f.dir), f.VerifyWith());
}

}  // namespace

TEST_CASE("journal: append, seal, reopen, verify") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  {
    auto w = f.Open(*fs);
    CHECK(w->size() == 0);
    f.Intervention(*w, "i-1", {"web-01", "web-02"});  // begin, 2 x (pin, result), end
    CHECK(w->size() == 6);
    CHECK(w->PinnedKey("web-02") == crypto::FormatSshPublicKey(f.agent_key.public_key()));
    CHECK_FALSE(w->PinnedKey("db-01"));
  }
  auto w = f.Open(*fs);
  CHECK(w->size() == 6);
  CHECK(w->PinnedKey("web-01"));  // read back from the records
  f.Intervention(*w, "i-2", {"db-01"});
  VerifyReport report = Verify(*fs, f);
  CHECK_MESSAGE(report.ok(), report.message);
  CHECK(report.records == 10);
  CHECK(report.sealed == 10);
  CHECK(report.operator_signatures == 5);  // 2 begins, 3 pins
  CHECK(report.agent_signatures == 3);
  CHECK(report.legacy_records == 0);
  std::string records = ReadAll(f.dir / "records.jsonl");
  CHECK(records.find("\"seq\":9") != std::string::npos);
  CHECK(ReadAll(f.dir / "checkpoint").rfind("example.org/daybook/test\n10\n", 0) == 0);
}

TEST_CASE("journal: after a crash, only records the signed intent names are sealed") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  { f.Intervention(*f.Open(*fs), "i-1", {"web-01"}); }
  std::string sealed_records = ReadAll(f.dir / "records.jsonl");
  std::string checkpoint = ReadAll(f.dir / "checkpoint");
  // The writer's own append, interrupted before its checkpoint: sealed on open.
  { CHECK(f.Open(*fs)->Append(kInterventionEnd, {{"intervention", "i-1"}, {"outcome", "failed"}}).ok()); }
  std::string with_tail = ReadAll(f.dir / "records.jsonl");
  WriteAll(f.dir / "checkpoint", checkpoint);  // as if the crash came before the seal
  VerifyOptions crashed = f.VerifyWith();
  crashed.crashed = true;
  VerifyReport report = VerifyJournal(*ReadJournalFiles(*fs, f.dir), crashed);
  CHECK_MESSAGE(report.ok(), report.message);
  CHECK(report.crash_tail == 1);
  CHECK(VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith()).code == VerifyCode::kUnsealedTail);
  CHECK(f.Open(*fs)->size() == 5);
  CHECK(Verify(*fs, f).ok());
  // The same bytes, one changed: not the writer's. Open refuses to write.
  std::string changed = with_tail;
  changed.replace(changed.rfind("\"failed\""), 8, "\"halted\"");
  WriteAll(f.dir / "records.jsonl", changed);
  WriteAll(f.dir / "checkpoint", checkpoint);
  auto refused = JournalWriter::Open(*fs, f.clock, f.Options());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("that this writer did not write (from seq 4,") != std::string::npos);
  CHECK(ReadAll(f.dir / "records.jsonl") == changed);  // nothing written, nothing cut
  CHECK_FALSE(VerifyJournal(*ReadJournalFiles(*fs, f.dir), crashed).ok());  // LEAF_MISMATCH: its stored hash is the writer's
  (void)sealed_records;
}

TEST_CASE("journal: one writer at a time") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto first = f.Open(*fs);
  auto second = JournalWriter::Open(*fs, f.clock, f.Options());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find("locked by another process: daybook (pid " + std::to_string(::getpid()) + ") since ") !=
        std::string::npos);
}

TEST_CASE("journal: interventions need an allowed operator's signature, refusals write nothing") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto w = f.Open(*fs);
  Json begin = {{"intervention", "i"}, {"manifest", {{"commit", "c"}, {"path", "p"}}}, {"targets", {"h"}}};
  Result<Appended> unsigned_begin = w->Append(kInterventionBegin, begin);
  REQUIRE_FALSE(unsigned_begin.ok());
  KeyOperatorSigner stranger(*crypto::Ed25519Key::Generate());
  Result<Appended> refused = w->Append(kInterventionBegin, begin, &stranger);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("is not in allowed_signers") != std::string::npos);
  CHECK_FALSE(w->Append(kHostResult, {{"intervention", "i"}, {"host", "h"}, {"status", "maybe"}}).ok());
  // An ok result without the agent's signed answer, and a pin nobody signed.
  CHECK_FALSE(w->Append(kHostResult, {{"intervention", "i"}, {"host", "h"}, {"status", "ok"}, {"begin_seq", 0}}).ok());
  CHECK_FALSE(w->Append(kHostKeyPinned, {{"host", "h"}, {"key", "k"}, {"fingerprint", "f"}}).ok());
  CHECK_FALSE(w->Append("made.up", Json::object()).ok());
  CHECK(w->size() == 0);
  CHECK(ReadAll(f.dir / "records.jsonl").empty());
}

TEST_CASE("journal: a torn last line is cut on open, unless the checkpoint covers it") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  { f.Intervention(*f.Open(*fs), "i-1", {"web-01"}); }
  std::string good = ReadAll(f.dir / "records.jsonl");
  WriteAll(f.dir / "records.jsonl", good + "{\"half\":");
  {
    auto w = f.Open(*fs);
    CHECK(w->size() == 4);
  }
  CHECK(ReadAll(f.dir / "records.jsonl") == good);
  CHECK(Verify(*fs, f).ok());

  // Cutting the last newline of a sealed record is damage, not a crash.
  WriteAll(f.dir / "records.jsonl", good.substr(0, good.size() - 1));
  auto reopened = JournalWriter::Open(*fs, f.clock, f.Options());
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.error().message.find("journal damaged") == 0);
}

TEST_CASE("journal: a full disk at any write of an append leaves a consistent journal") {
  for (int fail_at = 1; fail_at <= 4; ++fail_at) {
    CAPTURE(fail_at);
    TempDir tmp;
    auto real = MakePosixFilesystem();
    JournalFixture f(tmp.path / "journal");
    { f.Intervention(*f.Open(*real), "i-1", {"web-01"}); }
    testing::FaultyFilesystem faulty(*real);
    auto w = f.Open(faulty);
    faulty.writes = 0;
    faulty.fail_at = fail_at;  // 1: the intent, 2: the record, 3: its hashes, 4: the checkpoint
    Result<Appended> appended = w->Append(kInterventionEnd, {{"intervention", "i-1"}, {"outcome", "failed"}});
    CHECK_FALSE(appended.ok());
    w.reset();
    // Nothing half-written: every line is whole; reopening (with a working
    // disk) gives a journal that verifies.
    std::string records = ReadAll(f.dir / "records.jsonl");
    CHECK(records.back() == '\n');
    auto reopened = f.Open(*real);
    int64_t expected = fail_at == 4 ? 5 : 4;  // a durable record the intent names is sealed on open
    CHECK(reopened->size() == expected);
    reopened.reset();
    VerifyReport report = Verify(*real, f);
    CHECK_MESSAGE(report.ok(), report.message);
    CHECK(report.sealed == expected);
  }
}

TEST_CASE("journal: a group commit appends every record or none, and stays verifiable") {
  TempDir tmp;
  auto real = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  { f.Intervention(*f.Open(*real), "i-1", {"web-01"}); }
  auto results = [] {
    std::vector<JournalWriter::Pending> batch;
    for (const char* host : {"web-02", "web-03", "web-04"}) {
      batch.push_back({std::string(kHostResult),
                       {{"intervention", "i-1"}, {"host", host}, {"status", "skipped"}, {"begin_seq", 0}, {"error", "not started"}}});
    }
    return batch;
  };
  // A malformed record refuses the whole batch before anything is written.
  {
    auto w = f.Open(*real);
    std::vector<JournalWriter::Pending> bad = results();
    bad[1].fields["status"] = "sideways";
    CHECK_FALSE(w->AppendAll(std::move(bad)).ok());
    CHECK(w->size() == 4);
    std::vector<JournalWriter::Pending> begin{{std::string(kInterventionBegin), Json{{"intervention", "i-2"}, {"targets", {"x"}}}}};
    CHECK_FALSE(w->AppendAll(std::move(begin)).ok());  // needs its signer
  }
  // A full disk at any write leaves whole lines and a journal that verifies.
  for (int fail_at = 1; fail_at <= 4; ++fail_at) {
    CAPTURE(fail_at);
    testing::FaultyFilesystem faulty(*real);
    auto w = f.Open(faulty);
    int64_t before = w->size();
    faulty.writes = 0;
    faulty.fail_at = fail_at;  // 1: the intent, 2: the records, 3: their hashes, 4: the checkpoint
    CHECK_FALSE(w->AppendAll(results()).ok());
    w.reset();
    CHECK(ReadAll(f.dir / "records.jsonl").back() == '\n');
    auto reopened = f.Open(*real);
    CHECK(reopened->size() == (fail_at == 4 ? before + 3 : before));  // durable records the intent names are sealed on open
  }
  auto w = f.Open(*real);
  int64_t before = w->size();
  Result<std::vector<Appended>> appended = w->AppendAll(results());
  REQUIRE(appended.ok());
  REQUIRE(appended->size() == 3);
  CHECK((*appended)[0].seq == before);
  CHECK((*appended)[2].seq == before + 2);
  CHECK(w->size() == before + 3);
  w.reset();
  VerifyReport report = Verify(*real, f);
  CHECK_MESSAGE(report.ok(), report.message);
  CHECK(report.sealed == before + 3);
}

TEST_CASE("journal: retention replaces old payloads by tombstones and stays verifiable") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto w = f.Open(*fs);
  f.Intervention(*w, "old", {"web-01"});
  f.clock.now += std::chrono::days(400);
  f.Intervention(*w, "new", {"web-01"});
  KeyOperatorSigner op(f.operator_key);
  TimePoint inside = f.clock.now - std::chrono::days(100);
  Result<Appended> refused = w->Prune(inside, 365, &op);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("inside the retention window") != std::string::npos);

  TimePoint cutoff = f.clock.now - std::chrono::days(366);
  CHECK_FALSE(w->Prune(cutoff, 365, nullptr).ok());  // a prune is signed by its operator
  Result<Appended> pruned = w->Prune(cutoff, 365, &op);
  REQUIRE(pruned.ok());
  CHECK(pruned->seq == 7);
  std::string records = ReadAll(f.dir / "records.jsonl");
  CHECK(records.find("\"old\"") == std::string::npos);  // payloads gone
  CHECK(records.find("\"new\"") != std::string::npos);
  VerifyReport report = Verify(*fs, f);
  CHECK_MESSAGE(report.ok(), report.message);
  CHECK(report.tombstones == 3);  // begin, result, end of "old"; its host pin is kept
  CHECK(records.find("host.key_pinned") != std::string::npos);
  {
    // The attacker without a key: a tombstone's ts and type are not hashed,
    // so the kept pin, under the prune's cutoff and upto_seq, passed off as
    // a pruned result. Only the prune's signed list of seqs decides.
    std::vector<std::string> lines = testing::Lines(records);
    size_t pin = 0;
    while (lines[pin].find("host.key_pinned") == std::string::npos) ++pin;
    Json disguised = *ParseCanonical(lines[pin]);
    disguised["type"] = std::string(kHostResult);
    Hash leaf = LeafHash(lines[pin]);
    lines[pin] = Canonical(MakeTombstone(disguised, crypto::HexEncode(leaf.data(), 32)));
    JournalFiles files = *ReadJournalFiles(*fs, f.dir);
    files.records = testing::JoinLines(lines);
    VerifyReport erased = VerifyJournal(files, f.VerifyWith());
    CHECK(erased.code == VerifyCode::kPrunedOutsidePolicy);
    CHECK(erased.seq == static_cast<int64_t>(pin));
  }
  // Appending after a prune still works, and reopening reads tombstones.
  f.Tick();
  CHECK(w->Append(kInterventionEnd, {{"intervention", "new"}, {"outcome", "completed"}}).ok());
  w.reset();
  CHECK(f.Open(*fs)->size() == 9);
  CHECK(Verify(*fs, f).ok());
}
