#include "agent/login_sources.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <date/date.h>
#include <systemd/sd-journal.h>

#include "core/base/strings.h"
#include "core/crypto/encoding.h"
#include "core/crypto/hash.h"

namespace daybook::agent {
namespace {

Error IoError(const std::string& what, int err) { return MakeError(ErrorCode::kIo, what + ": " + std::strerror(err)); }

class Journald final : public LoginSource {
 public:
  std::string name() const override { return "journald"; }

  // Opened for each read and closed after: an idle agent keeps none of the
  // journal's files mapped. Every local journal file, users' included:
  // journald files sudo's and su's records (sent with the invoking user's
  // uid) in that user's journal, which SD_JOURNAL_SYSTEM would leave out.
  Result<std::vector<LoginRecord>> Read(const std::string& cursor, size_t max) override {
    sd_journal* j = nullptr;
    if (int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY); r < 0) return IoError("journald", -r);
    std::unique_ptr<sd_journal, decltype(&sd_journal_close)> closer(j, sd_journal_close);
    // _COMM is one of them (matches on one field are alternatives,
    // sd_journal_add_match(3)); who sent each is checked below.
    for (const char* match : {"_COMM=sshd", "_COMM=sshd-session", "_COMM=sudo", "_COMM=su", "_COMM=login"}) {
      if (int r = sd_journal_add_match(j, match, 0); r < 0) return IoError("journald match", -r);
    }
    if (cursor.empty()) {
      sd_journal_seek_head(j);
    } else if (int r = sd_journal_seek_cursor(j, cursor.c_str()); r < 0) {
      return IoError("journald cursor", -r);
    }
    std::vector<LoginRecord> out;
    bool first = true;
    while (out.size() < max) {
      int r = sd_journal_next(j);
      if (r < 0) return IoError("journald", -r);
      if (r == 0) break;
      // Seeking to a cursor lands on its entry, which was read already.
      if (first && !cursor.empty() && sd_journal_test_cursor(j, cursor.c_str()) > 0) {
        first = false;
        continue;
      }
      first = false;
      LoginRecord record;
      char* c = nullptr;
      if (sd_journal_get_cursor(j, &c) < 0) continue;
      record.cursor = c;
      free(c);
      uint64_t usec = 0;
      sd_journal_get_realtime_usec(j, &usec);
      record.at = TimePoint(std::chrono::milliseconds(usec / 1000));
      // A record only counts from the program itself: root's (sshd, login),
      // or a set-user-ID program's own binary (sudo and su log with the
      // invoking user's real uid, which journald records as _UID). A user's
      // process named "sshd" is neither; its record moves the cursor only.
      if (Trusted(Field(j, "_UID"), Field(j, "_EXE"))) record.identifier = Field(j, "_COMM");
      record.message = Field(j, "MESSAGE");
      out.push_back(std::move(record));
    }
    return out;
  }

 private:
  // _UID and _EXE are journald's trusted fields (systemd.journal-fields(7)):
  // from the sender's credentials and /proc, not from what it wrote.
  static bool Trusted(const std::string& uid, std::string exe) {
    if (uid == "0") return true;
    const std::string deleted = " (deleted)";  // the binary was upgraded since the process started
    if (exe.size() > deleted.size() && exe.compare(exe.size() - deleted.size(), deleted.size(), deleted) == 0) {
      exe.resize(exe.size() - deleted.size());
    }
    for (const char* known : {"/usr/bin/sudo", "/bin/sudo", "/usr/bin/su", "/bin/su"}) {
      if (exe == known) return true;
    }
    return false;
  }

  static std::string Field(sd_journal* j, const char* name) {
    const void* data = nullptr;
    size_t length = 0;
    if (sd_journal_get_data(j, name, &data, &length) < 0) return "";
    std::string field(static_cast<const char*>(data), length);
    size_t eq = field.find('=');
    return eq == std::string::npos ? "" : field.substr(eq + 1);
  }
};

class AuthLog final : public LoginSource {
 public:
  AuthLog(std::filesystem::path path, const Clock& clock) : path_(std::move(path)), clock_(clock) {}
  std::string name() const override { return "auth log " + path_.string(); }

  Result<std::vector<LoginRecord>> Read(const std::string& cursor, size_t max) override {
    Position at;
    if (std::vector<std::string> parts = Split(cursor, ':'); parts.size() == 4) {
      at = {std::strtoull(parts[0].c_str(), nullptr, 10), std::strtoull(parts[1].c_str(), nullptr, 10),
            std::strtoull(parts[2].c_str(), nullptr, 10), parts[3]};
    }
    std::vector<LoginRecord> out;
    Result<uint64_t> current = Inode(path_);
    if (!current) return std::move(current).error();
    if (*current == 0) return MakeError(ErrorCode::kIo, path_.string() + ": no such file: logins are not read");
    // Rotated since: the rest of the file the cursor names is PATH.1 now.
    if (at.inode != 0 && *current != at.inode) {
      std::filesystem::path rotated = path_.string() + ".1";
      Result<uint64_t> old = Inode(rotated);
      if (old && *old == at.inode) {
        if (Status read = ReadFrom(rotated, at, max, out); !read) return std::move(read).error();
        if (out.size() >= max) return out;
      }
      at = Position{};
    }
    if (Status read = ReadFrom(path_, at, max, out); !read) return std::move(read).error();
    return out;
  }

 private:
  // The file's inode, 0 when there is none.
  static Result<uint64_t> Inode(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return uint64_t{0};
      return IoError(path.string(), errno);
    }
    return static_cast<uint64_t>(st.st_ino);
  }

  // Where a cursor points: after the line of `line_bytes` bytes ending at
  // `offset`, whose SHA-256 starts with `line_hash` (16 hex digits).
  struct Position {
    uint64_t inode = 0, offset = 0, line_bytes = 0;
    std::string line_hash;
  };

  static std::string LineHash(std::string_view line) {
    crypto::Sha256Digest digest = crypto::Sha256(line);
    return crypto::HexEncode(digest.data(), 8);
  }

  // The line before the cursor is still the one it was read after: a log
  // truncated in place and written again (logrotate's copytruncate) is not.
  static bool SameLineBefore(int fd, const Position& at) {
    if (at.offset == 0) return true;
    if (at.line_bytes == 0) return true;  // past a passed-over "line" of a MiB: nothing to compare
    if (at.line_bytes > at.offset || at.line_bytes > (1u << 20)) return false;
    std::string line(at.line_bytes, '\0');
    ssize_t n = ::pread(fd, line.data(), line.size(), static_cast<off_t>(at.offset - at.line_bytes));
    return n == static_cast<ssize_t>(line.size()) && LineHash(line) == at.line_hash;
  }

  // Whole lines after `at` (from the start when the file is shorter, or the
  // line before is another: it was truncated in place), at most `max`
  // records in `out` in all. Opened without blocking and read only when a
  // regular file: a FIFO or a device named here must not hold the agent.
  Status ReadFrom(const std::filesystem::path& path, const Position& from, size_t max, std::vector<LoginRecord>& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return IoError(path.string(), errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return MakeError(ErrorCode::kIo, path.string() + ": not a regular file");
    }
    uint64_t offset = from.offset;
    if (offset > static_cast<uint64_t>(st.st_size) || (from.inode == st.st_ino && !SameLineBefore(fd, from))) offset = 0;
    const int year = static_cast<int>(date::year_month_day(date::floor<date::days>(clock_.Now())).year());
    const std::string prefix = std::to_string(st.st_ino) + ":";
    std::string pending;
    char buffer[1 << 16];
    uint64_t at = offset;
    while (out.size() < max) {
      ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return IoError(path.string(), err);
      }
      if (n == 0) break;
      at += static_cast<uint64_t>(n);
      pending.append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; out.size() < max && (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        offset += nl + 1 - start;
        // A line of another shape still moves the cursor past it.
        LoginRecord record = ParseSyslogLine(pending.substr(start, nl - start), year).value_or(LoginRecord{});
        record.cursor = prefix + std::to_string(offset) + ":" + std::to_string(nl + 1 - start) + ":" +
                        LineHash(std::string_view(pending).substr(start, nl + 1 - start));
        out.push_back(std::move(record));
      }
      pending.erase(0, start);
      if (pending.size() > (1u << 20)) {  // a "line" of a MiB is no syslog line: passed over
        offset += pending.size();
        pending.clear();
        out.push_back({prefix + std::to_string(offset) + ":0:", {}, "", ""});
      }
    }
    ::close(fd);
    return OkStatus();
  }

  std::filesystem::path path_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<LoginSource>> OpenJournald() {
  // sd_journal_open succeeds on a host without journald (no files, no
  // entries): that would read as "nobody logged in".
  struct stat st {};
  if (::stat("/run/systemd/journal/socket", &st) != 0) {
    return MakeError(ErrorCode::kIo, "journald does not run on this host (no /run/systemd/journal/socket)");
  }
  sd_journal* j = nullptr;
  if (int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY); r < 0) return IoError("journald", -r);
  sd_journal_close(j);
  return std::unique_ptr<LoginSource>(new Journald());
}

namespace {

class Unavailable final : public LoginSource {
 public:
  Unavailable(std::string name, Error error) : name_(std::move(name)), error_(std::move(error)) {}
  Result<std::vector<LoginRecord>> Read(const std::string&, size_t) override { return error_; }
  std::string name() const override { return name_ + " (unavailable: " + error_.message + ")"; }

 private:
  std::string name_;
  Error error_;
};

}  // namespace

std::unique_ptr<LoginSource> UnavailableSource(std::string name, Error error) {
  return std::make_unique<Unavailable>(std::move(name), std::move(error));
}

std::unique_ptr<LoginSource> OpenAuthLog(std::filesystem::path path, const Clock& clock) {
  return std::make_unique<AuthLog>(std::move(path), clock);
}

}  // namespace daybook::agent
