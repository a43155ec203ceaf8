// A transport::Stream that hands out scripted reads and keeps what is
// written: for agent session tests.
#pragma once

#include <string>
#include <vector>

#include "core/protocol/frame.h"
#include "core/transport/ssh_server.h"

namespace daybook::testing {

class ScriptedStream final : public transport::Stream {
 public:
  explicit ScriptedStream(std::vector<std::string> input) : input_(std::move(input)) {}
  Result<std::string> Read(size_t, std::chrono::milliseconds) override {
    if (next_ == input_.size()) return std::string();
    return input_[next_++];
  }
  Status Write(std::string_view data) override {
    written.append(data);
    decoder.Feed(data);
    return OkStatus();
  }
  protocol::FrameDecoder decoder;
  std::string written;

 private:
  std::vector<std::string> input_;
  size_t next_ = 0;
};

}  // namespace daybook::testing
