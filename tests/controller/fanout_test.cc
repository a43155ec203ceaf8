#include "controller/fanout.h"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
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
      [&](size_t i) { done_order.push_back(i); },  // not thread-safe on purpose: done() must be serialized
      [](size_t, const std::string&) { FAIL("nothing crashes"); });
  CHECK(peak.load() <= 8);
  CHECK(done_order.size() == 500);
  CHECK(std::set<size_t>(done_order.begin(), done_order.end()).size() == 500);
  for (int c : work_count) CHECK(c == 1);
  FanOut(0, 8, [](size_t) { FAIL("no work expected"); }, [](size_t) {}, [](size_t, const std::string&) {});
}

TEST_CASE("fan-out: an exception in one host's work fails that host only") {
  std::vector<std::string> outcome(20, "");
  std::vector<int> done(20, 0);
  FanOut(
      20, 4,
      [&](size_t i) {
        if (i % 7 == 3) throw std::runtime_error("type_error: wrong type \x1B[2J");
        if (i == 5) throw 42;  // not even a std::exception
        outcome[i] = "ok";
      },
      [&](size_t i) { ++done[i]; },
      [&](size_t i, const std::string& what) { outcome[i] = what; });
  for (size_t i = 0; i < 20; ++i) {
    CHECK(done[i] == 1);
    if (i % 7 == 3) {
      CHECK(outcome[i].find("internal error: type_error") == 0);
    } else if (i == 5) {
      CHECK(outcome[i] == "internal error: unknown exception");
    } else {
      CHECK(outcome[i] == "ok");
    }
  }
}
