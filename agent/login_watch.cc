#include "agent/login_watch.h"

#include <cstdlib>

namespace daybook::agent {
namespace {

constexpr size_t kBatch = 1000;   // records read at once
constexpr int kMaxBatches = 100;  // per poll: a long backlog is taken over several

}  // namespace

LoginWatch::LoginWatch(LoginSource& source, AccessLog& log, Filesystem& fs, std::filesystem::path cursor_file)
    : source_(source), log_(log), fs_(fs), cursor_file_(std::move(cursor_file)) {
  auto [login_seq, login_cursor] = log_.last_login();
  int64_t file_seq = -2;
  std::string file_cursor;
  if (Result<std::string> text = fs_.ReadSmallRegularFile(cursor_file_, 4096); text) {
    size_t space = text->find(' ');
    if (space != std::string::npos) {
      file_seq = std::strtoll(text->substr(0, space).c_str(), nullptr, 10);
      file_cursor = text->substr(space + 1);
      while (!file_cursor.empty() && file_cursor.back() == '\n') file_cursor.pop_back();
    }
  }
  cursor_ = login_seq > file_seq ? login_cursor : file_cursor;
}

Result<int> LoginWatch::Poll(bool wait) {
  std::unique_lock<std::mutex> lock(poll_mu_, std::defer_lock);
  if (wait) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return 0;
  }
  int appended = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    Result<std::vector<LoginRecord>> records = source_.Read(cursor_, kBatch);
    if (!records) return std::move(records).error();
    if (records->empty()) break;
    for (const LoginRecord& record : *records) {
      if (std::optional<journal::Json> event = ReadLoginEvent(record)) {
        (*event)["cursor"] = record.cursor;
        if (Status kept = log_.Append("login", std::move(*event)); !kept) return std::move(kept).error();
        ++appended;
      }
      cursor_ = record.cursor;
    }
    // The cursor past records that were no access, so they are not read
    // again; a failure here costs a re-read, which the log's own cursor
    // keeps from appending twice.
    (void)fs_.WriteFileAtomic(cursor_file_, std::to_string(log_.next_seq() - 1) + " " + cursor_ + "\n", 0600);
    if (records->size() < kBatch) break;
  }
  return appended;
}

void LoginWatch::Run(std::chrono::milliseconds interval, const std::function<void(const std::string&)>& on_error) {
  bool failing = false;
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_) {
    lock.unlock();
    Result<int> polled = Poll();
    if (!polled && !failing) on_error(polled.error().message);
    failing = !polled;
    lock.lock();
    stop_cv_.wait_for(lock, interval, [&] { return stop_; });
  }
}

void LoginWatch::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  stop_ = true;
  stop_cv_.notify_all();
}

}  // namespace daybook::agent
