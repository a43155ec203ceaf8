// Progress of a rollout on stderr. On a terminal, one line redrawn in
// place: the current batch, hosts done/failed/in flight, elapsed seconds.
// Piped, plain lines a log keeps: each batch as it starts, each host as it
// finishes. Thread-safe: hosts start on worker threads.
#pragma once

#include <chrono>
#include <iosfwd>
#include <mutex>
#include <string>

namespace daybook::controller {

class RolloutProgress {
 public:
  RolloutProgress(std::ostream& err, bool terminal, std::string verb, size_t total);

  void BatchStarted(const std::string& label, const std::string& hosts);
  void HostStarted();
  // status: ok | failed | unreachable | refused | skipped; detail: the error or why.
  void HostFinished(const std::string& host, const std::string& status, const std::string& detail);
  void NotStarted(const std::string& host, const std::string& why);
  void Note(const std::string& line);  // a line of its own (an interrupt)
  void Finish();                       // ends the terminal line

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
};

}  // namespace daybook::controller
