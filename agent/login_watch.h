// Carries the host's login records (login_sources.h) into the access log
// (access_log.h) as "login" lines, so out-of-band access is kept beside the
// agent's own sessions, chained, until `daybook access collect` takes it.
//
// Nothing is read twice or passed over: each login line carries the source's
// cursor after it, and <state_dir>/access.cursor ("SEQ CURSOR", written
// after each batch) the cursor past records that were no access. Whichever
// is later wins at start-up: the log's line when the agent stopped between
// the two writes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include "agent/access_log.h"
#include "agent/login_sources.h"
#include "core/base/filesystem.h"

namespace daybook::agent {

class LoginWatch {
 public:
  LoginWatch(LoginSource& source, AccessLog& log, Filesystem& fs, std::filesystem::path cursor_file);

  // Reads what the source holds past the cursor and appends a line per
  // access. Returns how many; kIo (the source) or the log's error, with
  // the lines appended so far kept. Thread-safe; with `wait` false, returns
  // 0 at once while another poll runs (a session never queues behind one).
  Result<int> Poll(bool wait = true);

  // Polls every `interval` until Stop(); `on_error` hears each failure
  // (once until the next success).
  void Run(std::chrono::milliseconds interval, const std::function<void(const std::string&)>& on_error);
  void Stop();

 private:
  LoginSource& source_;
  AccessLog& log_;
  Filesystem& fs_;
  std::filesystem::path cursor_file_;
  std::mutex poll_mu_;
  std::string cursor_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
};

}  // namespace daybook::agent
