// Clock seam: the one way library code learns the time, so tests can pin it.
#pragma once

#include <chrono>
#include <memory>

namespace daybook {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

std::unique_ptr<Clock> MakeSystemClock();

}  // namespace daybook
