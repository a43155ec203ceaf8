// Group commit of host results during a rollout. A worker queues its host's
// result the moment the host is done (Queue, any thread); Commit, called
// from the serialized per-host callback, writes everything queued so far in
// one journal append (one round of fsyncs, one checkpoint). While one commit
// waits for the disk, the hosts finishing meanwhile queue up and go together
// in the next, so a batch of 200 hosts costs a few syncs instead of 200.
// Every result is durable before the rollout's end record. The first failure
// sticks: nothing more is written, and the rollout starts no new host.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "controller/intervention.h"

namespace daybook::controller {

class ResultRecorder {
 public:
  explicit ResultRecorder(Intervention& intervention) : intervention_(intervention) {}

  void Queue(protocol::Json fields);  // thread-safe
  Status Commit();                    // one caller at a time

  bool broken() const { return broken_; }
  const std::string& error() const { return error_; }  // once broken()

 private:
  Intervention& intervention_;
  std::mutex mu_;  // guards queue_
  std::vector<protocol::Json> queue_;
  std::atomic<bool> broken_{false};
  std::string error_;
};

}  // namespace daybook::controller
