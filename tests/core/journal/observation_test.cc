// host.observed records (issue 18): what agents answered status and plan,
// as they signed it. Verify must catch an answer altered, reused, kept back,
// given to another question, or signed by a key the journal does not pin.
#include "core/journal/observation.h"

#include <doctest/doctest.h>

#include "core/crypto/encoding.h"
#include "tests/core/journal/fixture.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::journal;
using namespace daybook::testing;

namespace {

constexpr const char* kObserve = "00112233445566778899aabbccddeeff";

Json SignedAnswer(const crypto::Ed25519Key& key, Json response) {
  crypto::Ed25519Signature sig = key.Sign(Canonical(response));
  return {{"response", response}, {"sig", crypto::Base64Encode(sig.data(), sig.size())}};
}

// facts + patch.plan (2 pending, 1 security) + deploy.status (app drifted).
constexpr const char* kOrigin = "example.org/daybook/test";  // the fixture journal's

Json Answers(const crypto::Ed25519Key& key, const std::string& observe, const std::string& at, const std::string& origin = kOrigin) {
  Json facts = {{"type", "facts"}, {"facts", {{"reboot_required", true}, {"package_backend", "apt"}}}, {"observe", observe}, {"observed_at", at}};
  Json plan = {{"type", "patch.plan"},
               {"plan", {{"changes", {{{"name", "openssl"}, {"from", "3.0.1"}, {"to", "3.0.2"}, {"origin", "Debian-Security:bookworm-security"}, {"security", true}},
                                      {{"name", "tzdata"}, {"from", "a"}, {"to", "b"}, {"origin", "Debian:bookworm"}, {"security", false}}}},
                         {"removals", Json::array()}, {"skipped", Json::array()}}},
               {"observe", observe}, {"observed_at", at}};
  Json status = {{"type", "deploy.status"},
                 {"deploys", {{{"name", "app"}, {"tree", std::string(40, 'c')},
                               {"drift", {{"identical", false}, {"counts", {{"added", 1}, {"modified", 2}, {"removed", 0}}}}}}}},
                 {"observe", observe}, {"observed_at", at}};
  for (Json* answer : {&facts, &plan, &status}) (*answer)["journal"] = origin;
  return Json::array({SignedAnswer(key, facts), SignedAnswer(key, plan), SignedAnswer(key, status)});
}

struct ObservedJournal {
  TempDir tmp;
  JournalFixture f{tmp.path / "journal"};
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();

  // One intervention on web-01 (which pins its key), then `observation`.
  VerifyReport VerifyWith(const std::vector<Json>& observations) {
    {
      auto w = f.Open(*fs);
      f.Intervention(*w, "i-0", {"web-01"});
      for (const Json& o : observations) {
        f.Tick();
        REQUIRE(w->Append(kHostObserved, o).ok());
      }
    }
    return VerifyJournal(*ReadJournalFiles(*fs, f.dir), f.VerifyWith());
  }

  std::string Now() const { return FormatTimestamp(f.clock.now + std::chrono::seconds(1)); }

  Json Record(const std::string& host, const Json& answers, const crypto::Ed25519Key* key = nullptr) const {
    return {{"host", host}, {"source", "status"}, {"observe", kObserve},
            {"agent", {{"key", crypto::FormatSshPublicKey((key ? *key : f.agent_key).public_key())}, {"answers", answers}}}};
  }
};

}  // namespace

TEST_CASE("an observation signed by the pinned agent verifies and reads back") {
  ObservedJournal j;
  Json record = j.Record("web-01", Answers(j.f.agent_key, kObserve, j.Now()));
  VerifyReport report = j.VerifyWith({record});
  CHECK(report.ok());
  CHECK(report.agent_signatures == 1 + 3);

  Result<Observed> read = ReadObservation(record);
  REQUIRE(read.ok());
  CHECK(read->host == "web-01");
  CHECK(read->reboot_required == true);
  REQUIRE(read->pending.size() == 2);
  CHECK(read->pending[0].security);
  CHECK(read->pending[0].origin == "Debian-Security:bookworm-security");
  REQUIRE(read->drift.size() == 1);
  CHECK(read->drift[0].modified == 2);
  CHECK(ObservationSummary(*read) ==
        "status: 1 pending security update (2 in all), reboot required, app tree cccccccc, drift app +1 ~2 -0");
}

TEST_CASE("verify refuses an altered, reused, late, misdirected or unpinned observation") {
  SUBCASE("an answer altered after the agent signed it") {
    ObservedJournal j;
    Json answers = Answers(j.f.agent_key, kObserve, j.Now());
    answers[1]["response"]["plan"]["changes"] = Json::array();  // "nothing pending"
    VerifyReport report = j.VerifyWith({j.Record("web-01", answers)});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("signature does not verify") != std::string::npos);
  }
  SUBCASE("the same answers journaled twice") {
    ObservedJournal j;
    Json record = j.Record("web-01", Answers(j.f.agent_key, kObserve, j.Now()));
    VerifyReport report = j.VerifyWith({record, record});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("journaled twice") != std::string::npos);
  }
  SUBCASE("answers kept back and journaled an hour later") {
    ObservedJournal j;
    std::string hour_ago = FormatTimestamp(j.f.clock.now - std::chrono::hours(1));
    VerifyReport report = j.VerifyWith({j.Record("web-01", Answers(j.f.agent_key, kObserve, hour_ago))});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("minutes apart") != std::string::npos);
  }
  SUBCASE("an answer given to another question") {
    ObservedJournal j;
    VerifyReport report = j.VerifyWith({j.Record("web-01", Answers(j.f.agent_key, std::string(32, 'f'), j.Now()))});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("observe differs") != std::string::npos);
  }
  SUBCASE("signed by a key the journal does not pin for the host") {
    ObservedJournal j;
    crypto::Ed25519Key other = *crypto::Ed25519Key::Generate();
    VerifyReport report = j.VerifyWith({j.Record("web-01", Answers(other, kObserve, j.Now()), &other)});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("the journal pins") != std::string::npos);
  }
  SUBCASE("a host the journal never pinned") {
    ObservedJournal j;
    VerifyReport report = j.VerifyWith({j.Record("db-09", Answers(j.f.agent_key, kObserve, j.Now()))});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("no operator-signed host.key_pinned") != std::string::npos);
  }
  SUBCASE("answers given for another fleet's journal") {
    ObservedJournal j;
    VerifyReport report = j.VerifyWith({j.Record("web-01", Answers(j.f.agent_key, kObserve, j.Now(), "example.org/staging"))});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("not this one") != std::string::npos);
  }
  SUBCASE("an answer left out (the pending updates)") {
    ObservedJournal j;
    Json answers = Answers(j.f.agent_key, kObserve, j.Now());
    answers.erase(1);  // patch.plan
    VerifyReport report = j.VerifyWith({j.Record("web-01", answers)});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("without its patch.plan answer") != std::string::npos);
  }
  SUBCASE("an answer that is no observation (a bound apply result)") {
    ObservedJournal j;
    Json answers = Json::array({SignedAnswer(j.f.agent_key, {{"type", "apply.result"}, {"observe", kObserve}, {"journal", kOrigin}, {"observed_at", j.Now()}})});
    VerifyReport report = j.VerifyWith({j.Record("web-01", answers)});
    CHECK(report.code == VerifyCode::kBadAgentSig);
    CHECK(report.message.find("is no observation") != std::string::npos);
  }
}

TEST_CASE("the writer refuses a malformed observation record") {
  ObservedJournal j;
  auto w = j.f.Open(*j.fs);
  CHECK_FALSE(w->Append(kHostObserved, {{"host", "web-01"}, {"source", "status"}, {"observe", "short"},
                                        {"agent", {{"key", "k"}, {"answers", Json::array()}}}}).ok());
  CHECK_FALSE(w->Append(kHostObserved, {{"host", "web-01"}, {"source", "push"}, {"observe", kObserve},
                                        {"agent", {{"key", "k"}, {"answers", Json::array({{{"response", Json::object()}, {"sig", "x"}}})}}}}).ok());
}
