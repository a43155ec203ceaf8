// The agent's access log (issue 19): hash-chained, durable, continued
// across restarts, bounded, and written before a change is made.
#include "agent/access_log.h"

#include <date/date.h>
#include <doctest/doctest.h>

#include "agent/session.h"
#include "core/base/strings.h"
#include "core/journal/agent_binding.h"
#include "core/crypto/sshsig.h"
#include "core/crypto/ssh_key.h"
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
    Result<AccessLog::Lines> after = log->After(0);
    REQUIRE(after.ok());
    CHECK(after->lines.size() == 2);  // seq 1 and 2
    CHECK(after->next_seq == 3);
  }
  lines = LinesOf(l.path);
  REQUIRE(lines.size() == 3);
  CHECK(journal::CheckAccessChain(lines, 0, journal::kAccessChainStart).ok());

  // A line edited by hand, or removed: the chain says where, and the agent
  // still starts (saying so) and goes on from its last line.
  std::vector<std::string> edited = lines;
  edited[1].replace(edited[1].find("apply"), 5, "hello");
  CHECK(journal::CheckAccessChain(edited, 0, journal::kAccessChainStart).error().message.find("line seq 1 was edited, or seq 2 does not follow it") !=
        std::string::npos);
  std::vector<std::string> removed = {lines[0], lines[2]};
  CHECK(journal::CheckAccessChain(removed, 0, journal::kAccessChainStart).error().message.find("line seq 1 is missing (removed)") !=
        std::string::npos);
  testing::WriteAll(l.path, removed[0] + "\n" + removed[1] + "\n");
  auto log = l.Open();
  CHECK(log->warning().find("is missing (removed)") != std::string::npos);
  REQUIRE(log->Append("session", {{"peer", "y"}}).ok());
  CHECK(log->next_seq() == 4);
}

TEST_CASE("access log: bounded, collected lines cut first, the rest still chained from the cut") {
  Logged l;
  auto log = l.Open(4096);
  auto append = [&](int from, int to) {
    for (int i = from; i < to; ++i) REQUIRE(log->Append("session", {{"peer", "10.0.0." + std::to_string(i)}}).ok());
  };
  auto first_seq = [&] { return *journal::IntField(*journal::ParseCanonical(LinesOf(l.path).front()), "seq"); };
  // Nothing collected: the log grows past the bound, to twice it, before
  // uncollected lines go (collect then reports the gap).
  append(0, 35);
  CHECK(std::filesystem::file_size(l.path) > 4096);
  CHECK(first_seq() == 0);
  append(35, 200);
  CHECK(std::filesystem::file_size(l.path) <= 2 * 4096);
  CHECK(first_seq() > 0);
  std::vector<std::string> lines = LinesOf(l.path);
  CHECK(journal::CheckAccessChain(lines, first_seq(), *journal::StringField(*journal::ParseCanonical(lines.front()), "prev")).ok());
  CHECK(log->next_seq() == 200);

  // Collected up to 180 (kept across restarts): cuts take collected lines
  // only, and every one of them once past the bound; the uncollected rest
  // stays, within twice the bound.
  REQUIRE(log->MarkCollected(180).ok());
  log = l.Open(4096);
  append(200, 230);
  CHECK(first_seq() == 181);
  CHECK(std::filesystem::file_size(l.path) <= 2 * 4096);
  lines = LinesOf(l.path);
  CHECK(journal::CheckAccessChain(lines, first_seq(), *journal::StringField(*journal::ParseCanonical(lines.front()), "prev")).ok());
  // A collector's mark past the end is the end.
  REQUIRE(log->MarkCollected(1000000).ok());
  CHECK(std::stoll(testing::ReadAll(l.path.string() + ".collected")) == 229);
  // The log replaced by a shorter one while the agent was stopped: said at
  // start, and the mark goes back, so retention spares the new lines.
  log.reset();
  testing::WriteAll(l.path, "");
  log = l.Open(4096);
  CHECK(log->warning().find("lines up to seq 229 were collected, but the log is empty") != std::string::npos);
  CHECK(std::stoll(testing::ReadAll(l.path.string() + ".collected")) == -1);
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
  REQUIRE(lines.size() == 1);  // refused before it started: one line, never "started"
  Json refused = *journal::ParseCanonical(lines[0]);
  CHECK(refused["result"] == "error:refused");
  CHECK(refused["peer"] == "10.0.0.9:4242");
  CHECK(refused["key"] == "SHA256:stolen");
  CHECK(refused["claimed_principal"] == "mallory");  // unsigned: a claim, not a principal
  CHECK_FALSE(refused.contains("principal"));
  CHECK(results.List(".running")->empty());

  // An apply or rollback starts once per intervention, also after a restart.
  REQUIRE(log->AppendStartOnce("i-9", {{"type", "apply"}, {"intervention", "i-9"}, {"result", "started"}}).ok());
  Status twice = log->AppendStartOnce("i-9", {{"type", "apply"}, {"intervention", "i-9"}, {"result", "started"}});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message == "intervention i-9 was already carried out on this host");
  log = l.Open();
  context.access = log.get();
  CHECK_FALSE(log->AppendStartOnce("i-9", {{"type", "apply"}, {"intervention", "i-9"}, {"result", "started"}}).ok());
  CHECK(log->AppendStartOnce("i-10", {{"type", "apply"}, {"intervention", "i-10"}, {"result", "started"}}).ok());

  // Without an access log, nothing that changes the host is carried out,
  // even a request an operator signed.
  crypto::Ed25519Key op = *crypto::Ed25519Key::Generate();
  testing::WriteAll(l.tmp.path / "authorized_operators", crypto::FormatSshPublicKey(op.public_key()) + "\n");
  Json signed_apply = apply;
  signed_apply["intervention"] = "i-11";
  Json begin_record = {{"type", "intervention.begin"}, {"intervention", "i-11"}, {"ts", journal::FormatTimestamp(l.clock.now)},
                       {"targets", {"web-01"}}, {"manifest", {{"commit", "c"}, {"path", "p"}}},
                       {"apply", journal::ApplyContentHash(signed_apply)}, {"operator", crypto::SshFingerprint(op.public_key())}};
  begin_record["op_sig"] = crypto::SshsigSign(op, journal::kOperatorNamespace, journal::Canonical(begin_record));
  signed_apply["begin"] = journal::Canonical(begin_record);
  context.access = nullptr;
  testing::ScriptedStream unrecorded({protocol::EncodeFrame(signed_apply)});
  ServeSession(context, unrecorded);
  CHECK(unrecorded.written.find("not carried out: this request cannot be recorded") != std::string::npos);
  CHECK(results.List(".running")->empty());
  CHECK(ChangesHost(apply));
  CHECK_FALSE(ChangesHost(protocol::FactsRequest()));
  CHECK(ChangesHost({{"type", "results.ack"}, {"intervention", "i-1"}}));
}
