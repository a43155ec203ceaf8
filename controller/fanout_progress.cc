#include "controller/fanout_progress.h"

#include <ostream>

#include "core/base/text.h"

namespace daybook::controller {

FanOutProgress::FanOutProgress(Env& env, std::string verb, size_t total, std::string failed_word)
    : env_(env), verb_(std::move(verb)), failed_word_(std::move(failed_word)), total_(total) {}

void FanOutProgress::HostDone(const std::string& host, bool failed, const std::string& outcome) {
  ++done_;
  if (failed) ++failed_;
  if (env_.verbosity < 0) return;
  if (env_.verbosity > 0) {
    if (drawn_) env_.err << "\r\x1b[K";  // the host line replaces the counter, which is drawn again below
    env_.err << verb_ << ": " << TerminalSafe(host) << " " << TerminalSafe(outcome) << "\n";
    drawn_ = false;
  }
  if (env_.err_is_terminal) {
    env_.err << "\r" << verb_ << ": " << done_ << "/" << total_ << " done, " << failed_ << " " << failed_word_ << std::flush;
    drawn_ = true;
  }
}

void FanOutProgress::Finish() {
  if (drawn_) env_.err << "\n";
  drawn_ = false;
}

}  // namespace daybook::controller
