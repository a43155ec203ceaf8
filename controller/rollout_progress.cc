#include "controller/rollout_progress.h"

#include "core/base/text.h"

#include <cstdio>
#include <ostream>

namespace daybook::controller {

RolloutProgress::RolloutProgress(std::ostream& err, bool terminal, std::string verb, size_t total)
    : err_(err), terminal_(terminal), verb_(std::move(verb)), total_(total) {
  if (!terminal_) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!tick_.wait_for(lock, std::chrono::seconds(1), [this] { return finished_; })) {
      if (!batch_.empty()) Redraw();
    }
  });
}

RolloutProgress::~RolloutProgress() { Finish(); }

double RolloutProgress::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RolloutProgress::Redraw() {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.0fs", Elapsed());
  // \033[K clears what a longer previous line left behind.
  err_ << "\r" << verb_ << ": " << batch_ << " | " << done_ << "/" << total_ << " done, " << failed_ << " failed, "
       << in_flight_ << " in flight, " << elapsed << "\033[K" << std::flush;
}

void RolloutProgress::BatchStarted(const std::string& label, const std::string& hosts) {
  std::lock_guard lock(mu_);
  batch_ = label;
  if (terminal_) {
    Redraw();
  } else {
    err_ << verb_ << ": " << label << ": " << hosts << "\n" << std::flush;
  }
}

void RolloutProgress::HostStarted(const std::string& host) {
  std::lock_guard lock(mu_);
  ++in_flight_;
  host_start_[host] = std::chrono::steady_clock::now();
  if (terminal_) Redraw();
}

void RolloutProgress::HostFinished(const std::string& host, const std::string& status, const std::string& detail) {
  std::lock_guard lock(mu_);
  if (in_flight_ > 0) --in_flight_;
  ++done_;
  bool failure = status != "ok" && status != "skipped";
  failed_ += failure ? 1 : 0;
  if (terminal_) {
    // Failures stay on screen above the progress line.
    if (failure) err_ << "\r\033[K" << verb_ << ": " << host << " " << status << ": " << TerminalSafe(detail) << "\n";
    Redraw();
    return;
  }
  auto started = host_start_.find(host);
  double took = started == host_start_.end() ? 0 : std::chrono::duration<double>(std::chrono::steady_clock::now() - started->second).count();
  char timing[64];
  std::snprintf(timing, sizeof timing, "%.1fs, at %.1fs", took, Elapsed());
  err_ << verb_ << ": " << host << " " << status << (detail.empty() ? "" : ": " + TerminalSafe(detail)) << " (" << timing << ")\n"
       << std::flush;
}

void RolloutProgress::NotStarted(const std::string& host, const std::string& why) {
  std::lock_guard lock(mu_);
  ++done_;
  if (!terminal_) err_ << verb_ << ": " << host << " skipped: " << TerminalSafe(why) << "\n" << std::flush;
}

void RolloutProgress::Note(const std::string& line) {
  std::lock_guard lock(mu_);
  err_ << (terminal_ ? "\r\033[K" : "") << verb_ << ": " << line << "\n" << std::flush;
  if (terminal_) Redraw();
}

void RolloutProgress::Finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (terminal_) {
      Redraw();
      err_ << "\n" << std::flush;
    }
  }
  tick_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace daybook::controller
