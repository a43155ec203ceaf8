#include "controller/interrupt.h"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace daybook::controller {
namespace {

// SIGINT and SIGTERM, except one the parent chose to ignore (`nohup`, a
// background job of a script): that choice is kept.
sigset_t Watched() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&set, sig);
  }
  return set;
}

}  // namespace

InterruptWatch::InterruptWatch(std::function<void(int)> on_first) : on_first_(std::move(on_first)) {
  sigset_t set = Watched();
  pthread_sigmask(SIG_BLOCK, &set, &previous_);
  watcher_ = std::thread([this, set] {
    // Polls so the destructor can stop it without sending a signal.
    timespec tick{0, 100'000'000};
    while (!stop_) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig <= 0) continue;  // timeout or EINTR
      if (signal_ != 0) {
        static const char kQuit[] = "\ndaybook: interrupted again: quitting now; hosts in flight finish or stop on their own and keep their "
            "results: `daybook journal reconcile` (or the next push) journals them\n";
        (void)!write(STDERR_FILENO, kQuit, sizeof kQuit - 1);
        _exit(130);
      }
      signal_ = sig;
      if (on_first_) on_first_(sig);
    }
  });
}

InterruptWatch::~InterruptWatch() {
  stop_ = true;
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace daybook::controller
