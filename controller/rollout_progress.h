// Progress of a rollout on stderr. On a terminal, one line redrawn in
// place: the current batch, hosts done/failed/in flight, elapsed seconds.
// The terminal line is also redrawn every second, so the elapsed time moves
// while a long host (a reboot) runs. Piped, plain lines a log keeps: each
// batch as it starts, each host as it finishes. Thread-safe: hosts start on
// worker threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <iosfwd>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace daybook::controller {

class RolloutProgress {
 public:
  RolloutProgress(std::ostream& err, bool terminal, std::string verb, size_t total);
  ~RolloutProgress();
  RolloutProgress(const RolloutProgress&) = delete;
  RolloutProgress& operator=(const RolloutProgress&) = delete;

  void BatchStarted(const std::string& label, const std::string& hosts);
  void HostStarted(const std::string& host);
  // status: ok | failed | unreachable | refused | skipped; detail: the error
  // or why. The line says how long the host itself took (from its
  // HostStarted), and when in the rollout it finished.
  void HostFinished(const std::string& host, const std::string& status, const std::string& detail);
  void NotStarted(const std::string& host, const std::string& why);
  void Note(const std::string& line);  // a line of its own (an interrupt)
  void Finish();                       // stops the ticker, ends the terminal line

 private:
  void Redraw();  // mu_ held
  double Elapsed() const;

  std::ostream& err_;
  bool terminal_;
  std::string verb_;
  size_t total_;
  std::mutex mu_;
  std::string batch_;
  size_t done_ = 0, failed_ = 0, in_flight_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::map<std::string, std::chrono::steady_clock::time_point> host_start_;  // mu_
  bool finished_ = false;       // mu_
  std::condition_variable tick_;
  std::thread ticker_;          // terminal only
};

}  // namespace daybook::controller
