#include "controller/fanout.h"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <vector>

using daybook::controller::FanOut;

TEST_CASE("fan-out: every item once, at most `parallel` at a time, done() serialized") {
  std::atomic<int> running{0}, peak{0};
  std::vector<int> work_count(500, 0);
  std::vector<size_t> done_order;
  FanOut(
      500, 8,
      [&](size_t i) {
        int now = ++running;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        ++work_count[i];
        --running;
      },
      [&](size_t i) { done_order.push_back(i); });  // not thread-safe on purpose: done() must be serialized
  CHECK(peak.load() <= 8);
  CHECK(done_order.size() == 500);
  CHECK(std::set<size_t>(done_order.begin(), done_order.end()).size() == 500);
  for (int c : work_count) CHECK(c == 1);
  FanOut(0, 8, [](size_t) { FAIL("no work expected"); }, [](size_t) {});
}
