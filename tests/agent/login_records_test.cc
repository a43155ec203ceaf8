// Out-of-band access (issue 19): the host's login records read as OpenSSH,
// sudo, su and login(1) write them, the auth log read with a cursor that
// survives restarts and rotation, and the watch that carries them into the
// access log once each.
#include <sys/stat.h>

#include <date/date.h>
#include <doctest/doctest.h>

#include "agent/access_log.h"
#include "agent/login_events.h"
#include "agent/login_sources.h"
#include "agent/login_watch.h"
#include "core/base/strings.h"
#include "core/base/text.h"
#include "core/journal/record.h"
#include "tests/fakes/fake_clock.h"
#include "tests/testing.h"

using namespace daybook;
using namespace daybook::agent;
using journal::Json;

namespace {

const TimePoint kAt = date::sys_days{date::year{2026} / 11 / 30} + std::chrono::hours(10);

std::optional<Json> Read(const std::string& identifier, const std::string& message) {
  return ReadLoginEvent({"c", kAt, identifier, message});
}

std::string S(const Json& j, const char* key) { return journal::StringField(j, key).value_or("<none>"); }

}  // namespace

TEST_CASE("login records: OpenSSH logins with user, source, method and key") {
  auto key = Read("sshd", "Accepted publickey for alice from 192.0.2.7 port 50022 ssh2: ED25519 SHA256:AbC/d+e");
  REQUIRE(key);
  CHECK(S(*key, "how") == "ssh");
  CHECK(S(*key, "user") == "alice");
  CHECK(S(*key, "source") == "192.0.2.7");
  CHECK(S(*key, "port") == "50022");
  CHECK(S(*key, "method") == "publickey");
  CHECK(S(*key, "key") == "ED25519 SHA256:AbC/d+e");
  CHECK(S(*key, "outcome") == "accepted");
  CHECK(S(*key, "at") == "2026-11-30T10:00:00.000Z");
  auto password = Read("sshd", "Accepted password for bob from 2001:db8::1 port 22 ssh2");
  REQUIRE(password);
  CHECK(S(*password, "method") == "password");
  CHECK(S(*password, "key") == "<none>");
  auto pam = Read("sshd", "Accepted keyboard-interactive/pam for carol from 10.0.0.1 port 1 ssh2");
  REQUIRE(pam);
  CHECK(S(*pam, "method") == "keyboard-interactive/pam");
  // Not accesses: failures (a scan of the internet writes them by the
  // thousand), closes, server lines.
  CHECK_FALSE(Read("sshd", "Failed password for invalid user admin from 198.51.100.9 port 4242 ssh2"));
  CHECK_FALSE(Read("sshd", "Connection closed by 10.0.0.1 port 22"));
  CHECK_FALSE(Read("sshd", "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)"));
  // Another program's words are not sshd's.
  CHECK_FALSE(Read("logger", "Accepted publickey for mallory from 1.2.3.4 port 1 ssh2"));
  // OpenSSH 9.8 and later log the login from sshd-session.
  auto session = Read("sshd-session", "Accepted publickey for root from 203.0.113.77 port 4444 ssh2: ED25519 SHA256:x");
  REQUIRE(session);
  CHECK(S(*session, "user") == "root");
}

TEST_CASE("login records: sudo, su and console logins, refusals included") {
  auto sudo = Read("sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/env A=1 ; id");
  REQUIRE(sudo);
  CHECK(S(*sudo, "how") == "sudo");
  CHECK(S(*sudo, "user") == "alice");
  CHECK(S(*sudo, "as") == "root");
  CHECK(S(*sudo, "tty") == "pts/0");
  CHECK(S(*sudo, "command") == "/usr/bin/env A=1 ; id");  // COMMAND runs to the end, " ; " and all
  CHECK(S(*sudo, "outcome") == "accepted");
  auto refused = Read("sudo", "mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh");
  REQUIRE(refused);
  CHECK(S(*refused, "outcome") == "refused");
  CHECK(S(*refused, "reason") == "user NOT in sudoers");
  CHECK_FALSE(Read("sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)"));
  // sudo writes PWD and the command unescaped: a directory named to look
  // like more fields makes the line ambiguous, and it says so.
  auto spoofed = Read("sudo", "eve : TTY=pts/3 ; PWD=/tmp/a ; USER=nobody ; COMMAND=/bin/true ; USER=root ; COMMAND=/bin/bash");
  REQUIRE(spoofed);
  CHECK((*spoofed)["ambiguous"] == true);
  CHECK(S(*spoofed, "message").find("USER=root ; COMMAND=/bin/bash") != std::string::npos);
  CHECK_FALSE(sudo->contains("ambiguous"));

  auto su = Read("su", "(to root) bob on pts/1");
  REQUIRE(su);
  CHECK(S(*su, "how") == "su");
  CHECK(S(*su, "user") == "bob");
  CHECK(S(*su, "as") == "root");
  auto su_failed = Read("su", "FAILED SU (to root) bob on pts/1");
  REQUIRE(su_failed);
  CHECK(S(*su_failed, "outcome") == "refused");

  auto root = Read("login", "ROOT LOGIN  on '/dev/tty1'");
  REQUIRE(root);
  CHECK(S(*root, "how") == "console");
  CHECK(S(*root, "user") == "root");
  CHECK(S(*root, "tty") == "/dev/tty1");
  auto user = Read("login", "LOGIN ON tty2 BY dave");
  REQUIRE(user);
  CHECK(S(*user, "user") == "dave");
  auto failed = Read("login", "FAILED LOGIN (1) on '/dev/tty1' FOR 'eve', Authentication failure");
  REQUIRE(failed);
  CHECK(S(*failed, "outcome") == "refused");
  CHECK(S(*failed, "user") == "eve");
}

TEST_CASE("login records: what a user controls cannot reach a terminal or the log's shape") {
  auto sudo = Read("sudo", "alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo \x1b]0;pwned\x07 \xff");
  REQUIRE(sudo);
  CHECK(S(*sudo, "command").find('\x1b') == std::string::npos);
  CHECK(IsValidUtf8(S(*sudo, "command")));
  CHECK_FALSE(Read("sudo", std::string(20000, 'a') + " : TTY=x ; USER=root ; COMMAND=/bin/true"));
}

TEST_CASE("login records: auth log lines, RFC 3339 and traditional") {
  auto modern = ParseSyslogLine("2026-11-30T10:01:39.123456+01:00 vm1 sshd[201]: Accepted publickey for a from b port 1 ssh2", 2026);
  REQUIRE(modern);
  CHECK(modern->identifier == "sshd");
  CHECK(journal::FormatTimestamp(modern->at) == "2026-11-30T09:01:39.123Z");
  CHECK(modern->message == "Accepted publickey for a from b port 1 ssh2");
  auto old = ParseSyslogLine("Nov  3 07:05:09 vm1 sudo:    alice : TTY=pts/0 ; USER=root ; COMMAND=/bin/id", 2026);
  REQUIRE(old);
  CHECK(old->identifier == "sudo");
  CHECK(journal::FormatTimestamp(old->at) == "2026-11-03T07:05:09.000Z");
  CHECK(ReadLoginEvent(*old).has_value());
  CHECK_FALSE(ParseSyslogLine("garbage", 2026));
  // Stamps that are nearly stamps (one made a general time parser convert a NaN).
  CHECK_FALSE(ParseSyslogLine("Nov  3o ro 00:0.\xce\xcf-11-30T0 vm1 s", 2026));
  CHECK_FALSE(ParseSyslogLine("Feb 30 10:00:00 vm1 sshd[1]: x", 2026));
  CHECK_FALSE(ParseSyslogLine("2026-11-30T25:00:00Z vm1 sshd[1]: x", 2026));
  CHECK_FALSE(ParseSyslogLine("2026-11-30T10:00:00+1:00 vm1 sshd[1]: x", 2026));
  CHECK(ParseSyslogLine("2026-11-30T10:00:00Z vm1 sshd: x", 2026).has_value());
  CHECK_FALSE(ParseSyslogLine("", 2026));
}

TEST_CASE("login records: the watch journals each access once, across restarts and a rotation") {
  testing::TempDir tmp;
  std::unique_ptr<Filesystem> fs = MakePosixFilesystem();
  testing::FixedClock clock{kAt};
  const std::filesystem::path auth = tmp.path / "auth.log";
  const std::filesystem::path cursor = tmp.path / "access.cursor";
  auto line = [](const std::string& user) {
    return "2026-11-30T10:00:00+00:00 vm sshd[1]: Accepted publickey for " + user + " from 10.0.0.1 port 1 ssh2: ED25519 SHA256:x\n";
  };
  auto logins = [&] {
    std::vector<std::string> users;
    for (const std::string& text : Split(testing::ReadAll(tmp.path / "access.jsonl"), '\n')) {
      if (text.empty()) continue;
      Json j = *journal::ParseCanonical(text);
      if (S(j, "event") == "login") users.push_back(S(j, "user"));
    }
    return users;
  };
  auto poll = [&] {
    auto log = AccessLog::Open(*fs, clock, tmp.path / "access.jsonl");
    REQUIRE(log.ok());
    std::unique_ptr<LoginSource> source = OpenAuthLog(auth, clock);
    LoginWatch watch(*source, **log, *fs, cursor);
    Result<int> polled = watch.Poll();
    REQUIRE(polled.ok());
    return *polled;
  };
  {
    // No auth log: said (the answer's logins_error), never read as "nobody logged in".
    auto log = AccessLog::Open(*fs, clock, tmp.path / "access.jsonl");
    std::unique_ptr<LoginSource> source = OpenAuthLog(auth, clock);
    LoginWatch watch(*source, **log, *fs, cursor);
    Result<int> polled = watch.Poll();
    REQUIRE_FALSE(polled.ok());
    CHECK(polled.error().message.find("no such file") != std::string::npos);
  }
  testing::WriteAll(auth, line("a1") + "not a syslog line\n" + line("a2"));
  CHECK(poll() == 2);
  CHECK(poll() == 0);  // read once
  testing::WriteAll(auth, testing::ReadAll(auth) + line("a3") + "2026-11-30T10:00:00+00:00 vm sshd[1]: Connection closed");
  CHECK(poll() == 1);  // the torn last line waits for its newline
  // Rotated: the rest of the old file (now auth.log.1) first, then the new one.
  testing::WriteAll(auth, testing::ReadAll(auth) + " by x\n" + line("a4"));
  std::filesystem::rename(auth, auth.string() + ".1");
  testing::WriteAll(auth, line("a5"));
  CHECK(poll() == 2);
  // The cursor file lost: the log's own last login line still says where.
  std::filesystem::remove(cursor);
  CHECK(poll() == 0);
  CHECK(logins() == std::vector<std::string>{"a1", "a2", "a3", "a4", "a5"});
  // Truncated in place and written again to the same length (logrotate's
  // copytruncate, then a new line): read from the start, nothing lost.
  testing::WriteAll(auth, line("a6"));
  CHECK(poll() == 1);
  CHECK(logins().back() == "a6");
}

TEST_CASE("login records: a FIFO or a directory named as the auth log does not hold the agent") {
  testing::TempDir tmp;
  testing::FixedClock clock{kAt};
  const std::filesystem::path fifo = tmp.path / "fifo.log";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::unique_ptr<LoginSource> source = OpenAuthLog(fifo, clock);
  Result<std::vector<LoginRecord>> read = source->Read("", 10);  // returns at once (a blocking open would hang here)
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().message.find("not a regular file") != std::string::npos);
  std::unique_ptr<LoginSource> dir = OpenAuthLog(tmp.path, clock);
  CHECK_FALSE(dir->Read("", 10).ok());
}
