#include "controller/fanout.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/base/text.h"

namespace daybook::controller {

namespace {

// Runs f; returns what escaped it ("" when nothing did).
std::string Guarded(const std::function<void()>& f) {
  try {
    f();
    return "";
  } catch (const std::exception& e) {
    return "internal error: " + ReadableText(e.what());
  } catch (...) {
    return "internal error: unknown exception";
  }
}

}  // namespace

void FanOut(size_t count, int parallel, const std::function<void(size_t)>& work,
            const std::function<void(size_t)>& done,
            const std::function<void(size_t, const std::string& what)>& crashed) {
  std::atomic<size_t> next{0};
  std::mutex done_mu;
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      std::string what = Guarded([&] { work(i); });
      if (!what.empty()) (void)Guarded([&] { crashed(i, what); });
      std::lock_guard lock(done_mu);
      (void)Guarded([&] { done(i); });
    }
  };
  size_t threads = std::min(count, static_cast<size_t>(std::max(parallel, 1)));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
}

}  // namespace daybook::controller
