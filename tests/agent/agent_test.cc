#include <date/date.h>
#include <doctest/doctest.h>

#include <fstream>

#include "agent/answer_binding.h"
#include "agent/begin_check.h"
#include "agent/config.h"
#include "agent/facts.h"
#include "agent/operators.h"
#include "agent/intervention_session.h"
#include "agent/result_store.h"
#include "agent/session.h"
#include "core/crypto/ssh_key.h"
#include "core/crypto/sshsig.h"
#include "core/journal/agent_binding.h"
#include "core/journal/canonical.h"
#include "core/journal/record.h"
#include "core/protocol/messages.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/scripted_stream.h"
#include "tests/fakes/fake_filesystem.h"
#include "tests/fakes/fake_process_runner.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::agent;

namespace {

// A Stream that replays scripted input and records what was written.
using testing::ScriptedStream;

std::vector<protocol::Json> Responses(ScriptedStream& s, const crypto::Ed25519Key& key) {
  std::vector<protocol::Json> out;
  while (auto frame = s.decoder.Next()) out.push_back(*protocol::OpenResponse(**frame, key.public_key()));
  return out;
}

}  // namespace

TEST_CASE("agent config: defaults, values, every error positioned") {
  Result<AgentConfig> empty = ParseAgentConfig({"agent.toml", ""});
  REQUIRE(empty.ok());
  CHECK(empty->listen_port == 7022);
  Result<AgentConfig> set = ParseAgentConfig({"agent.toml", "listen = \"[::1]:0\"\nroot = \"/tmp/r\"\nmax_sessions = 8\nlogin_grace = \"5s\"\n"});
  REQUIRE(set.ok());
  CHECK(set->listen_address == "::1");
  CHECK(set->listen_port == 0);
  CHECK(set->login_grace == std::chrono::seconds(5));
  Result<AgentConfig> bad = ParseAgentConfig({"agent.toml",
      "listen = \"localhost:7022\"\nroot = \"relative\"\ndeploy_roots = [\"/\"]\npackage_backend = \"yum\"\nmax_sesions = 3\n"});
  REQUIRE_FALSE(bad.ok());
  std::vector<std::string> lines;
  for (const Diagnostic& d : bad.error().diagnostics) lines.push_back(d.ToString());
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].find("agent.toml:1:10: error: bad listen address \"localhost:7022\"") == 0);
  CHECK(lines[1] == "agent.toml:2:8: error: root \"relative\" must be an absolute, normalised path");
  CHECK(lines[2].find("agent.toml:3:17: error: deploy root \"/\"") == 0);
  CHECK(lines[3] == "agent.toml:4:19: error: bad package_backend \"yum\": expected apt, dnf, none or auto");
  CHECK(lines[4] == "agent.toml:5:1: error: unknown key \"max_sesions\" in agent.toml; did you mean \"max_sessions\"?");
}

TEST_CASE("agent config: security origins default to Debian's and Ubuntu's, a bad pattern is positioned, security_suites means suites") {
  Result<AgentConfig> empty = ParseAgentConfig({"agent.toml", ""});
  REQUIRE(empty.ok());
  CHECK(empty->security_origins == kDefaultSecurityOrigins);
  Result<AgentConfig> suites = ParseAgentConfig({"agent.toml", "security_suites = [\"*-security\"]\n"});
  REQUIRE(suites.ok());
  CHECK(suites->security_origins == std::vector<std::string>{"suite=*-security"});
  Result<AgentConfig> bad = ParseAgentConfig({"agent.toml", "security_origins = [\"origin=Debian\", \"Debian-Security\", \"o=X,site=y\"]\n"});
  REQUIRE_FALSE(bad.ok());
  std::vector<std::string> lines;
  for (const Diagnostic& d : bad.error().diagnostics) lines.push_back(d.ToString());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "agent.toml:1:38: error: \"Debian-Security\" is not key=value (keys: origin, label, suite, codename)");
  CHECK(lines[1].find("agent.toml:1:57: error: unknown key \"site\"") == 0);
  Result<AgentConfig> both = ParseAgentConfig({"agent.toml", "security_origins = [\"o=Debian\"]\nsecurity_suites = [\"*-security\"]\n"});
  REQUIRE_FALSE(both.ok());
}

TEST_CASE("agent operators: plain ed25519 lines only, re-read on every check") {
  crypto::Ed25519Key a = *crypto::Ed25519Key::Generate(), b = *crypto::Ed25519Key::Generate();
  OperatorKeys keys = ParseAuthorizedKeys("# ops\n" + crypto::FormatSshPublicKey(a.public_key(), "alice") +
                                          "\nfrom=\"10.0.0.1\" " + crypto::FormatSshPublicKey(b.public_key()) +
                                          "\nssh-rsa AAAAB3NzaC1yc2E bob\n");
  CHECK(keys.keys.size() == 1);
  CHECK(keys.skipped.size() == 2);
  testing::FakeFilesystem fs;
  AuthorizedOperators operators(fs, "/etc/daybook/ops");
  CHECK_FALSE(operators.IsAuthorized(a.public_key()));  // no file: nobody
  fs.AddFile("/etc/daybook/ops", crypto::FormatSshPublicKey(a.public_key()) + "\n");
  CHECK(operators.IsAuthorized(a.public_key()));
  CHECK_FALSE(operators.IsAuthorized(b.public_key()));
  fs.AddFile("/etc/daybook/ops", crypto::FormatSshPublicKey(b.public_key()) + "\n");  // a removed, b added
  CHECK_FALSE(operators.IsAuthorized(a.public_key()));
  CHECK(operators.IsAuthorized(b.public_key()));
}

TEST_CASE("agent facts: the host's own os-release through its link (root \"/\", as on every Debian host)") {
  // Debian's /etc/os-release is a link to ../usr/lib/os-release: read as
  // the host's own file, not refused as a link would be in a managed root.
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  AgentConfig config;
  config.root = "/";
  testing::FakeProcessRunner runner;
  protocol::Json facts = CollectFacts(*fs, runner, config, {"vm-1", "k"});
  std::ifstream release("/etc/os-release");
  std::string text((std::istreambuf_iterator<char>(release)), std::istreambuf_iterator<char>());
  REQUIRE(text.find("\nID=") != std::string::npos);
  CHECK_FALSE(facts["os_id"].get<std::string>().empty());
}

TEST_CASE("agent facts: from the root's os-release, reboot flag, backend detection") {
  testing::FakeFilesystem fs;
  fs.AddFile("/sandbox/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
  fs.AddLink("/sandbox/var/run", "/run");  // as in a Debian root: the flag is the root's /run, not the host's
  fs.AddFile("/sandbox/run/reboot-required", "");
  fs.AddFile("/run/reboot-required", "");  // ignored: the host's
  fs.AddFile("/sandbox/usr/bin/apt-get", "");
  fs.AddFile("/proc/sys/kernel/random/boot_id", "8c092c08-ad7f\n");
  fs.AddFile("/proc/uptime", "3527.41 7000.1\n");
  AgentConfig config;
  config.root = "/sandbox";
  testing::FakeProcessRunner runner;
  protocol::Json facts = CollectFacts(fs, runner, config, {"vm-1", "6.1.0-28-amd64"});
  CHECK(facts["os_id"] == "debian");
  CHECK(facts["os_version"] == "12");
  CHECK(facts["boot_id"] == "8c092c08-ad7f");
  CHECK(facts["uptime_s"] == 3527);
  CHECK(facts["reboot_required"] == true);
  CHECK(facts["package_backend"] == "apt");
  CHECK(facts["kernel"] == "6.1.0-28-amd64");
  CHECK(runner.ran.empty());

  // An RPM sandbox root: the agent reads the root's needs-restarting.d and
  // the install times itself, confined (the plugin's boot time would be
  // the sandbox's own PID 1): installed after the host's boot is "required".
  config.package_backend = "dnf";
  runner.On("sh -c cat -- ", 0, "");
  runner.On("rpm -q --qf %{NAME} %{INSTALLTIME}\\n --root=/sandbox", 1, "kernel 4102444800\npackage glibc is not installed\n");
  CHECK(CollectFacts(fs, runner, config, {"vm-1", "k"})["reboot_required"] == true);
  runner.scripts.clear();
  runner.uses.clear();
  runner.On("sh -c cat -- ", 0, "");
  runner.On("rpm -q --qf %{NAME} %{INSTALLTIME}\\n --root=/sandbox", 1, "kernel 1000\n");
  CHECK(CollectFacts(fs, runner, config, {"vm-1", "k"})["reboot_required"] == false);
  runner.scripts.clear();
  runner.uses.clear();
  runner.On("sh -c cat -- ", 0, "");
  runner.On("rpm -q --qf %{NAME} %{INSTALLTIME}\\n --root=/sandbox", 1, "", "error: rpmdb: damaged\n");
  CHECK(CollectFacts(fs, runner, config, {"vm-1", "k"})["reboot_required"].is_null());
  runner.scripts.clear();
  runner.uses.clear();

  // An RPM host: `dnf needs-restarting -r` decides; exit 1 is
  // "required" only with its words, any other exit 1 is "cannot tell" (null).
  config.root = "/";
  fs.AddFile("/usr/bin/dnf", "");
  runner.On("dnf -q needs-restarting -r", 1,
            testing::ReadAll(std::string(DAYBOOK_SOURCE_DIR) + "/tests/agent/recorded/dnf-needs-restarting-required.txt"));
  CHECK(CollectFacts(fs, runner, config, {"vm-1", "k"})["reboot_required"] == true);
  runner.scripts.clear();
  runner.uses.clear();
  runner.On("dnf -q needs-restarting -r", 1, "",
            testing::ReadAll(std::string(DAYBOOK_SOURCE_DIR) + "/tests/agent/recorded/dnf-needs-restarting-typo.stderr.txt"));
  CHECK(CollectFacts(fs, runner, config, {"vm-1", "k"})["reboot_required"].is_null());
  runner.scripts.clear();
  runner.uses.clear();
  runner.On("dnf -q needs-restarting -r", 0,
            "No core libraries or services have been updated since boot-up.\nReboot should not be necessary.\n");
  CHECK(CollectFacts(fs, runner, config, {"vm-1", "k"})["reboot_required"] == false);
}

TEST_CASE("agent session: answers in order, unknown types get an error, bad frames end the session") {
  crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  SessionContext context{&key, 1024, std::chrono::seconds(1), [] { return protocol::Json{{"kernel", "k"}}; }, nullptr};
  std::string hello = protocol::EncodeFrame(protocol::HelloRequest("t"));
  ScriptedStream ok({hello.substr(0, 3), hello.substr(3) + protocol::EncodeFrame({{"type", "rm -rf"}}),
                     protocol::EncodeFrame(protocol::FactsRequest())});
  CHECK(ServeSession(context, ok) == "hello,rm -rf(unknown_type),facts");
  std::vector<protocol::Json> responses = Responses(ok, key);
  REQUIRE(responses.size() == 3);
  CHECK(responses[0]["protocol"] == 1);
  CHECK(responses[1]["type"] == "error");
  CHECK(responses[1]["code"] == "unknown_type");
  CHECK(responses[2]["facts"]["kernel"] == "k");

  ScriptedStream oversize({std::string("\0\0\x10\0", 4), protocol::EncodeFrame(protocol::FactsRequest())});
  CHECK(ServeSession(context, oversize).find("error: frame of 4096 bytes exceeds the limit of 1024") == 0);
  responses = Responses(oversize, key);
  REQUIRE(responses.size() == 1);  // the error, and nothing after it
  CHECK(responses[0]["code"] == "bad_frame");

  ScriptedStream malformed({std::string("\0\0\0\x04{bad", 8)});
  CHECK(ServeSession(context, malformed).find("error: malformed frame") == 0);
  CHECK(Responses(malformed, key)[0]["code"] == "bad_frame");
}

namespace {

// An operator listed in an agent's authorized_operators, who signs begin
// records as the controller does (op_sig over the record without it).
struct SigningOperator {
  testing::TempDir tmp;
  crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  std::unique_ptr<AuthorizedOperators> operators;
  testing::FixedClock clock{date::sys_days{date::year{2026} / 11 / 30} + std::chrono::hours(6)};

  SigningOperator() {
    testing::WriteAll(tmp.path / "authorized_operators", crypto::FormatSshPublicKey(key.public_key()) + "\n");
    operators = std::make_unique<AuthorizedOperators>(*fs, tmp.path / "authorized_operators");
  }

  protocol::Json Sign(protocol::Json begin, const crypto::Ed25519Key* by = nullptr, int age_hours = 0) const {
    const crypto::Ed25519Key& signer = by ? *by : key;
    begin["type"] = "intervention.begin";
    begin["ts"] = journal::FormatTimestamp(clock.now - std::chrono::hours(age_hours));
    begin["operator"] = crypto::SshFingerprint(signer.public_key());
    begin["op_sig"] = crypto::SshsigSign(signer, journal::kOperatorNamespace, journal::Canonical(begin));
    return begin;
  }
};

}  // namespace

TEST_CASE("agent facts bound to an intervention: a bootstrap's only (facts prove no push), signed by an operator") {
  using protocol::Json;
  crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  SigningOperator op;
  InterventionContext interventions;
  interventions.operators = op.operators.get();
  interventions.clock = &op.clock;
  SessionContext context{&key, 1 << 16, std::chrono::seconds(1), [] { return Json{{"agent_version", "0.1.0"}}; }, &interventions};
  auto ask = [&](const Json& begin_record) {
    Json request = protocol::FactsRequest();
    request["intervention"] = "i-1";
    request["host"] = "web-01";
    request["begin"] = journal::Canonical(begin_record);
    return Answer(context, nullptr, request);
  };
  Json bootstrap_begin = {{"intervention", "i-1"}, {"targets", {"web-01"}},
                          {"bootstrap", {{"package", "daybook-agent"}, {"version", "0.1.0-1"}, {"sha256", "ab"}}}};
  Json bootstrap = ask(op.Sign(bootstrap_begin));
  CHECK(bootstrap["type"] == "facts");
  CHECK(bootstrap["status"] == "ok");
  CHECK(bootstrap["host"] == "web-01");
  Json unsigned_begin = bootstrap_begin;
  unsigned_begin["type"] = "intervention.begin";
  CHECK(ask(unsigned_begin)["code"] == "refused");
  Json elsewhere = bootstrap_begin;
  elsewhere["targets"] = {"db-01"};  // signed for other hosts
  CHECK(ask(op.Sign(elsewhere))["message"].get<std::string>().find("not among the targets the operator signed") != std::string::npos);
  Json push = ask(op.Sign({{"intervention", "i-1"}, {"manifest", {{"commit", "c"}, {"path", "p"}}}}));
  CHECK(push["type"] == "error");
  CHECK(push["code"] == "bad_request");
  CHECK(Answer(context, nullptr, protocol::FactsRequest())["agent_version"].is_null());  // unbound facts: as before
  CHECK(journal::BeginAnswerType({{"manifest", {{"commit", "c"}}}}) == "apply.result");
  CHECK(journal::BeginAnswerType({{"rollback", {{"deploy", "app"}}}}) == "deploy.result");
  CHECK(journal::BeginAnswerType({{"bootstrap", {{"package", "p"}}}}) == "facts");
}

TEST_CASE("agent: a change needs a begin record signed by one of its operators, recent, unaltered") {
  using protocol::Json;
  SigningOperator op;
  Json begin = op.Sign({{"intervention", "i-1"}, {"manifest", {{"commit", "c"}, {"path", "p"}}}, {"principal", "alice@devteam"}});
  Result<BeginSigner> ok = CheckBeginSignature(begin, *op.operators, op.clock.now);
  REQUIRE(ok.ok());
  CHECK(ok->principal == "alice@devteam");
  auto refused = [&](const Json& b) {
    Result<BeginSigner> r = CheckBeginSignature(b, *op.operators, op.clock.now);
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  Json stripped = begin;
  stripped.erase("op_sig");
  CHECK(refused(stripped).find("no operator signature") != std::string::npos);
  Json altered = begin;
  altered["targets"] = {"db-01"};
  CHECK(refused(altered).find("does not verify") != std::string::npos);
  crypto::Ed25519Key stranger = *crypto::Ed25519Key::Generate();
  CHECK(refused(op.Sign({{"intervention", "i-1"}}, &stranger)).find("not in this agent's authorized_operators") != std::string::npos);
  CHECK(refused(op.Sign({{"intervention", "i-1"}}, nullptr, 24 * 9)).find("more than 8 days ago") != std::string::npos);
  CHECK(refused(op.Sign({{"intervention", "i-1"}}, nullptr, -1)).find("ahead of this host's clock") != std::string::npos);
  Json misnamed = begin;
  misnamed["operator"] = "SHA256:someone-else";
  CHECK(refused(misnamed).find("does not verify") != std::string::npos);  // the name is under the signature

  // What the request asks must be what the begin signed: its kind, its
  // deploys and hooks (apply), its deploy and release (rollback), its host.
  InterventionContext checks;
  checks.operators = op.operators.get();
  checks.clock = &op.clock;
  Json apply_asked = {{"type", "apply"}, {"intervention", "i-2"}, {"host", "web-01"},
                      {"deploys", {{{"name", "app"}, {"path", "/srv/app"}, {"commit", "abc"}, {"keep", 5},
                                    {"after", {"true"}}, {"timeout_ms", 600000}}}}};
  Json push_begin = op.Sign({{"intervention", "i-2"}, {"targets", {"web-01"}}, {"manifest", {{"commit", "c"}, {"path", "p"}}},
                             {"apply", journal::ApplyContentHash(apply_asked)}});
  auto asked = [&](Json request, const Json& signed_begin) {
    request["begin"] = journal::Canonical(signed_begin);
    Result<BeginSigner> r = CheckRequestBegin(checks, request);
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  CHECK(asked(apply_asked, push_begin) == "accepted");
  Json other_hook = apply_asked;
  other_hook["deploys"][0]["after"] = {"sh", "-c", "id > /tmp/pwned"};
  CHECK(asked(other_hook, push_begin).find("differ from what the operator signed") != std::string::npos);
  Json other_host = apply_asked;
  other_host["host"] = "db-01";
  CHECK(asked(other_host, push_begin).find("not among the targets") != std::string::npos);
  Json bootstrap_begin = op.Sign({{"intervention", "i-2"}, {"targets", {"web-01"}}, {"bootstrap", {{"package", "p"}}}});
  CHECK(asked(apply_asked, bootstrap_begin).find("not a push's") != std::string::npos);
  Json rollback = {{"type", "deploy.rollback"}, {"intervention", "i-2"}, {"host", "web-01"}, {"name", "app"}, {"to", ""}};
  Json rollback_begin = op.Sign({{"intervention", "i-2"}, {"targets", {"web-01"}}, {"rollback", {{"deploy", "app"}, {"to", nullptr}}}});
  CHECK(asked(rollback, rollback_begin) == "accepted");
  Json other_deploy = rollback;
  other_deploy["name"] = "db";
  CHECK(asked(other_deploy, rollback_begin).find("not the rollback the operator signed") != std::string::npos);
  // Forgetting a kept result takes the intervention's begin too.
  Json ack = {{"type", "results.ack"}, {"intervention", "i-2"}, {"host", "web-01"}};
  CHECK(asked(ack, rollback_begin) == "accepted");
  CHECK(asked(ack, stripped).find("no operator signature") != std::string::npos);

  // Through a session: a forged apply changes nothing and marks nothing running.
  AgentConfig config;
  config.state_dir = op.tmp.path.string();
  ResultStore results(*op.fs, op.clock, op.tmp.path / "results");
  InterventionContext context{&config, op.fs.get(), nullptr, nullptr, nullptr, op.tmp.path / "objects.git", &results,
                              op.operators.get(), &op.clock};
  InterventionSession session(context);
  Json apply = {{"type", "apply"}, {"intervention", "i-1"}, {"host", "web-01"}, {"begin", journal::Canonical(stripped)},
                {"deploys", {{{"name", "app"}, {"path", "/srv/app"}, {"commit", "abc"}, {"keep", 5}, {"after", Json::array()},
                               {"timeout_ms", 600000}}}}};
  std::optional<Json> answer = session.Answer(apply);
  REQUIRE(answer);
  CHECK((*answer)["code"] == "refused");
  CHECK_FALSE(std::filesystem::exists(op.tmp.path / "results" / "i-1.json.running"));
  CHECK(results.List(".running")->empty());
}

TEST_CASE("agent observations: the question's id and the agent's clock, inside what it signs") {
  using protocol::Json;
  crypto::Ed25519Key key = *crypto::Ed25519Key::Generate();
  testing::FixedClock clock{date::sys_days{date::year{2026} / 11 / 30} + std::chrono::hours(6)};
  SessionContext context{&key, 1 << 16, std::chrono::seconds(1), [] { return Json{{"reboot_required", false}}; }, nullptr, &clock};
  Json request = protocol::FactsRequest();
  request["observe"] = "00112233445566778899aabbccddeeff";
  request["journal"] = "daybook.local/prod";
  ScriptedStream stream({protocol::EncodeFrame(request)});
  ServeSession(context, stream);
  std::vector<Json> responses = Responses(stream, key);  // signature checked
  REQUIRE(responses.size() == 1);
  CHECK(responses[0]["observe"] == "00112233445566778899aabbccddeeff");
  CHECK(responses[0]["observed_at"] == "2026-11-30T06:00:00.000Z");
  CHECK(responses[0]["journal"] == "daybook.local/prod");
  CHECK(WithObservation(clock, {{"observe", "00112233445566778899aabbccddeeff"}}, {{"type", "facts"}})["code"] == "bad_request");

  CHECK(WithObservation(clock, {{"observe", "ABC"}}, {{"type", "facts"}})["code"] == "bad_request");
  CHECK(WithObservation(clock, {{"observe", 7}}, {{"type", "facts"}})["code"] == "bad_request");
  // An error, an answer of another type, or one bound to an intervention is left as it is.
  Json error = protocol::ErrorMessage("x", "y");
  CHECK(WithObservation(clock, request, error) == error);
  CHECK_FALSE(WithObservation(clock, request, {{"type", "apply.result"}}).contains("observe"));
  CHECK_FALSE(WithObservation(clock, request, {{"type", "facts"}, {"intervention", "i-1"}}).contains("observe"));
  CHECK_FALSE(WithObservation(clock, protocol::FactsRequest(), {{"type", "facts"}}).contains("observed_at"));
}

TEST_CASE("agent answers that change a host bind host, intervention and begin record, and an empty apply is refused") {
  using protocol::Json;
  std::string begin = journal::Canonical({{"type", "intervention.begin"}, {"intervention", "i-1"}, {"seq", 0}});
  Json apply = {{"type", "apply"}, {"intervention", "i-1"}, {"host", "web-01"}, {"begin", begin},
                {"deploys", Json::array()}};
  Result<AnswerBinding> binding = ReadAnswerBinding(apply);
  REQUIRE(binding.ok());
  CHECK(binding->host == "web-01");
  CHECK(binding->begin == journal::BeginHash(begin));
  Json bound = BindAnswer({{"type", "apply.result"}, {"status", "ok"}}, *binding);
  CHECK(bound["host"] == "web-01");
  CHECK(bound["intervention"] == "i-1");
  CHECK(bound["begin"] == binding->begin);

  CHECK(AsksForNothing(apply));
  Json patch = apply;
  patch["patch"] = {{"policy", "security"}};
  CHECK_FALSE(AsksForNothing(patch));

  // The begin record must be this intervention's, and everything named.
  Json other = apply;
  other["intervention"] = "i-2";
  CHECK_FALSE(ReadAnswerBinding(other).ok());
  for (const char* key : {"host", "begin", "intervention"}) {
    Json missing = apply;
    missing.erase(key);
    CHECK_FALSE(ReadAnswerBinding(missing).ok());
  }
  Json not_canonical = apply;
  not_canonical["begin"] = "{ \"type\": \"intervention.begin\", \"intervention\": \"i-1\"}";
  CHECK_FALSE(ReadAnswerBinding(not_canonical).ok());

  // Through a session: once, an apply with nothing in it got a signed
  // "apply.result ok" for any intervention id. Now it is refused, and so is
  // an unbound one.
  testing::TempDir tmp;
  AgentConfig config;
  config.state_dir = tmp.path.string();
  auto fs = MakePosixFilesystem();
  InterventionContext context{&config, fs.get(), nullptr, nullptr, nullptr, tmp.path / "objects.git", nullptr};
  InterventionSession session(context);
  std::optional<Json> answer = session.Answer(apply);
  REQUIRE(answer);
  CHECK((*answer)["type"] == "error");
  CHECK((*answer)["message"].get<std::string>().find("asks for nothing") != std::string::npos);
  answer = session.Answer({{"type", "apply"}, {"intervention", "i-1"}, {"deploys", Json::array()}});
  REQUIRE(answer);
  CHECK((*answer)["type"] == "error");
  CHECK_FALSE(std::filesystem::exists(tmp.path / "results" / "i-1.json"));
}
