// The results an agent keeps for a controller that did not journal them:
// kept exactly as signed, listed, fetched, forgotten once acknowledged,
// bounded in count and age; and the session messages that serve them.
#include <doctest/doctest.h>

#include "agent/intervention_session.h"
#include "agent/result_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_filesystem.h"

namespace daybook::agent {
namespace {

using protocol::Json;
using namespace std::chrono_literals;

struct Store {
  testing::FakeFilesystem fs;
  testing::FixedClock clock{TimePoint(std::chrono::milliseconds(1'790'000'000'000))};
  ResultStore store{fs, clock, "/state/results", {3, 24h}};
};

Json KeptAnswer(const std::string& id) {
  return {{"type", "apply.result"}, {"status", "ok"}, {"intervention", id}, {"host", "web-01"}, {"begin", "ab"}};
}

TEST_CASE("result store: kept, listed oldest first, fetched as kept, forgotten once acknowledged") {
  Store s;
  REQUIRE(s.store.Keep("20261129T100000Z-bb", KeptAnswer("20261129T100000Z-bb")));
  REQUIRE(s.store.Keep("20261129T090000Z-aa", KeptAnswer("20261129T090000Z-aa")));
  CHECK(*s.store.List() == std::vector<std::string>{"20261129T090000Z-aa", "20261129T100000Z-bb"});
  Result<std::optional<Json>> fetched = s.store.Fetch("20261129T090000Z-aa");
  REQUIRE(fetched);
  REQUIRE(fetched->has_value());
  CHECK(**fetched == KeptAnswer("20261129T090000Z-aa"));
  CHECK(s.fs.FileMode("/state/results/20261129T090000Z-aa.json").value() == 0600u);
  REQUIRE(s.store.Acknowledge("20261129T090000Z-aa"));
  CHECK_FALSE(s.store.Fetch("20261129T090000Z-aa")->has_value());
  CHECK(*s.store.List() == std::vector<std::string>{"20261129T100000Z-bb"});
  CHECK(s.store.Acknowledge("20261129T090000Z-aa"));  // twice: nothing left, no error
  // Ids become file names: nothing that could leave the directory.
  for (const char* bad : {"../x", ".hidden", "a/b", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(s.store.Keep(bad, KeptAnswer("x")));
    CHECK_FALSE(s.store.Fetch(bad));
    CHECK_FALSE(s.store.Acknowledge(bad));
  }
}

TEST_CASE("result store: at most max_kept, none older than max_age, never the one just kept") {
  Store s;
  for (const char* id : {"i-1", "i-2", "i-3"}) REQUIRE(s.store.Keep(id, KeptAnswer(id)));
  CHECK(s.store.List()->size() == 3);
  REQUIRE(s.store.Keep("i-4", KeptAnswer("i-4")));
  CHECK(*s.store.List() == std::vector<std::string>{"i-2", "i-3", "i-4"});  // the oldest went
  s.clock.now += 25h;
  REQUIRE(s.store.Keep("i-0", KeptAnswer("i-0")));  // sorts first, but just kept: stays
  CHECK(*s.store.List() == std::vector<std::string>{"i-0"});  // the others were older than a day
}

TEST_CASE("result store: a running mark lasts until the answer is kept, or the agent restarts") {
  Store s;
  REQUIRE(s.store.MarkRunning("i-1"));
  REQUIRE(s.store.MarkRunning("i-2"));
  CHECK(*s.store.List(".running") == std::vector<std::string>{"i-1", "i-2"});
  CHECK(s.store.List()->empty());
  REQUIRE(s.store.Keep("i-1", KeptAnswer("i-1")));
  CHECK(*s.store.List(".running") == std::vector<std::string>{"i-2"});
  REQUIRE(s.store.ClearRunning());
  CHECK(s.store.List(".running")->empty());
  CHECK(*s.store.List() == std::vector<std::string>{"i-1"});
}

TEST_CASE("session: results.list, results.fetch and results.ack serve the kept answers") {
  Store s;
  AgentConfig config;
  InterventionContext context{&config, &s.fs, nullptr, nullptr, nullptr, "/state/objects.git", &s.store};
  InterventionSession session(context);
  REQUIRE(s.store.Keep("i-7", KeptAnswer("i-7")));
  REQUIRE(s.store.MarkRunning("i-8"));
  CHECK(*session.Answer({{"type", "results.list"}}) ==
        Json{{"type", "results.list"}, {"interventions", {"i-7"}}, {"running", {"i-8"}}});
  CHECK(*session.Answer({{"type", "results.fetch"}, {"intervention", "i-7"}}) == KeptAnswer("i-7"));
  CHECK((*session.Answer({{"type", "results.fetch"}, {"intervention", "i-8"}}))["code"] == "not_found");
  CHECK((*session.Answer({{"type", "results.fetch"}, {"intervention", "../i-7"}}))["code"] == "bad_request");
  CHECK(*session.Answer({{"type", "results.ack"}, {"intervention", "i-7"}}) ==
        Json{{"type", "results.acked"}, {"intervention", "i-7"}});
  REQUIRE(s.store.Keep("i-8", KeptAnswer("i-8")));  // done: no longer running
  REQUIRE(s.store.Acknowledge("i-8"));
  CHECK(*session.Answer({{"type", "results.list"}}) ==
        Json{{"type", "results.list"}, {"interventions", Json::array()}, {"running", Json::array()}});
}

}  // namespace
}  // namespace daybook::agent
