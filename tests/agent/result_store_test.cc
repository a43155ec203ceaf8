// The results an agent keeps for a controller that did not journal them:
// kept exactly as signed, listed, fetched, forgotten once acknowledged,
// bounded in count, age and bytes (oldest by the time kept, not by id); the
// temporary files of a crashed write removed at start-up; and the session
// messages that serve them.
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

TEST_CASE("result store: kept, listed by id, fetched as kept, forgotten once acknowledged") {
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

// The size of the file Keep writes for `id` (ids of one length: one size).
size_t KeptSize(const std::string& id) {
  testing::FakeFilesystem fs;
  testing::FixedClock clock{TimePoint(std::chrono::milliseconds(1'790'000'000'000))};
  ResultStore store{fs, clock, "/r"};
  REQUIRE(store.Keep(id, KeptAnswer(id)));
  return fs.ReadFile("/r/" + id + ".json")->size();
}

TEST_CASE("result store: the oldest go first by the time they were kept, not by id") {
  // Two controllers: ids that sort backwards in time.
  Store s;
  for (const char* id : {"z-3", "m-2", "a-1", "b-4"}) {
    REQUIRE(s.store.Keep(id, KeptAnswer(id)));
    s.clock.now += 1min;
  }
  CHECK(*s.store.List() == std::vector<std::string>{"a-1", "b-4", "m-2"});  // z-3 was kept first
}

TEST_CASE("result store: at most max_bytes together, oldest kept first, never the one just kept") {
  const uint64_t one = KeptSize("z-1");
  testing::FakeFilesystem fs;
  testing::FixedClock clock{TimePoint(std::chrono::milliseconds(1'790'000'000'000))};
  ResultStore store{fs, clock, "/state/results", {100, 24h, 2 * one + one / 2}};
  for (const char* id : {"z-1", "y-2"}) {
    REQUIRE(store.Keep(id, KeptAnswer(id)));
    clock.now += 1s;
  }
  CHECK(*store.List() == std::vector<std::string>{"y-2", "z-1"});
  REQUIRE(store.Keep("x-3", KeptAnswer("x-3")));  // three would not fit: the first kept goes
  CHECK(*store.List() == std::vector<std::string>{"x-3", "y-2"});
  clock.now += 1s;
  // One answer larger than the budget: the others go, it stays.
  Json big = KeptAnswer("a-4");
  big["output"] = std::string(3 * one, 'x');
  REQUIRE(store.Keep("a-4", big));
  CHECK(*store.List() == std::vector<std::string>{"a-4"});
  CHECK(**store.Fetch("a-4") == big);
  clock.now += 1s;
  REQUIRE(store.Keep("w-5", KeptAnswer("w-5")));  // the big one is the oldest now
  CHECK(*store.List() == std::vector<std::string>{"w-5"});
  // An unreadable file counts as the oldest.
  fs.AddFile("/state/results/b-0.json", "not json");
  clock.now += 1s;
  REQUIRE(store.Keep("v-6", KeptAnswer("v-6")));
  CHECK(*store.List() == std::vector<std::string>{"v-6", "w-5"});
}

TEST_CASE("result store: the temporary files of a write a crash cut short are removed at start-up") {
  Store s;
  REQUIRE(s.store.Keep("i-1", KeptAnswer("i-1")));
  REQUIRE(s.store.MarkRunning("i-2"));
  s.fs.AddFile("/state/results/i-2.json.tmp-a1B2c3", "{\"answer\":");  // cut mid-write
  s.fs.AddFile("/state/results/i-3.running.tmp-Zz9yX8", "");
  CHECK(*s.store.List() == std::vector<std::string>{"i-1"});  // never taken for a result
  Result<int> removed = s.store.RemoveInterruptedWrites();
  REQUIRE(removed);
  CHECK(*removed == 2);
  CHECK(s.fs.ListDirectory("/state/results").value() == std::vector<std::string>{"i-1.json", "i-2.running"});
  CHECK(*s.store.RemoveInterruptedWrites() == 0);
  // No directory yet (a fresh agent): nothing to do.
  testing::FakeFilesystem empty;
  ResultStore fresh{empty, s.clock, "/state/results"};
  CHECK(*fresh.RemoveInterruptedWrites() == 0);
}

TEST_CASE("result store: a running mark lasts until the answer is kept, and a restart turns it into a cut-short mark") {
  Store s;
  REQUIRE(s.store.MarkRunning("i-1"));
  REQUIRE(s.store.MarkRunning("i-2"));
  CHECK(*s.store.List(".running") == std::vector<std::string>{"i-1", "i-2"});
  CHECK(s.store.List()->empty());
  REQUIRE(s.store.Keep("i-1", KeptAnswer("i-1")));
  CHECK(*s.store.List(".running") == std::vector<std::string>{"i-2"});
  REQUIRE(s.store.ClearRunning());
  CHECK(s.store.List(".running")->empty());
  // i-2 may have changed the host before the restart: said, never forgotten.
  CHECK(*s.store.List(".cut") == std::vector<std::string>{"i-2"});
  CHECK(*s.store.List() == std::vector<std::string>{"i-1"});
  REQUIRE(s.store.Acknowledge("i-2"));
  CHECK(s.store.List(".cut")->empty());
}

TEST_CASE("session: results.list, results.fetch and results.ack serve the kept answers") {
  Store s;
  AgentConfig config;
  InterventionContext context{&config, &s.fs, nullptr, nullptr, nullptr, "/state/objects.git", &s.store};
  InterventionSession session(context);
  REQUIRE(s.store.Keep("i-7", KeptAnswer("i-7")));
  REQUIRE(s.store.MarkRunning("i-8"));
  CHECK(*session.Answer({{"type", "results.list"}}) ==
        Json{{"type", "results.list"}, {"interventions", {"i-7"}}, {"running", {"i-8"}}, {"cut", Json::array()}});
  CHECK(*session.Answer({{"type", "results.fetch"}, {"intervention", "i-7"}}) == KeptAnswer("i-7"));
  CHECK((*session.Answer({{"type", "results.fetch"}, {"intervention", "i-8"}}))["code"] == "not_found");
  CHECK((*session.Answer({{"type", "results.fetch"}, {"intervention", "../i-7"}}))["code"] == "bad_request");
  // Forgetting a kept result needs the intervention's signed begin record
  // (agent_test.cc checks one that is): an id alone is refused, nothing forgotten.
  CHECK((*session.Answer({{"type", "results.ack"}, {"intervention", "i-7"}}))["code"] == "refused");
  CHECK(*s.store.List() == std::vector<std::string>{"i-7"});
  REQUIRE(s.store.Acknowledge("i-7"));
  REQUIRE(s.store.Keep("i-8", KeptAnswer("i-8")));  // done: no longer running
  REQUIRE(s.store.Acknowledge("i-8"));
  CHECK(*session.Answer({{"type", "results.list"}}) ==
        Json{{"type", "results.list"}, {"interventions", Json::array()}, {"running", Json::array()}, {"cut", Json::array()}});
}

}  // namespace
}  // namespace daybook::agent
