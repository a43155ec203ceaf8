#include "agent/login_sources.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <date/date.h>
#include <systemd/sd-journal.h>

#include "core/base/strings.h"

namespace daybook::agent {
namespace {

Error IoError(const std::string& what, int err) { return MakeError(ErrorCode::kIo, what + ": " + std::strerror(err)); }

class Journald final : public LoginSource {
 public:
  std::string name() const override { return "journald"; }

  // Opened for each read and closed after: an idle agent keeps none of the
  // journal's files mapped.
  Result<std::vector<LoginRecord>> Read(const std::string& cursor, size_t max) override {
    sd_journal* j = nullptr;
    if (int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM); r < 0) return IoError("journald", -r);
    std::unique_ptr<sd_journal, decltype(&sd_journal_close)> closer(j, sd_journal_close);
    // (_COMM is one of them) AND _UID=0: matches on one field are
    // alternatives, on different fields all must hold (sd_journal_add_match(3)).
    for (const char* match : {"_COMM=sshd", "_COMM=sudo", "_COMM=su", "_COMM=login", "_UID=0"}) {
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
      record.identifier = Field(j, "_COMM");
      record.message = Field(j, "MESSAGE");
      out.push_back(std::move(record));
    }
    return out;
  }

 private:
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
    uint64_t inode = 0, offset = 0;
    if (std::vector<std::string> parts = Split(cursor, ':'); parts.size() == 2) {
      inode = std::strtoull(parts[0].c_str(), nullptr, 10);
      offset = std::strtoull(parts[1].c_str(), nullptr, 10);
    }
    std::vector<LoginRecord> out;
    // Rotated since: the rest of the file the cursor names is PATH.1 now.
    Result<uint64_t> current = Inode(path_);
    if (!current) return std::move(current).error();
    if (inode != 0 && *current != inode) {
      std::filesystem::path rotated = path_.string() + ".1";
      Result<uint64_t> old = Inode(rotated);
      if (old && *old == inode) {
        if (Status read = ReadFrom(rotated, offset, max, out); !read) return std::move(read).error();
        if (out.size() >= max) return out;
      }
      offset = 0;
    }
    if (*current == 0) return out;  // no log yet
    if (Status read = ReadFrom(path_, offset, max, out); !read) return std::move(read).error();
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

  // Whole lines from `offset` (from 0 when the file is shorter: it was
  // truncated in place), at most `max` records in `out` in all.
  Status ReadFrom(const std::filesystem::path& path, uint64_t offset, size_t max, std::vector<LoginRecord>& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return IoError(path.string(), errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return MakeError(ErrorCode::kIo, path.string() + ": not a regular file");
    }
    if (offset > static_cast<uint64_t>(st.st_size)) offset = 0;
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
        record.cursor = prefix + std::to_string(offset);
        out.push_back(std::move(record));
      }
      pending.erase(0, start);
      if (pending.size() > (1u << 20)) {  // a "line" of a MiB is no syslog line: passed over
        offset += pending.size();
        pending.clear();
        out.push_back({prefix + std::to_string(offset), {}, "", ""});
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
  sd_journal* j = nullptr;
  if (int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM); r < 0) return IoError("journald", -r);
  sd_journal_close(j);
  return std::unique_ptr<LoginSource>(new Journald());
}

std::unique_ptr<LoginSource> OpenAuthLog(std::filesystem::path path, const Clock& clock) {
  return std::make_unique<AuthLog>(std::move(path), clock);
}

}  // namespace daybook::agent
