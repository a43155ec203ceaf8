#include "controller/result_recorder.h"

namespace daybook::controller {

void ResultRecorder::Queue(protocol::Json fields) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(fields));
}

Status ResultRecorder::Commit() {
  std::vector<protocol::Json> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
  }
  if (broken_) return MakeError(ErrorCode::kIo, error_);
  if (batch.empty()) return OkStatus();
  Status written = intervention_.RecordHosts(std::move(batch));
  if (!written) {
    error_ = written.error().message;
    broken_ = true;
  }
  return written;
}

}  // namespace daybook::controller
