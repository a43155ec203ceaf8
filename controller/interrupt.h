// Ctrl-C during a rollout. While an InterruptWatch lives, SIGINT and
// SIGTERM are blocked in every thread and taken by a watcher thread
// (sigtimedwait), so no library call is cut short by EINTR. The first
// signal sets requested() and calls `on_first` on the watcher thread: the
// rollout starts no new host, hosts in flight finish, and the journal
// records "interrupted". A second signal ends the process at once (exit
// 130): the journal then has no end record for the intervention, which
// `journal verify` accepts; each agent finishes or refuses its own step.
//
// Create it before any worker thread: threads inherit the signal mask.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace daybook::controller {

class InterruptWatch {
 public:
  explicit InterruptWatch(std::function<void(int signal)> on_first);
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  bool requested() const { return signal_ != 0; }
  int signal() const { return signal_; }

 private:
  std::function<void(int)> on_first_;
  sigset_t previous_{};
  std::atomic<int> signal_{0};
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

}  // namespace daybook::controller
