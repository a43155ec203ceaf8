// Where the agent reads the host's login records (login_events.h): the OS
// seam of out-of-band access.
//
// journald (sd-journal(3), libsystemd): the entries of sshd (sshd-session),
// sudo, su and login sent by root (_UID 0: sshd, login) or by the sudo or su
// binary itself (_EXE /usr/bin/sudo, /usr/bin/su: set-user-ID programs,
// which log with the invoking user's real uid). _COMM, _UID and _EXE are
// fields journald itself sets from the sender's credentials and /proc
// ("trusted fields", systemd.journal-fields(7)), so an unprivileged user
// cannot forge an sshd login by writing to syslog under that name (logger
// -t sshd gives _COMM=logger and their own uid; a process they name "sshd"
// has their uid and their binary). The cursor is journald's own.
//
// An auth log (rsyslog's /var/log/auth.log, where there is no journald): read
// as text, line by line. The cursor is "INODE:OFFSET"; after a rotation the
// rest of the file it names is read from PATH.1 first. A syslog file does not
// say who wrote a line: docs/agent.md says what that leaves open.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/login_events.h"
#include "core/base/clock.h"
#include "core/base/result.h"

namespace daybook::agent {

class LoginSource {
 public:
  virtual ~LoginSource() = default;
  // At most `max` records after `cursor` ("": from the oldest the source
  // keeps), oldest first, each with the cursor to resume after it. Records
  // that are no access are handed over too (their cursor counts). kIo when
  // the source cannot be read.
  virtual Result<std::vector<LoginRecord>> Read(const std::string& cursor, size_t max) = 0;
  // "journald", "auth log /var/log/auth.log": for the agent's log.
  virtual std::string name() const = 0;
};

// The local system journal. kIo when it cannot be opened.
Result<std::unique_ptr<LoginSource>> OpenJournald();

// The auth log at `path`: a read fails (kIo) while there is no such
// regular file. Times in the traditional format carry no year, nor a zone:
// the year `clock` says, in UTC.
std::unique_ptr<LoginSource> OpenAuthLog(std::filesystem::path path, const Clock& clock);

// A source configured but not there (journald on a host without it): every
// read says why, so the agent's answers say the logins are not read.
std::unique_ptr<LoginSource> UnavailableSource(std::string name, Error error);

}  // namespace daybook::agent
