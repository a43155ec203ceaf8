// People, not hashes, and nothing unrecorded (issue 15), at the journal
// level: the operator's principal is recorded under their signature; an
// intervention.end an operator signs is verified; --operator matches a
// principal or a key, --intervention one intervention; an intervention
// with no end is reported unfinished.
#include <doctest/doctest.h>

#include "core/journal/query.h"
#include "core/journal/store.h"
#include "tests/core/journal/fixture.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using daybook::testing::JournalFixture;
using daybook::testing::TempDir;

namespace {

std::vector<JournalEntry> Entries(Filesystem& fs, const JournalFixture& f) {
  Result<JournalFiles> files = ReadJournalFiles(fs, f.dir);
  REQUIRE(files);
  Result<std::vector<JournalEntry>> entries = ReadEntries(*files);
  REQUIRE(entries);
  return std::move(*entries);
}

size_t Count(const std::vector<JournalEntry>& entries, const JournalFilter& filter) {
  size_t n = 0;
  for (const JournalEntry& e : entries) n += Matches(filter, e) ? 1u : 0u;
  return n;
}

}  // namespace

TEST_CASE("journal: the principal is recorded under the operator's signature, an end they sign is verified") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto w = f.Open(*fs);
  f.Intervention(*w, "i-1", {"web-01"});  // begin, pin, result, end
  KeyOperatorSigner signer(f.operator_key);
  Result<Appended> begin = w->Append(kInterventionBegin,
                                     {{"intervention", "i-2"}, {"manifest", {{"commit", std::string(40, 'a')}, {"path", "m.toml"}}},
                                      {"targets", {"web-01"}}}, &signer);
  REQUIRE(begin);
  REQUIRE(w->Append(kInterventionEnd, {{"intervention", "i-2"}, {"outcome", "interrupted"}}, &signer));
  std::vector<JournalEntry> entries = Entries(*fs, f);
  const std::string fp = crypto::SshFingerprint(f.operator_key.public_key());
  for (const JournalEntry& e : entries) {
    const std::string type = e.record["type"];
    CAPTURE(e.line);
    if (type == kHostKeyPinned || type == kInterventionBegin) CHECK(e.record["principal"] == "ops@example");
    if (type == kHostResult) CHECK_FALSE(e.record.contains("principal"));
  }
  CHECK(entries.back().record["principal"] == "ops@example");  // the end signed by the operator
  CHECK(entries.back().record["operator"] == fp);
  CHECK(VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith()).ok());

  CHECK(VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith()).operator_signatures == 4);  // 2 begins, pin, end

  // An auditor whose allowed_signers names the key otherwise is told so.
  VerifyOptions renamed = f.VerifyWith();
  renamed.allowed_signers = *crypto::ParseAllowedSigners(
      {"allowed_signers", "someone@else " + crypto::FormatSshPublicKey(f.operator_key.public_key()) + "\n"});
  VerifyReport report = VerifyJournal(*ReadJournalFiles(*fs, f.dir), renamed);
  CHECK(report.code == VerifyCode::kSignerNotAllowed);
  CHECK(report.message.find("signed as principal ops@example, but allowed_signers names that key someone@else") !=
        std::string::npos);
}

// Claims the operator's key, signs with another: what a forged op_sig is.
class ForgingSigner final : public OperatorSigner {
 public:
  explicit ForgingSigner(const crypto::Ed25519Key& claimed) : claimed_(claimed) {}
  const crypto::Ed25519Public& public_key() const override { return claimed_.public_key(); }
  Result<std::string> Sign(std::string_view message) override { return KeyOperatorSigner(other_).Sign(message); }

 private:
  const crypto::Ed25519Key& claimed_;
  crypto::Ed25519Key other_ = *crypto::Ed25519Key::Generate();
};

TEST_CASE("journal: a bad operator signature on an intervention.end fails verify at that record") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto w = f.Open(*fs);
  f.Intervention(*w, "i-1", {"web-01"});
  ForgingSigner forger(f.operator_key);
  REQUIRE(w->Append(kInterventionEnd, {{"intervention", "i-1"}, {"outcome", "completed"}}, &forger));
  VerifyReport report = VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith());
  CHECK(report.code == VerifyCode::kBadOperatorSig);
  CHECK(report.seq == w->size() - 1);
}

TEST_CASE("journal: --operator matches a principal or a key, --intervention one intervention, unfinished ones are listed") {
  TempDir tmp;
  auto fs = MakePosixFilesystem();
  JournalFixture f(tmp.path / "journal");
  auto w = f.Open(*fs);
  f.Intervention(*w, "i-1", {"web-01", "web-02"});  // begin, 2 x (pin, result), end: 6
  KeyOperatorSigner signer(f.operator_key);
  Result<Appended> begin = w->Append(kInterventionBegin,
                                     {{"intervention", "i-2"}, {"manifest", {{"commit", std::string(40, 'a')}, {"path", "m.toml"}}},
                                      {"targets", {"web-01", "web-02"}}}, &signer);
  REQUIRE(begin);
  REQUIRE(w->Append(kHostResult, {{"intervention", "i-2"}, {"host", "web-01"}, {"status", "ok"}, {"begin_seq", begin->seq},
                                  {"deploys", {{{"name", "app"}, {"status", "ok"}, {"to", std::string(40, 'b')}}}},
                                  {"agent", JournalFixture::SignedAgent(f.agent_key, "i-2", "web-01", begin->line)}}));
  std::vector<JournalEntry> entries = Entries(*fs, f);
  REQUIRE(entries.size() == 8);
  const std::string fp = crypto::SshFingerprint(f.operator_key.public_key());
  JournalFilter by_principal;
  by_principal.operator_fp = "ops@example";
  JournalFilter by_key;
  by_key.operator_fp = fp;
  CHECK(Count(entries, by_principal) == 8);  // pins match their own operator
  CHECK(Count(entries, by_key) == 8);
  JournalFilter nobody;
  nobody.operator_fp = "ops@exampel";
  CHECK(Count(entries, nobody) == 0);
  JournalFilter one;
  one.intervention = "i-2";
  CHECK(Count(entries, one) == 2);
  CHECK(one.Describe() == "intervention=i-2");
  CHECK(one.ToJson() == Json{{"intervention", "i-2"}});

  CHECK(UnfinishedInterventions(entries) == std::vector<std::string>{"i-2"});
  std::map<std::string, InterventionState> states = InterventionStates(entries);
  CHECK(states["i-1"].ended);
  CHECK(states["i-2"].reported == std::set<std::string>{"web-01"});
  CHECK(states["i-2"].targets == std::vector<std::string>{"web-01", "web-02"});
  CHECK(states["i-2"].begin_line == begin->line);
  CHECK(states["i-2"].begin_seq == begin->seq);
}
