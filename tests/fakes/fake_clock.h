// A Clock that says what the test sets.
#pragma once

#include "core/base/clock.h"

namespace daybook::testing {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : now(t) {}
  TimePoint Now() const override { return now; }
  TimePoint now;
};

}  // namespace daybook::testing
