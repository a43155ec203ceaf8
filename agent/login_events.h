// Out-of-band access (issue 19): the host's own records of who logged in,
// read as OpenSSH, sudo, su and login(1) write them, and turned into the
// access log's "login" lines (access_log.h). Pure text work: the records
// come from journald or an auth log (login_sources.h).
//
// What is read (the messages of Debian 12's openssh-server 9.2, sudo 1.9,
// util-linux su and login 2.38, as they log through syslog(3)):
//   sshd   "Accepted publickey for U from ADDR port P ssh2: ED25519 SHA256:FP"
//          (sshd-session since OpenSSH 9.8: the same words)
//          (and "Accepted password|keyboard-interactive/pam|... for U from ...")
//   sudo   "U : TTY=T ; PWD=D ; USER=AS ; COMMAND=C"; refusals carry a reason
//          first: "U : user NOT in sudoers ; TTY=...", "U : 3 incorrect
//          password attempts ; TTY=..."
//   su     "(to AS) U on TTY"; "FAILED SU (to AS) U on TTY"
//   login  "ROOT LOGIN  on '/dev/tty1'", "LOGIN ON tty1 BY U", and
//          "pam_unix(login:session): session opened for user U(uid=N) by ..."
// Anything else (session closed, failed sshd passwords, which a scan of the
// internet writes by the thousand) is not an access and yields nothing.
//
// A login line: {"how": "ssh"|"sudo"|"su"|"console", "user", "outcome":
// "accepted"|"refused", "at": the record's time, and as known: "source"
// (ssh address), "port", "method", "key" ("ED25519 SHA256:..."), "as"
// (sudo/su target user), "tty", "command" (at most 1 KiB), "reason"}.
// Every value is TerminalSafe text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/clock.h"
#include "core/journal/canonical.h"

namespace daybook::agent {

// One record of the host's log, as a source hands it over.
struct LoginRecord {
  std::string cursor;      // where the source resumes after this record
  TimePoint at;            // when the host logged it
  std::string identifier;  // the program: sshd, sudo, su, login
  std::string message;
};

// The login line's fields for `record`, nullopt when it is no access.
std::optional<journal::Json> ReadLoginEvent(const LoginRecord& record);

// One line of a classic auth log (rsyslog): "2026-11-30T10:01:39.123456+00:00
// HOST IDENT[PID]: MESSAGE" (RFC 3339, rsyslog's default since Debian 12) or
// "Nov 30 10:01:39 HOST IDENT[PID]: MESSAGE" (the traditional format, read
// as a time of `year` in UTC). nullopt when the line has neither shape.
std::optional<LoginRecord> ParseSyslogLine(const std::string& line, int year);

}  // namespace daybook::agent
