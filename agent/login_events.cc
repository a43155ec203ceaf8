#include "agent/login_events.h"

#include <regex>

#include <date/date.h>

#include "core/base/text.h"
#include "core/journal/record.h"

namespace daybook::agent {
namespace {

using journal::Json;

constexpr size_t kMaxField = 1024;

std::string Safe(const std::string& text) { return Utf8Head(TerminalSafe(text), kMaxField); }

Json Event(const LoginRecord& record, const std::string& how, const std::string& user, const std::string& outcome) {
  return {{"how", how}, {"user", Safe(user)}, {"outcome", outcome}, {"at", journal::FormatTimestamp(record.at)}};
}

// "Accepted publickey for alice from 10.0.0.1 port 51234 ssh2: ED25519 SHA256:..."
std::optional<Json> Sshd(const LoginRecord& record) {
  static const std::regex kAccepted(R"(^Accepted (\S+) for (\S+) from (\S+) port (\d+) ssh2(?:: (\S+) (SHA256:\S+))?.*$)");
  std::smatch m;
  if (!std::regex_match(record.message, m, kAccepted)) return std::nullopt;
  Json event = Event(record, "ssh", m[2], "accepted");
  event["method"] = Safe(m[1]);
  event["source"] = Safe(m[3]);
  event["port"] = Safe(m[4]);
  if (m[6].matched) event["key"] = Safe(m[5].str() + " " + m[6].str());
  return event;
}

// "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
// or with a reason first when refused ("user NOT in sudoers ; TTY=...").
std::optional<Json> Sudo(const LoginRecord& record) {
  // sudo pads the user name on the left ("    alice : TTY=...").
  std::string message = record.message.substr(std::min(record.message.find_first_not_of(' '), record.message.size()));
  size_t colon = message.find(" : ");
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string user = message.substr(0, colon);
  if (user.find(' ') != std::string::npos) return std::nullopt;  // "pam_unix(sudo:session): ..." and the like
  std::string rest = message.substr(colon + 3);
  // The fields are " ; "-separated; COMMAND is last and may hold " ; " itself.
  std::string reason, tty, as, command;
  bool fields = false;
  size_t pos = 0;
  while (pos <= rest.size()) {
    if (rest.compare(pos, 8, "COMMAND=") == 0) {
      command = rest.substr(pos + 8);
      fields = true;
      break;
    }
    size_t end = rest.find(" ; ", pos);
    std::string part = rest.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (part.rfind("TTY=", 0) == 0) {
      tty = part.substr(4), fields = true;
    } else if (part.rfind("USER=", 0) == 0) {
      as = part.substr(5), fields = true;
    } else if (part.rfind("PWD=", 0) != 0 && part.find('=') == std::string::npos && !fields) {
      reason = reason.empty() ? part : reason + "; " + part;
    }
    if (end == std::string::npos) break;
    pos = end + 3;
  }
  if (!fields) return std::nullopt;
  Json event = Event(record, "sudo", user, reason.empty() ? "accepted" : "refused");
  // sudo writes PWD and the command unescaped: a directory named
  // "x ; USER=root ; COMMAND=..." makes the fields ambiguous. Said, with
  // the words themselves, instead of trusting one reading.
  auto count = [&](const char* field) {
    size_t n = 0;
    for (size_t at = rest.find(field); at != std::string::npos; at = rest.find(field, at + 1)) ++n;
    return n;
  };
  if (count("USER=") > 1 || count("COMMAND=") > 1 || count("PWD=") > 1) {
    event["ambiguous"] = true;
    event["message"] = Safe(message);
  }
  if (!as.empty()) event["as"] = Safe(as);
  if (!tty.empty()) event["tty"] = Safe(tty);
  if (!command.empty()) event["command"] = Safe(command);
  if (!reason.empty()) event["reason"] = Safe(reason);
  return event;
}

// "(to root) alice on pts/0", "FAILED SU (to root) alice on pts/0".
std::optional<Json> Su(const LoginRecord& record) {
  static const std::regex kSu(R"(^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)$)");
  std::smatch m;
  if (!std::regex_match(record.message, m, kSu)) return std::nullopt;
  Json event = Event(record, "su", m[3], m[1].matched ? "refused" : "accepted");
  event["as"] = Safe(m[2]);
  event["tty"] = Safe(m[4]);
  return event;
}

// login(1) on a console: "ROOT LOGIN  on '/dev/tty1'", "LOGIN ON tty1 BY alice",
// and its PAM session line, which names the user whatever login logs.
std::optional<Json> Login(const LoginRecord& record) {
  static const std::regex kRoot(R"(^ROOT LOGIN +on '?([^' ]+)'?(?: FROM (\S+))?$)");
  static const std::regex kUser(R"(^LOGIN ON (\S+) BY (\S+)(?: FROM (\S+))?$)");
  static const std::regex kFailed(R"(^FAILED LOGIN \(\d+\) on '?([^' ]+)'?(?: FROM (\S+))? FOR '?([^',]+)'?, (.*)$)");
  std::smatch m;
  Json event;
  if (std::regex_match(record.message, m, kRoot)) {
    event = Event(record, "console", "root", "accepted");
    event["tty"] = Safe(m[1]);
    if (m[2].matched) event["source"] = Safe(m[2]);
  } else if (std::regex_match(record.message, m, kUser)) {
    event = Event(record, "console", m[2], "accepted");
    event["tty"] = Safe(m[1]);
    if (m[3].matched) event["source"] = Safe(m[3]);
  } else if (std::regex_match(record.message, m, kFailed)) {
    event = Event(record, "console", m[3], "refused");
    event["tty"] = Safe(m[1]);
    if (m[2].matched) event["source"] = Safe(m[2]);
    event["reason"] = Safe(m[4]);
  } else {
    return std::nullopt;
  }
  return event;
}

}  // namespace

std::optional<journal::Json> ReadLoginEvent(const LoginRecord& record) {
  // A message longer than any of these ever is, or not text: not theirs.
  if (record.message.size() > 8 * kMaxField) return std::nullopt;
  // OpenSSH 9.8 and later log a session's login from sshd-session.
  if (record.identifier == "sshd" || record.identifier == "sshd-session") return Sshd(record);
  if (record.identifier == "sudo") return Sudo(record);
  if (record.identifier == "su") return Su(record);
  if (record.identifier == "login") return Login(record);
  return std::nullopt;
}

std::optional<LoginRecord> ParseSyslogLine(const std::string& line, int year) {
  // Read by hand, strictly: a stamp is a few fixed fields, and a general
  // time parser fed hostile bytes is more than it needs (and was caught
  // converting a NaN by the fuzzer).
  size_t pos = 0;
  auto digits = [&](size_t n) -> std::optional<int> {
    if (pos + n > line.size()) return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = line[pos + i];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
  };
  auto expect = [&](char c) {
    if (pos >= line.size() || line[pos] != c) return false;
    ++pos;
    return true;
  };
  std::optional<int> y, mo, d, h, mi, sec;
  std::chrono::milliseconds fraction{0}, offset{0};
  if (!line.empty() && line[0] >= '0' && line[0] <= '9') {
    // RFC 3339: 2026-11-30T10:01:39[.123456](Z|+01:00)
    if (!((y = digits(4)) && expect('-') && (mo = digits(2)) && expect('-') && (d = digits(2)) && expect('T') &&
          (h = digits(2)) && expect(':') && (mi = digits(2)) && expect(':') && (sec = digits(2)))) {
      return std::nullopt;
    }
    if (expect('.')) {
      int64_t ms = 0;
      size_t n = 0;
      for (; pos < line.size() && line[pos] >= '0' && line[pos] <= '9' && n < 9; ++pos, ++n) {
        if (n < 3) ms = ms * 10 + (line[pos] - '0');
      }
      if (n == 0) return std::nullopt;
      for (size_t i = n; i < 3; ++i) ms *= 10;
      fraction = std::chrono::milliseconds(ms);
    }
    if (!expect('Z')) {
      if (pos >= line.size() || (line[pos] != '+' && line[pos] != '-')) return std::nullopt;
      int sign = line[pos++] == '-' ? -1 : 1;
      std::optional<int> oh, om;
      if (!((oh = digits(2)) && expect(':') && (om = digits(2))) || *oh > 23 || *om > 59) return std::nullopt;
      offset = sign * (std::chrono::hours(*oh) + std::chrono::minutes(*om));
    }
  } else {
    // Traditional: "Nov  3 07:05:09", the year given, UTC.
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (line.size() < 15) return std::nullopt;
    for (int m = 0; m < 12; ++m) {
      if (line.compare(0, 3, kMonths[m]) == 0) mo = m + 1;
    }
    pos = 4;
    if (!mo || line[3] != ' ') return std::nullopt;
    if (line[4] == ' ') {
      pos = 5;
      d = digits(1);
    } else {
      d = digits(2);
    }
    y = year;
    if (!(d && expect(' ') && (h = digits(2)) && expect(':') && (mi = digits(2)) && expect(':') && (sec = digits(2)))) {
      return std::nullopt;
    }
  }
  date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*mo)}, date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;
  // " HOST IDENT[PID]: MESSAGE"
  if (!expect(' ')) return std::nullopt;
  size_t host_end = line.find(' ', pos);
  if (host_end == std::string::npos || host_end == pos) return std::nullopt;
  pos = host_end + 1;
  size_t tag_end = line.find(':', pos);
  if (tag_end == std::string::npos || tag_end == pos) return std::nullopt;
  std::string tag = line.substr(pos, tag_end - pos);
  if (tag.find(' ') != std::string::npos) return std::nullopt;
  if (size_t bracket = tag.find('['); bracket != std::string::npos) tag.resize(bracket);
  pos = tag_end + 1;
  if (pos < line.size() && line[pos] == ' ') ++pos;
  LoginRecord record;
  record.at = TimePoint(date::sys_days{ymd}) + std::chrono::hours(*h) + std::chrono::minutes(*mi) + std::chrono::seconds(*sec) +
              fraction - offset;
  record.identifier = tag;
  record.message = line.substr(pos);
  return record;
}

}  // namespace daybook::agent
