// The agent's access log (issue 19): hash-chained, durable, continued
// across restarts, bounded, and written before a change is made.
#include "agent/access_log.h"

#include <date/date.h>
#include <doctest/doctest.h>

#include "agent/session.h"
#include "core/base/strings.h"
#include "core/journal/record.h"
#include "core/protocol/messages.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/scripted_stream.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::agent;
using journal::Json;

namespace {

std::vector<std::string> LinesOf(const std::filesystem::path& path) {
  std::vector<std::string> lines = Split(testing::ReadAll(path), '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

struct Logged {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  testing::FixedClock clock{date::sys_days{date::year{2026} / 11 / 30}};
  std::filesystem::path path = tmp.path / "access.jsonl";

  std::unique_ptr<AccessLog> Open(uint64_t max_bytes = kDefaultAccessLogBytes) {
    Result<std::unique_ptr<AccessLog>> log = AccessLog::Open(*fs, clock, path, max_bytes);
    REQUIRE(log.ok());
    return std::move(*log);
  }
};

}  // namespace

TEST_CASE("access log: a hash chain, continued after a restart, a torn line cut") {
  Logged l;
  {
    auto log = l.Open();
    REQUIRE(log->Append("session", {{"peer", "10.0.0.9:4242"}, {"key", "SHA256:abc"}, {"outcome", "hello"}, {"duration_ms", 3}}).ok());
    REQUIRE(log->Append("request", {{"peer", "10.0.0.9:4242"}, {"type", "apply"}, {"result", "started"}}).ok());
  }
  std::vector<std::string> lines = LinesOf(l.path);
  REQUIRE(lines.size() == 2);
  CHECK(journal::CheckAccessChain(lines, 0, journal::kAccessChainStart).ok());
  CHECK(journal::StringField(*journal::ParseCanonical(lines[0]), "event") == "session");
  // A crash mid-append: the torn line is cut at the next start, the chain goes on.
  testing::WriteAll(l.path, testing::ReadAll(l.path) + "{\"seq\":2,\"ts\"");
  {
    auto log = l.Open();
    CHECK(log->warning().empty());
    CHECK(log->next_seq() == 2);
    REQUIRE(log->Append("session", {{"peer", "x"}}).ok());
    Result<std::vector<std::string>> after = log->After(0);
    REQUIRE(after.ok());
    CHECK(after->size() == 2);  // seq 1 and 2
  }
  lines = LinesOf(l.path);
  REQUIRE(lines.size() == 3);
  CHECK(journal::CheckAccessChain(lines, 0, journal::kAccessChainStart).ok());

  // A line edited by hand, or removed: the chain says where, and the agent
  // still starts (saying so) and goes on from its last line.
  std::vector<std::string> edited = lines;
  edited[1].replace(edited[1].find("apply"), 5, "hello");
  CHECK(journal::CheckAccessChain(edited, 0, journal::kAccessChainStart).error().message.find("seq 2: does not chain") !=
        std::string::npos);
  std::vector<std::string> removed = {lines[0], lines[2]};
  CHECK(journal::CheckAccessChain(removed, 0, journal::kAccessChainStart).error().message.find("a line was removed") !=
        std::string::npos);
  testing::WriteAll(l.path, removed[0] + "\n" + removed[1] + "\n");
  auto log = l.Open();
  CHECK(log->warning().find("a line was removed") != std::string::npos);
  REQUIRE(log->Append("session", {{"peer", "y"}}).ok());
  CHECK(log->next_seq() == 4);
}

TEST_CASE("access log: bounded, the oldest cut, the rest still chained from the cut") {
  Logged l;
  auto log = l.Open(4096);
  for (int i = 0; i < 200; ++i) REQUIRE(log->Append("session", {{"peer", "10.0.0." + std::to_string(i)}}).ok());
  CHECK(std::filesystem::file_size(l.path) <= 4096);
  std::vector<std::string> lines = LinesOf(l.path);
  Json first = *journal::ParseCanonical(lines.front());
  CHECK(*journal::IntField(first, "seq") > 0);
  CHECK(journal::CheckAccessChain(lines, *journal::IntField(first, "seq"), *journal::StringField(first, "prev")).ok());
  CHECK(log->next_seq() == 200);
}

TEST_CASE("access log: a change is recorded before it is made, refused ones too, and without a log nothing changes") {
  using protocol::Json;
  Logged l;
  auto log = l.Open();
  crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  AgentConfig config;
  config.state_dir = l.tmp.path.string();
  testing::WriteAll(l.tmp.path / "authorized_operators", "");
  AuthorizedOperators operators(*l.fs, l.tmp.path / "authorized_operators");
  ResultStore results(*l.fs, l.clock, l.tmp.path / "results");
  InterventionContext interventions{&config, l.fs.get(), nullptr, nullptr, nullptr, l.tmp.path / "objects.git", &results,
                                    &operators, &l.clock};
  SessionContext context{&key, 1 << 16, std::chrono::seconds(1), [] { return Json::object(); }, &interventions, &l.clock, log.get()};
  // An apply whose begin nobody signed.
  std::string begin = journal::Canonical({{"type", "intervention.begin"}, {"intervention", "i-1"}, {"principal", "mallory"}});
  Json apply = {{"type", "apply"}, {"intervention", "i-1"}, {"host", "web-01"}, {"begin", begin},
                {"deploys", {{{"name", "app"}, {"path", "/srv/app"}, {"commit", "abc"}, {"keep", 5}, {"after", Json::array()},
                              {"timeout_ms", 600000}}}}};
  testing::ScriptedStream stream({protocol::EncodeFrame(protocol::HelloRequest("t")), protocol::EncodeFrame(apply)});
  ServeSession(context, stream, {}, Peer{"10.0.0.9:4242", "SHA256:stolen"});
  std::vector<std::string> lines = LinesOf(l.path);
  REQUIRE(lines.size() == 2);  // hello changes nothing: not recorded per request
  Json started = *journal::ParseCanonical(lines[0]), done = *journal::ParseCanonical(lines[1]);
  CHECK(started["result"] == "started");
  CHECK(started["peer"] == "10.0.0.9:4242");
  CHECK(started["key"] == "SHA256:stolen");
  CHECK(started["principal"] == "mallory");
  CHECK(done["result"] == "error:refused");
  CHECK(results.List(".running")->empty());

  // The same intervention again (a genuine begin replayed with other
  // deploys would look like this): refused before anything, logged once more.
  testing::ScriptedStream replay({protocol::EncodeFrame(apply)});
  ServeSession(context, replay, {}, Peer{"10.0.0.9:4243", "SHA256:stolen"});
  CHECK(replay.written.find("intervention i-1 was already carried out on this host") != std::string::npos);
  REQUIRE(LinesOf(l.path).size() == 3);  // not started; refused, with who asked
  Json refused = *journal::ParseCanonical(LinesOf(l.path)[2]);
  CHECK(refused["result"] == "error:refused");
  CHECK(refused["peer"] == "10.0.0.9:4243");
  // ... also after a restart of the agent (the log is read back).
  log = l.Open();
  context.access = log.get();
  testing::ScriptedStream restarted({protocol::EncodeFrame(apply)});
  ServeSession(context, restarted);
  CHECK(restarted.written.find("already carried out") != std::string::npos);

  // Without an access log, nothing that changes the host is carried out.
  context.access = nullptr;
  testing::ScriptedStream again({protocol::EncodeFrame(apply)});
  ServeSession(context, again);
  CHECK(again.written.find("not carried out: this request cannot be recorded") != std::string::npos);
  CHECK(ChangesHost(apply));
  CHECK_FALSE(ChangesHost(protocol::FactsRequest()));
  CHECK(ChangesHost({{"type", "results.ack"}, {"intervention", "i-1"}}));
}
